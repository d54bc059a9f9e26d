"""Resource bytes in the store as zstd frames, with one dictionary per resource type trained at load.

A load trains each type's dictionary on its first resources (`train`) and compresses every resource with it
(`compressor`); the dictionaries live in the store's `store_dict` table. Each frame names its dictionary by
an id that zstd derives from the dictionary's content, so the same dataset loads to the same bytes and a
connection may cache a dictionary by its id for good. `register(conn)` adds
the SQL function `resource_json(body)` that the dataset tables' `json` column is computed by: it decodes a
frame on read (only the rows a query returns), and passes through raw JSON (rows loaded before compression);
`bulk_insert(conn)` spares the decoding SQLite would do on INSERT.
"""
from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator

import zstandard

LEVEL = 3                     # measured: 33× smaller EOBs at ~0.7 GB/s; level 1 is 28× at ~1.6 GB/s
SAMPLE_RESOURCES = 2000       # a type's dictionary is trained on its first resources (at most this many)
MAX_DICT_BYTES = 112 * 1024
MIN_DICT_BYTES = 4 * 1024     # fewer sample bytes than 20× this: no dictionary (plain zstd frames)
CACHED_DICTS = 16
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def train(samples: list[bytes]) -> zstandard.ZstdCompressionDict | None:
    """A dictionary for resources like `samples`, or None when they are too few to train one."""
    size = min(MAX_DICT_BYTES, sum(map(len, samples)) // 20)
    if size < MIN_DICT_BYTES or len(samples) < 8:
        return None
    try:  # fastcover with fixed parameters: a tenth of a second, where searching them takes seconds
        return zstandard.train_dictionary(size, samples, k=1024, d=8)
    except zstandard.ZstdError:  # samples too alike or too small for this size
        return None


def compressor(dictionary: bytes | None) -> Callable[[bytes], bytes]:
    """The function that turns one resource's bytes into a frame (with `dictionary`, if any)."""
    dict_data = zstandard.ZstdCompressionDict(dictionary) if dictionary is not None else None
    return zstandard.ZstdCompressor(level=LEVEL, dict_data=dict_data, write_checksum=False).compress


def register(conn: sqlite3.Connection) -> None:
    """Add `resource_json(body)` to `conn`: a stored body as the resource's JSON bytes. Decompressors (one per
    dictionary) belong to the connection, which one thread uses at a time."""
    decompressors: dict[int, zstandard.ZstdDecompressor] = {}

    def decompressor(dict_id: int) -> zstandard.ZstdDecompressor:
        if len(decompressors) >= CACHED_DICTS:
            decompressors.clear()
        row = conn.execute("SELECT dictionary FROM store_dict WHERE dict_id = ?", (dict_id,)).fetchone() \
            if dict_id else None
        dict_data = zstandard.ZstdCompressionDict(row[0]) if row else None
        decompressors[dict_id] = zstandard.ZstdDecompressor(dict_data=dict_data)
        return decompressors[dict_id]

    def resource_json(body: bytes | None) -> bytes | None:
        if body is None or body[:4] != ZSTD_MAGIC:
            return body
        dict_id = zstandard.get_frame_parameters(body).dict_id
        return (decompressors.get(dict_id) or decompressor(dict_id)).decompress(body)

    conn.create_function("resource_json", 1, resource_json, deterministic=True)


@contextlib.contextmanager
def bulk_insert(conn: sqlite3.Connection) -> Iterator[None]:
    """Inserts on `conn` without decoding: SQLite computes a row's virtual columns on INSERT too (and throws
    the value away), so for the block `resource_json` is a stub; the real one is back after it."""
    conn.create_function("resource_json", 1, _not_decoded, deterministic=True)
    try:
        yield
    finally:
        register(conn)


def _not_decoded(_body: bytes | None) -> None:
    return None
