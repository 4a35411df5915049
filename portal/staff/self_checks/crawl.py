"""Walking one site as a search engine would: from its front page, robots.txt and sitemap, along
every same-origin link, form action and redirect, up to a bounded number of pages."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable

from portal.staff.self_checks.fetch import Answer, Fetcher, Unreachable
from portal.staff.self_checks.links import links_in, robots_paths, same_origin_path, sitemap_urls

START = ("/", "/robots.txt", "/sitemap.xml")
VARIANTS_PER_PATH = 3  # query strings tried per path: month links go on for ever


def _leads(fetcher: Fetcher, answer: Answer) -> Iterable[str]:
    """The same-origin paths an answer points to."""
    if answer.url.endswith("/robots.txt"):
        written = robots_paths(answer.text)
    elif "xml" in answer.headers.get("Content-Type", ""):
        written = sitemap_urls(answer.text)
    elif answer.is_html:
        written = links_in(answer.text)
    else:
        written = []
    if 300 <= answer.status < 400 and answer.headers.get("Location"):
        written = [*written, answer.headers["Location"]]
    for link in written:
        path = same_origin_path(fetcher.origin, answer.url, link)
        if path is not None:
            yield path


def crawl(fetcher: Fetcher, limit: int, start: tuple[str, ...] = START) -> dict[str, Answer]:
    """Path -> answer for every page reached, breadth first, at most `limit` of them.

    Raises Unreachable when the site's first page does not answer at all."""
    answers: dict[str, Answer] = {}
    queue = deque(start)
    variants: Counter[str] = Counter()
    while queue and len(answers) < limit:
        path = queue.popleft()
        bare = path.split("?", 1)[0]
        if path in answers or variants[bare] >= VARIANTS_PER_PATH:
            continue
        variants[bare] += 1
        try:
            answers[path] = fetcher.get(path)
        except Unreachable:
            if not answers:
                raise
            continue
        queue.extend(lead for lead in _leads(fetcher, answers[path]) if lead not in answers)
    return answers
