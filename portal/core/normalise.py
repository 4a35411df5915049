"""How people type phone numbers, emails, kana and references, reduced to one form for matching."""

from __future__ import annotations

import re
import unicodedata

from portal.core.reservations import REFERENCE_ALPHABET

_PHONE_NOISE = re.compile(r"[\s\-‐‑–—―ー()（）]")
_REFERENCE_NOISE = re.compile(r"[\s\-‐‑–—―ー]")
_REFERENCE = re.compile(f"[{REFERENCE_ALPHABET}]{{8}}")
_DASHES = re.compile(r"[‐‑‒–—―ー−]")
_HIRAGANA = {code: code + 0x60 for code in range(ord("ぁ"), ord("ゖ") + 1)}


def phone(value: str | None) -> str:
    """Full-width digits, hyphens, brackets and spaces as people type them, down to plain digits."""
    return _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", value or ""))


def phone_display(value: str | None) -> str:
    """A phone number as the person wrote it, in half-width with plain hyphens, for reading back:
    ０３－１２３４－５６７８ = 03-1234-5678 (matching uses phone())."""
    text = _DASHES.sub("-", unicodedata.normalize("NFKC", value or ""))
    return " ".join(text.split())


def email(value: str | None) -> str:
    """An address compared without case or surrounding space."""
    return unicodedata.normalize("NFKC", value or "").strip().casefold()


def searchable(value: str | None) -> str:
    """A name, business name or reading as it is searched: half-width, hiragana and katakana
    alike, case and spaces ignored: 「すずき ﾀﾛｳ」 = 「スズキタロウ」, 「ＡＢＣ商店」 = 「abc商店」."""
    return kana(value).casefold()


def kana(value: str | None) -> str:
    """Half-width or hiragana readings as full-width katakana, without spaces: ﾔﾏﾀﾞ ﾊﾅｺ = ヤマダハナコ."""
    text = unicodedata.normalize("NFKC", value or "").translate(_HIRAGANA)
    return re.sub(r"[\s・･]", "", text)


def reference(value: str | None) -> str | None:
    """A booking reference as stored (7KQM-4XWD), however it was typed, or None if it cannot be one."""
    compact = _REFERENCE_NOISE.sub("", unicodedata.normalize("NFKC", value or "")).upper()
    return f"{compact[:4]}-{compact[4:]}" if _REFERENCE.fullmatch(compact) else None
