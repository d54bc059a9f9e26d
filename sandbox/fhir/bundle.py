"""Searchset Bundles as BB2/BFD send them, built by concatenating the stored resource bytes.

Only the small envelope (id, meta, type, total, links) is serialised; entries are `{"resource": <bytes>}`
with no `fullUrl`: the body is three chunks, the envelope, one join of the stored bytes (made once per cached
page), and the close; the server sends them as they are (measured faster than a chunk per resource). Page
links repeat the forwarded parameters, then `startIndex` and `_count` (BFD's OffsetLinkBuilder); `self` is
the slashed path with the parameters sorted.
"""
from __future__ import annotations

import uuid
from datetime import datetime, UTC
from functools import lru_cache
from urllib.parse import urlencode

import orjson

from sandbox.store import Page


@lru_cache(maxsize=1024)
def fhir_instant(epoch_ms: int) -> str:
    """`2024-12-11T12:03:39.723+00:00`: BFD's instant format."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return moment.isoformat(timespec="milliseconds")


@lru_cache(maxsize=4096)  # a page asked for again (its links are the same) costs no URL encoding
def _links(base: str, forwarded: tuple[tuple[str, str], ...], start: int, count: int, total: int) -> tuple[dict, ...]:
    query = urlencode(forwarded)

    def page(index: int) -> str:
        return f"{base}?{query}&startIndex={index}&_count={count}"

    links = [("first", page(0))]
    if count and start + count < total:
        links.append(("next", page(start + count)))
    if start > 0:
        links.append(("previous", page(max(start - count, 0))))
    last = (total - 1) // count * count if count and total else 0
    links.append(("last", page(last)))
    ordered = sorted([*forwarded, ("_count", str(count)), ("startIndex", str(start))])
    links.append(("self", f"{base}/?{urlencode(ordered)}"))
    return tuple({"relation": relation, "url": url} for relation, url in links)


ENTRY_SEPARATOR = b'},{"resource":'


def searchset(base: str, forwarded: tuple[tuple[str, str], ...], start: int, count: int, page: Page) -> list[bytes]:
    """The Bundle for one page, as chunks of bytes; `base` is the search URL without query (…/v2/fhir/Coverage)."""
    envelope = orjson.dumps({
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": fhir_instant(page.last_updated_ms)},
        "type": "searchset",
        "total": page.total,
        "link": _links(base, forwarded, start, count, page.total),
    })
    if not page.resources:
        return [envelope]
    return [envelope[:-1] + b',"entry":[{"resource":', page.joined(ENTRY_SEPARATOR), b"}]}"]
