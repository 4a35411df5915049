"""Where a page leads: its links and form actions, robots.txt's rules and the sitemap's URLs."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

LOC = re.compile(r"<loc>\s*([^<\s]+)\s*</loc>", re.IGNORECASE)
LINKING = {"a": "href", "link": "href", "area": "href", "form": "action", "iframe": "src"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = LINKING.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.found.append(value)
            elif name in ("hx-get", "formaction") and value:
                self.found.append(value)


def links_in(html: str) -> list[str]:
    """Every link, form action and htmx GET target of a page, as written."""
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.found


def same_origin_path(origin: str, page_url: str, link: str) -> str | None:
    """The path and query `link` on `page_url` points to, when it stays on `origin`; else None."""
    target = urlsplit(urljoin(page_url, link))
    if f"{target.scheme}://{target.netloc}" != origin:
        return None
    return (target.path or "/") + (f"?{target.query}" if target.query else "")


def robots_disallows_all(robots: str) -> bool:
    """Whether robots.txt tells every crawler (`User-agent: *`) to stay out of everything."""
    agents: list[str] = []
    in_rules = False
    for raw in robots.splitlines():
        line = raw.split("#", 1)[0].strip()
        field, _, value = line.partition(":")
        field, value = field.strip().lower(), value.strip()
        if field == "user-agent":
            agents = [*agents, value] if not in_rules else [value]
            in_rules = False
        elif field in ("disallow", "allow"):
            in_rules = True
            if "*" in agents and field == "disallow" and value == "/":
                return True
    return False


def robots_paths(robots: str) -> list[str]:
    """The paths robots.txt names (Allow, Disallow) and its Sitemap URLs: each is worth a visit."""
    named = []
    for raw in robots.splitlines():
        field, _, value = raw.split("#", 1)[0].partition(":")
        if field.strip().lower() in ("allow", "disallow", "sitemap") and value.strip():
            named.append(value.strip().replace("*", "").replace("$", "") or "/")
    return named


def sitemap_urls(sitemap: str) -> list[str]:
    """The URLs a sitemap (or sitemap index) lists."""
    return LOC.findall(sitemap)
