"""One gzip member (RFC 1952) built from chunks, with the chunks sent again and again compressed only once.

A chunk is compressed into a raw-deflate *segment* that ends on a byte boundary (a sync flush), so segments
can follow one another inside one member; the member ends with an empty final block and the CRC-32 of all
the chunks, combined from each chunk's own CRC. A `Reused` chunk (a cached page's joined entries: the bulk of
a Bundle, the same bytes for every request of that page) keeps its segment after first use, so a repeated
page costs compressing only its small envelope. Compression is ISA-L's (python-isal) at level 1.
"""
from __future__ import annotations

import struct
from collections.abc import Iterable

from isal import isal_zlib

LEVEL = 1
_RAW = -15                                     # raw deflate: the member's header and trailer are written here
_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no mtime, OS unknown
_END = b"\x03\x00"                             # an empty final block


class Reused(bytes):
    """Bytes sent in many responses: their deflate segment and CRC-32 are made on first use and kept."""

    _segment: tuple[bytes, int] | None = None

    def segment(self) -> tuple[bytes, int]:
        if self._segment is None:  # two threads may both make it: the same bytes, either wins
            self._segment = (_deflate(self), isal_zlib.crc32(self))
        return self._segment


def _deflate(chunk: bytes) -> bytes:
    compressor = isal_zlib.compressobj(LEVEL, isal_zlib.DEFLATED, _RAW)
    return compressor.compress(chunk) + compressor.flush(isal_zlib.Z_SYNC_FLUSH)


def gzip_member(chunks: Iterable[bytes]) -> bytes:
    """The chunks, in order, as one gzip member (what `Content-Encoding: gzip` means)."""
    parts, crc, size = [_HEADER], 0, 0
    for chunk in chunks:
        if isinstance(chunk, Reused):
            segment, chunk_crc = chunk.segment()
            crc = isal_zlib.crc32_combine(crc, chunk_crc, len(chunk))
        else:
            segment, crc = _deflate(chunk), isal_zlib.crc32(chunk, crc)
        parts.append(segment)
        size += len(chunk)
    parts += [_END, struct.pack("<II", crc, size & 0xFFFFFFFF)]
    return b"".join(parts)
