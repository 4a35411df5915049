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
# CANDIDATE_INVALID_FILE_NAMES, each with the name a PDF sent under it is shown as, or None where
# the part is no file and the form asks for one. Sent as a browser sends them (backslashes as they
# are), the parser reads each backslash as an escape: "c:\\tmp\\." arrives as "c:tmp.", and in
# "c:\\tmp\\" the last one escapes the closing quote, so the part has no filename at all.
INVALID = {
    "/tmp/": "添付ファイル.pdf",
    "c:\\tmp\\": None,
    "/tmp/.": "添付ファイル.pdf",
    "c:\\tmp\\.": "c:tmp.pdf",
    "/tmp/..": "添付ファイル.pdf",
    "c:\\tmp\\..": "c:tmp.pdf",
    "": None,
}
