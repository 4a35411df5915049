"""The response headers a stranger's browser and a search engine obey, checked on one answer.

Staff answers must keep out of search engines and caches on every URL, errors included; pages
of either site need a Content-Security-Policy and nosniff; under TLS, HSTS and Secure cookies.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.staff.self_checks.fetch import Answer
from portal.staff.self_checks.runs import Severity


@dataclass(frozen=True)
class HeaderProblem:
    """One header missing or wrong on one answer."""

    severity: Severity
    title: str
    evidence: str


def _has(answer: Answer, header: str, word: str) -> bool:
    return word in answer.headers.get(header, "").lower()


def _shown(answer: Answer, header: str) -> str:
    return f"{header}: {answer.headers.get(header, '(none)')}"


def staff_problems(answer: Answer, tls: bool) -> list[HeaderProblem]:
    """What the staff site must send on every answer."""
    problems = []
    if not _has(answer, "X-Robots-Tag", "noindex"):
        title = "answer without X-Robots-Tag noindex"
        problems.append(HeaderProblem(Severity.SERIOUS, title, _shown(answer, "X-Robots-Tag")))
    if not _has(answer, "Cache-Control", "no-store"):
        title = "answer without Cache-Control no-store"
        problems.append(HeaderProblem(Severity.SERIOUS, title, _shown(answer, "Cache-Control")))
    return problems


def page_problems(answer: Answer, tls: bool, hsts: Severity) -> list[HeaderProblem]:
    """What every answer of either site should send; a missing HSTS weighs `hsts`."""
    problems = []
    if answer.is_html and "Content-Security-Policy" not in answer.headers:
        problems.append(HeaderProblem(Severity.NOTE, "page without Content-Security-Policy", ""))
    if not _has(answer, "X-Content-Type-Options", "nosniff"):
        problems.append(
            HeaderProblem(Severity.NOTE, "answer without nosniff", _shown(answer, "X-Content-Type-Options"))
        )
    if tls and "Strict-Transport-Security" not in answer.headers:
        problems.append(HeaderProblem(hsts, "answer over https without HSTS", ""))
    return problems


def cookie_problems(answer: Answer, tls: bool) -> list[HeaderProblem]:
    """Flags of every cookie set: Secure under TLS, HttpOnly, SameSite."""
    problems = []
    for cookie in answer.cookies:
        name = cookie.split("=", 1)[0].strip()
        flags = {part.strip().split("=", 1)[0].lower() for part in cookie.split(";")[1:]}
        if tls and "secure" not in flags:
            problems.append(
                HeaderProblem(Severity.SERIOUS, "cookie without Secure over TLS", f"cookie {name}")
            )
        if "httponly" not in flags:
            problems.append(HeaderProblem(Severity.SERIOUS, "cookie without HttpOnly", f"cookie {name}"))
        if "samesite" not in flags:
            problems.append(HeaderProblem(Severity.NOTE, "cookie without SameSite", f"cookie {name}"))
    return problems
