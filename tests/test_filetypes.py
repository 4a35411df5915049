"""Upload types are decided by content: disguised HTML/SVG, macros, zip bombs and legacy Office
files are refused; real PDF, images and Office Open XML pass."""

from __future__ import annotations

import zipfile

import pytest

from portal.staff.storage.filetypes import LEGACY, MACROS, NOT_ALLOWED, TOO_COMPLEX, Refused, identify
from tests.files import (
    HTML,
    JPEG,
    LEGACY_XLS,
    PDF,
    PNG,
    SVG,
    docx,
    macro_workbook,
    workbook_bytes,
    zip_bomb,
    zipped,
)


@pytest.mark.parametrize(
    ("data", "extension"),
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (JPEG, "jpg"),
        (workbook_bytes(), "xlsx"),
        (docx(), "docx"),
    ],
)
def test_allowed_types_are_recognised_by_content(data, extension):
    assert identify(data).extension == extension


@pytest.mark.parametrize(
    "data",
    [
        HTML,
        b'<?xml version="1.0"?>' + SVG,
        b"<svg onload=alert(1)>",
        b"MZ\x90\x00" + b"\x00" * 60,  # a Windows executable
        zipped({"readme.txt": b"just a zip"}),
        b"",
    ],
    ids=["html", "svg", "svg-bare", "exe", "plain-zip", "empty"],
)
def test_disguised_and_unlisted_content_is_refused(data):
    with pytest.raises(Refused) as refused:
        identify(data)
    assert refused.value.message == NOT_ALLOWED


def test_a_macro_workbook_is_refused():
    with pytest.raises(Refused) as refused:
        identify(macro_workbook())
    assert refused.value.message == MACROS


def test_a_zip_bomb_is_refused_without_being_unpacked(monkeypatch):
    bomb = zip_bomb()
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def recording_open(archive, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(archive, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recording_open)
    with pytest.raises(Refused) as refused:
        identify(bomb)
    assert refused.value.message == TOO_COMPLEX
    assert "xl/media/zeros.bin" not in opened


def test_legacy_office_files_are_refused_unless_configured():
    with pytest.raises(Refused) as refused:
        identify(LEGACY_XLS)
    assert refused.value.message == LEGACY
    with pytest.raises(Refused) as refused:
        identify(LEGACY_XLS, allow_legacy_office=True)
    assert refused.value.message == NOT_ALLOWED, "a broken OLE file is not accepted either"
