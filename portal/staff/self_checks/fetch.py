"""Anonymous HTTP requests for the exposure probe, as a search engine or a curious citizen sends them.

No cookie is kept and no redirect followed, so every answer is what a stranger gets on first
contact. Paths go out exactly as written (`..%2f` and `%2e%2e` included), and bodies are cut
short: a leaked backup need not be downloaded whole to be found.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3

BODY_LIMIT = 64 * 1024  # bytes read of each answer
TIMEOUT = urllib3.Timeout(connect=5, read=15)
USER_AGENT = "Madoguchi-exposure-probe/1"


class Unreachable(Exception):
    """The host did not answer (refused, timed out, TLS failed)."""


@dataclass(frozen=True)
class Answer:
    """What one anonymous GET got back."""

    url: str
    status: int
    headers: urllib3.HTTPHeaderDict
    body: bytes

    @property
    def text(self) -> str:
        """The body as text, whatever its encoding."""
        return self.body.decode("utf-8", "replace")

    @property
    def is_html(self) -> bool:
        """Whether the answer is a page a browser renders."""
        return "html" in self.headers.get("Content-Type", "")

    @property
    def cookies(self) -> list[str]:
        """Each Set-Cookie header as sent."""
        return self.headers.getlist("Set-Cookie")


class Fetcher:
    """GETs on one origin (scheme, host and port of `base`), paths sent verbatim."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.pool = urllib3.PoolManager(retries=False, timeout=TIMEOUT, headers={"User-Agent": USER_AGENT})

    def get(self, path: str) -> Answer:
        """GET `path` (starting with /) on the origin, or Unreachable."""
        connection = self.pool.connection_from_url(self.origin)
        try:
            response = connection.urlopen("GET", path, redirect=False, preload_content=False)
        except urllib3.exceptions.HTTPError as error:
            raise Unreachable(type(error).__name__) from None
        try:
            body = response.read(BODY_LIMIT)
        except urllib3.exceptions.HTTPError:
            body = b""
        finally:
            response.close()
        return Answer(self.origin + path, response.status, response.headers, body)

    def close(self) -> None:
        """Close every connection kept open."""
        self.pool.clear()
