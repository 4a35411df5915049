"""Hostile upload filenames, from Django's own upload tests (tests/file_uploads/tests.py)."""

TRAVERSAL = [
    "/tmp/hax0rd.txt",
    "C:\\Windows\\hax0rd.txt",
    "C:/Windows/hax0rd.txt",
    "\\tmp\\hax0rd.txt",
    "/tmp\\hax0rd.txt",
    "subdir/hax0rd.txt",
    "subdir\\hax0rd.txt",
    "sub/dir\\hax0rd.txt",
    "../../hax0rd.txt",
    "..\\..\\hax0rd.txt",
    "../..\\hax0rd.txt",
    "..&#x2F;hax0rd.txt",
    "..&sol;hax0rd.txt",
]
# CANDIDATE_INVALID_FILE_NAMES
INVALID = ["/tmp/", "c:\\tmp\\", "/tmp/.", "c:\\tmp\\.", "/tmp/..", "c:\\tmp\\..", ""]
