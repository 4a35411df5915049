"""The exposure probe: both sites as a search engine or a curious citizen sees them, from outside.

It crawls each site anonymously (front page, robots.txt, sitemap.xml and, on the staff site, the
sign-in page, then every same-origin link, form action and redirect, up to a bounded number of
pages), tries the places leaked files are usually found on both hosts (upload folders, backups,
database files, .git, .env, portal.toml, encoded traversal out of /static/), tries every staff
object URL shape with the first ids and the ids seen in links (leaks.py), and checks the headers
of every answer (headers.py). POST forms are never submitted: the probe changes nothing.

Serious (the check fails, `portal security-check` exits 1, `portal self-check` alerts):
- a leak path answering 2xx with content on either host (unless it is the body the site gives any
  unknown URL), or a directory listing anywhere;
- the staff site answering 2xx to a stranger anywhere but its sign-in pages, robots.txt, health
  check and assets: a guessed or seen object URL (a record, a document, a download) or any page
  the crawl reached;
- a staff answer, errors included, without `X-Robots-Tag: noindex` or `Cache-Control: no-store`;
- the staff robots.txt not disallowing everything to every crawler;
- a cookie without HttpOnly, or without Secure under TLS; a staff answer over https without HSTS;
- a site that does not answer at all (nothing of it could be checked).
Notes (shown, do not fail): a staff object URL answering neither 404 nor 2xx (a redirect or 403
tells a stranger the object exists), a page without a Content-Security-Policy, an answer without
nosniff, a cookie without SameSite, a public answer over https without HSTS, a site answering 2xx
to any unknown URL.

Findings carry the URL, the status, type and length of the answer: never its bytes, which may be
the personal data that leaked. A file a leaked listing led to is named by its folder and a hash of
its name, since a file's name can be a person's (a consultation sheet named after its business).
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from portal.staff.self_checks.crawl import START, crawl
from portal.staff.self_checks.fetch import Answer, Fetcher, Unreachable
from portal.staff.self_checks.headers import HeaderProblem, cookie_problems, page_problems, staff_problems
from portal.staff.self_checks.leaks import LEAK_PATHS, ids_to_try, is_directory_listing, staff_object_paths
from portal.staff.self_checks.links import robots_disallows_all
from portal.staff.self_checks.runs import Finding, Severity

MAX_PAGES = 200  # pages crawled per site
MAX_IDS = 8  # ids tried on each staff object shape
STAFF_OPEN_PATHS = ("/login", "/robots.txt", "/healthz", "/favicon.ico", "/assets/", "/static/", "/language/")


def described(answer: Answer) -> str:
    """An answer as evidence: status, type and size, never its content."""
    kind = answer.headers.get("Content-Type", "no type")
    return f"HTTP {answer.status}, {kind}, {len(answer.body)} bytes read"


def _content(answer: Answer) -> bool:
    return 200 <= answer.status < 300 and bool(answer.body.strip())


@dataclass
class Site:
    """One site's answers as the probe collects them."""

    zone: str
    fetcher: Fetcher
    tls: bool
    answers: dict[str, Answer] = field(default_factory=dict)

    def get(self, path: str) -> Answer | None:
        """GET once; a path that no longer answers is left out."""
        if path not in self.answers:
            try:
                self.answers[path] = self.fetcher.get(path)
            except Unreachable:
                return None
        return self.answers[path]


class Report:
    """Findings in the order found; header problems counted once per site and kind."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.header_seen: dict[tuple[str, str, str], tuple[Severity, str]] = {}
        self.header_count: Counter[tuple[str, str, str]] = Counter()
        self.withheld: set[str] = set()

    def withhold(self, urls: Iterable[str]) -> None:
        """URLs whose last segment may name a person: the files a leaked listing led to."""
        self.withheld.update(urls)

    def _shown(self, where: str) -> str:
        if where not in self.withheld:
            return where
        folder, _, name = where.rpartition("/")
        return f"{folder}/[name withheld, sha256 {hashlib.sha256(name.encode()).hexdigest()[:12]}]"

    def add(self, severity: Severity, title: str, where: str, evidence: str = "") -> None:
        """One finding."""
        self.findings.append(Finding(severity, title, where, evidence))

    def headers(self, zone: str, answer: Answer, problems: list[HeaderProblem]) -> None:
        """Header problems of one answer, kept with the first URL that showed each."""
        for problem in problems:
            key = (zone, problem.title, problem.evidence)
            self.header_seen.setdefault(key, (problem.severity, answer.url))
            self.header_count[key] += 1

    def result(self) -> list[Finding]:
        """Every finding, the serious ones first."""
        for (zone, title, evidence), (severity, where) in self.header_seen.items():
            count = self.header_count[(zone, title, evidence)]
            also = f"{count} answers like this" if count > 1 else ""
            shown = "; ".join(part for part in (evidence, also) if part)
            self.add(severity, f"{zone}: {title}", where, shown)
        shown = [replace(finding, where=self._shown(finding.where)) for finding in self.findings]
        return sorted(shown, key=lambda finding: finding.severity != Severity.SERIOUS)


def _crawl(site: Site, report: Report, base: str, max_pages: int) -> bool:
    start = START + (("/login",) if site.zone == "staff" else ())
    try:
        site.answers = crawl(site.fetcher, max_pages, start)
    except Unreachable as error:
        report.add(Severity.SERIOUS, f"{site.zone} site does not answer", base, str(error))
        return False
    return True


def _leak_paths(site: Site, report: Report, max_pages: int) -> None:
    unknown = site.get(f"/madoguchi-probe-{secrets.token_hex(6)}")
    soft = unknown is not None and _content(unknown)
    if soft:
        report.add(
            Severity.NOTE, f"{site.zone} site answers 2xx to any unknown URL", unknown.url, described(unknown)
        )
    leaked = []
    for path in LEAK_PATHS:
        answer = site.get(path)
        if answer and _content(answer) and not (soft and answer.body == unknown.body):
            report.add(Severity.SERIOUS, f"{site.zone}: leak path answers", answer.url, described(answer))
            leaked.append(path)
    if leaked:  # a listing leads to the files themselves, as it led the search engine
        found = crawl(site.fetcher, max_pages, tuple(leaked))
        report.withhold(answer.url for path, answer in found.items() if path not in LEAK_PATHS)
        site.answers.update({path: answer for path, answer in found.items() if path not in site.answers})


def _staff_objects(site: Site, report: Report, seen: list[str], max_ids: int) -> None:
    for path in staff_object_paths(ids_to_try(seen, max_ids)):
        answer = site.get(path)
        if answer and answer.status != 404 and not _content(answer):
            report.add(
                Severity.NOTE, "staff: object URL answers other than 404", answer.url, described(answer)
            )


def _staff_rules(site: Site, report: Report) -> None:
    robots = site.answers.get("/robots.txt")
    if robots is None or robots.status != 200 or not robots_disallows_all(robots.text):
        where = robots.url if robots else site.fetcher.origin + "/robots.txt"
        evidence = described(robots) if robots else "no answer"
        report.add(Severity.SERIOUS, "staff: robots.txt does not disallow everything", where, evidence)
    for path, answer in site.answers.items():
        opened = urlsplit(path).path.startswith(STAFF_OPEN_PATHS) or path in LEAK_PATHS  # leaks: above
        if _content(answer) and not opened:
            report.add(
                Severity.SERIOUS, "staff: answers a stranger with content", answer.url, described(answer)
            )


def _judge_answers(site: Site, report: Report) -> None:
    hsts = Severity.SERIOUS if site.zone == "staff" else Severity.NOTE
    for answer in site.answers.values():
        if is_directory_listing(answer.text):
            report.add(Severity.SERIOUS, f"{site.zone}: directory listing", answer.url, described(answer))
        problems = page_problems(answer, site.tls, hsts) + cookie_problems(answer, site.tls)
        if site.zone == "staff":
            problems += staff_problems(answer, site.tls)
        report.headers(site.zone, answer, problems)


def probe(
    public_url: str, staff_url: str, max_pages: int = MAX_PAGES, max_ids: int = MAX_IDS
) -> list[Finding]:
    """Everything found on both sites, serious findings first."""
    report = Report()
    sites = [
        (Site(zone, Fetcher(base), urlsplit(base).scheme == "https"), base)
        for zone, base in (("public", public_url), ("staff", staff_url))
    ]
    try:
        reached = [site for site, base in sites if _crawl(site, report, base, max_pages)]
        seen = [path for site in reached for path in site.answers]
        for site in reached:
            _leak_paths(site, report, max_pages)
            if site.zone == "staff":
                _staff_objects(site, report, seen, max_ids)
                _staff_rules(site, report)
            _judge_answers(site, report)
    finally:
        for site, _base in sites:
            site.fetcher.close()
    return report.result()
