"""An anonymous crawler: every same-site page reachable by links and form actions."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

LINK = re.compile(r'(?:href|action)="([^"]+)"')
START = ("/", "/robots.txt", "/sitemap.xml")


def crawl(
    client, follow: Callable[[str], bool] = lambda _path: True, limit: int | None = None
) -> dict[str, str]:
    """Breadth first from the front page, robots.txt and the sitemap; returns path -> body.

    `follow` decides which discovered paths are visited (month links go on for ever); `limit`
    caps the number of pages.
    """
    pages: dict[str, str] = {}
    queue = deque(START)
    while queue and (limit is None or len(pages) < limit):
        path = queue.popleft()
        if path in pages:
            continue
        pages[path] = client.get(path).text
        for link in LINK.findall(pages[path]):
            target = urlsplit(urljoin("http://localhost" + path, link.replace("&amp;", "&")))
            found = target.path + (f"?{target.query}" if target.query else "")
            if target.netloc == "localhost" and not target.path.startswith(("/static", "/assets")):
                if found not in pages and follow(found):
                    queue.append(found)
    return pages
