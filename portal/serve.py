"""Serving an instance with waitress, tuned so file transfers never spill plaintext to disk.

Waitress keeps request bodies above `inbuf_overflow` and lagging response output above
`outbuf_overflow` in temporary files. Here the body limit is one chunk of a file sent in chunks
(a little over 5 MiB, whatever the file's size), and the input buffer holds twice that in memory:
a body in HTTP chunks is checked against the limit only after a whole receive, so it can pass the
limit briefly before it is refused. The output high-watermark
sits below the overflow, so a slow client pauses the app thread instead of pushing decrypted
bytes to a file. Bodies are held in memory before the app runs, so the connection limit bounds
what anonymous clients can make the server hold; a proxy in front should cap bodies per path.

Behind a proxy, waitress believes the forwarded client, scheme and host only from the proxy's
own address (`PORTAL_PROXY_ADDRESS`), over `PORTAL_TRUSTED_PROXIES` hops, and strips them from
anyone else; the app reads the result as `request.remote_addr` and `request.is_secure`.
"""

from __future__ import annotations

import ctypes

from flask import Flask

from portal import REQUEST_BODY_LIMIT
from portal.core.settings import Settings

# A chunk of a file arrives in 20 reads instead of 640 (waitress's default is 8 KiB): each read is
# a turn of waitress's loop in Python, which held the GIL while a chunk before it was sealed. The
# encrypted upload's server time per MB fell from 4.1 to 3.0–3.1 ms (`bench.storage`).
RECEIVE_BYTES = 256 * 1024
OUTPUT_HIGH_WATERMARK = 4 * 1024 * 1024
OUTPUT_OVERFLOW = 16 * 1024 * 1024
PROXY_HEADERS = "x-forwarded-for x-forwarded-host x-forwarded-proto"
# glibc's mallopt parameters, and the values steady_heap gives them
M_ARENA_MAX = -8
M_MMAP_THRESHOLD = -3
M_TRIM_THRESHOLD = -1
MMAP_THRESHOLD = 16 * 1024 * 1024  # above a chunk and its copies: those come from the heap
TRIM_THRESHOLD = 64 * 1024 * 1024  # the free memory the heap may keep at its top


def proxy_options(settings: Settings) -> dict:
    """waitress's trust in the proxy in front, if any (the same as `waitress-serve --trusted-proxy…`)."""
    if not settings.trusted_proxies:
        return {}
    return {
        "trusted_proxy": settings.proxy_address,
        "trusted_proxy_count": settings.trusted_proxies,
        "trusted_proxy_headers": PROXY_HEADERS,
    }


def waitress_options(settings: Settings) -> dict:
    """waitress.serve keyword arguments for this zone."""
    return {
        "threads": 8,
        "recv_bytes": RECEIVE_BYTES,
        "max_request_body_size": REQUEST_BODY_LIMIT,  # the whole request body, form fields included
        "inbuf_overflow": 2 * REQUEST_BODY_LIMIT,
        "connection_limit": 64,
        "outbuf_high_watermark": OUTPUT_HIGH_WATERMARK,
        "outbuf_overflow": OUTPUT_OVERFLOW,
        "channel_timeout": 120,
        "ident": "",
        **proxy_options(settings),
    }


def steady_heap() -> None:
    """Have glibc keep one heap for all threads, and keep its memory instead of handing it back
    to the kernel after every transfer.

    One heap: resident memory then holds what the busiest moment of the process needed, not of
    each of its threads (a chunk and its ciphertext, freed after each request, otherwise stay in
    the heap of every thread a long upload has used). Threads take turns on the GIL anyway.

    Kept memory: by default glibc serves a 1 MiB segment from a fresh mmap until its threshold
    has adapted, and trims the heap's top whenever more than twice that is free, so every
    segment could cost 256 page faults and the zeroing of its pages. With fixed thresholds the
    same pages are used again; the 1 GB encrypted download then took 0.68–0.76 ms of processor
    time per MB, run after run, against 0.66–2.25 without. The free memory kept at the heap's
    top is bounded by the trim threshold. Elsewhere than glibc, nothing changes."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.mallopt(M_ARENA_MAX, 1)
    libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)


def serve(app: Flask, listen: str) -> None:
    """Run `app` until interrupted, logging JSON lines; waitress's own refusals are answered by the app."""
    from portal.core.logs import configure
    from portal.waitress_refusals import create_server

    settings = app.config["PORTAL"]
    configure(settings.zone)
    steady_heap()
    server = create_server(app, listen=listen, **waitress_options(settings))
    server.print_listen("Serving on http://{}:{}")
    server.run()
