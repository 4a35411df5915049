"""Words an attacker tries first against this portal's accounts, and passwords built from them.

The list (README, *Sign-in*): the product's name in every script, the centre's business words,
the roles, every organisation's name (the city's among them) and the account's own email address.
A password is refused when, with these words known, zxcvbn estimates it falls to fewer than 10^10
guesses (its own "very unguessable" bound) and its cheapest reading uses one of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import has_app_context
from zxcvbn import zxcvbn

from portal.core.models import Organisation

PRODUCT_WORDS = (
    "madoguchi",
    "窓口",
    "まどぐち",
    "マドグチ",
    "soudan",
    "sodan",
    "相談",
    "yoyaku",
    "予約",
    "shien",
    "支援",
    "hojokin",
    "補助金",
    "gyoseishoshi",
    "行政書士",
    "sangyo",
    "kanko",
    "産業観光局",
    "city",
    "consultant",
    "operator",
    "admin",
    "市職員",
    "相談員",
    "運営事業者",
    "管理者",
)
# Address parts every account shares with countless others; they say nothing about this one.
GENERIC_DOMAIN_LABELS = frozenset({"jp", "lg", "go", "co", "or", "ne", "ac", "ed", "com", "net", "org"})
SEPARATORS = re.compile(r"[\s._\-+/]+")
MUNICIPALITY = re.compile(r"^.+?[都道府県市区町村]")
# zxcvbn's own default ceiling: longer inputs are judged by their first 72 characters (it slows
# quadratically), which can only make the estimate lower.
ESTIMATED_LENGTH = 72
GUESSES_NEEDED = 1e10


def email_words(email: str) -> list[str]:
    """The local part and its pieces (taro.yamada → taro, yamada), and the domain's own labels."""
    local, _, domain = email.lower().partition("@")
    pieces = [piece for piece in re.split(r"[._+\-\d]+", local) if len(piece) >= 3]
    labels = [label for label in domain.split(".") if label and label not in GENERIC_DOMAIN_LABELS]
    return [word for word in (local, *pieces, *labels) if word]


def organisation_words(names: Iterable[str]) -> list[str]:
    """Each name, its space-separated parts and its municipality (架空市産業観光局 → 架空市)."""
    words = []
    for name in names:
        words += [name, *name.split()]
        words += [match.group(0) for match in [MUNICIPALITY.match(name)] if match]
    return words


def context_words(email: str) -> list[str]:
    """The documented list for an account with `email`; organisations only where the staff store is bound."""
    organisations = [o.name for o in Organisation.select(Organisation.name)] if has_app_context() else []
    return [*PRODUCT_WORDS, *email_words(email), *organisation_words(organisations)]


def built_from_context(password: str, words: Iterable[str]) -> bool:
    """Whether `password` is guessed quickly by someone who tries these words first.

    It is read as typed and without separators too: zxcvbn misses words between dots or dashes
    (hanako.sato.2026).
    """
    words = list(words)
    for reading in {password, SEPARATORS.sub("", password)}:
        estimate = zxcvbn(reading[:ESTIMATED_LENGTH], user_inputs=words)
        if estimate["guesses"] < GUESSES_NEEDED and _uses_context(estimate["sequence"]):
            return True
    return False


def _uses_context(matches: list[dict]) -> bool:
    """A match on the words, directly or inside a repetition (madoguchimadoguchi…)."""
    return any(
        match.get("dictionary_name") == "user_inputs" or _uses_context(match.get("base_matches", []))
        for match in matches
    )
