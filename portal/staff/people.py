"""The business behind a booking: its fields, and the blind indexes that find repeat callers.

A booking's personal data is one JSON payload sealed to the staff zone's public key, whether the
public instance or an operator wrote it; only the staff zone opens it.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.core import normalise
from portal.core.security.sealing import sealer
from portal.staff.security.blind_index import BlindIndex

FIELDS = {
    "business_name": _l("事業者名（屋号）"),
    "business_kana": _l("事業者名フリガナ"),
    "contact_name": _l("ご担当者名"),
    "contact_kana": _l("フリガナ"),
    "phone": _l("電話番号"),
    "email": _l("メールアドレス"),
    "address": _l("所在地"),
    "industry": _l("業種"),
}
MATCHED_BY = {
    "phone_index": _l("電話番号"),
    "email_index": _l("メールアドレス"),
    "kana_index": _l("フリガナ"),
}


def person_from(form: object) -> dict:
    """The sealed payload from a staff form: every personal field (empty if the form lacks it),
    trimmed, the phone number as typed (half-width, hyphens kept) for reading back."""
    person = {name: (getattr(getattr(form, name, None), "data", None) or "").strip() for name in FIELDS}
    person["phone"] = normalise.phone_display(person["phone"])
    return person


def blind_index() -> BlindIndex:
    """The staff zone's blind index (the public instance has none)."""
    return current_app.extensions["portal.blind_index"]


def phone_index(value: str) -> str | None:
    """The index a phone number, however typed, is found by."""
    return blind_index().digest("phone", normalise.phone(value))


def email_index(value: str) -> str | None:
    """The index an email address is found by."""
    return blind_index().digest("email", normalise.email(value))


def kana_index(value: str) -> str | None:
    """The index a reading (フリガナ) is found by, in hiragana, katakana or half-width."""
    return blind_index().digest("kana", normalise.kana(value))


NAME_FIELDS = ("contact_name", "contact_kana", "business_name", "business_kana")
NAME_TOKEN_HEX = 4  # 16 bits: each token stands for many pieces of text, so none proves a name
NAME_TOKENS_VERSION = 1  # bumped when the pieces or the token change, so every booking is redone


def name_pieces(text: str) -> set[str]:
    """The two-character pieces of a searchable text (a one-character text is its own piece)."""
    text = normalise.searchable(text)
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def name_token(piece: str) -> str:
    """The shortened keyed hash a piece is found by."""
    return blind_index().digest("name-piece", piece)[:NAME_TOKEN_HEX]


def name_tokens(person: dict) -> set[str]:
    """The tokens of every piece of a person's names, readings and business name."""
    return {name_token(piece) for field in NAME_FIELDS for piece in name_pieces(person.get(field, ""))}


def names_contain(person: dict, typed: str) -> bool:
    """Whether any of the person's names or readings contains what was typed (searchably)."""
    wanted = normalise.searchable(typed)
    return any(wanted in normalise.searchable(person.get(field, "")) for field in NAME_FIELDS)


def index_columns(person: dict) -> dict:
    """The Booking columns that let staff find this person again."""
    return {
        "phone_index": phone_index(person.get("phone", "")),
        "email_index": email_index(person.get("email", "")),
        "kana_index": kana_index(person.get("contact_kana", "")),
    }


def sealed_with_indexes(person: dict) -> dict:
    """book()'s arguments for a person entered in the staff zone: sealed, and findable again."""
    return {"sealed": sealer().seal(person), "indexes": index_columns(person)}
