"""A small cache of recent search pages, keyed by the dataset's version: a page read again (an app
refreshing, the SDK's demo, many apps for one test user) is neither fetched, decoded nor joined again.

The version is a random id that every load and advance writes in the same transaction as its rows, so a
page cached under it is exactly what the store holds for that version; another version misses. Each
worker process holds at most MAX_BYTES of pages (least recently used leave first).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from sandbox.gzip_member import Reused

MAX_BYTES = 64 << 20        # per worker process: ~36 of the largest (876 KB) pages, with their joined entries
MAX_PAGE_BYTES = 4 << 20    # larger pages are not kept


class Page:
    """One page of matches: `last_updated_ms` is the newest match's lastUpdated or the dataset's load time.
    `joined(separator)` is the resources joined, made once per page and separator (and compressed once when
    sent gzipped: sandbox.gzip_member)."""
    __slots__ = ("_joined", "last_updated_ms", "resources", "total")

    def __init__(self, total: int, last_updated_ms: int, resources: list[bytes]):
        self.total, self.last_updated_ms, self.resources = total, last_updated_ms, resources
        self._joined: dict[bytes, bytes] = {}

    def joined(self, separator: bytes) -> bytes:
        if separator not in self._joined:
            self._joined[separator] = Reused(separator.join(self.resources))
        return self._joined[separator]

    @property
    def size(self) -> int:
        return 2 * sum(map(len, self.resources))  # with its joined copy


class PageCache:
    """Pages by key, least recently used evicted beyond MAX_BYTES; safe for the worker's threads."""

    def __init__(self, max_bytes: int = MAX_BYTES):
        self.max_bytes, self._bytes = max_bytes, 0
        self._pages: OrderedDict[Hashable, Page] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: Hashable, page: Page) -> None:
        if page.size > MAX_PAGE_BYTES:
            return
        with self._lock:
            if key in self._pages:
                return
            self._pages[key] = page
            self._bytes += page.size
            while self._bytes > self.max_bytes:
                _, old = self._pages.popitem(last=False)
                self._bytes -= old.size
