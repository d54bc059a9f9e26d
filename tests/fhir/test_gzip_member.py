"""gzip responses made from precompressed segments: one valid member that decodes to the identity bytes,
also when many requests for one cached page are compressed at once."""
from __future__ import annotations

import os
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor

from sandbox.gzip_member import Reused, gzip_member
from tests.fhir.test_served_bytes import entries


def one_member(body: bytes) -> bytes:
    """The content of `body`, which must be exactly one gzip member (nothing before or after it)."""
    decoder = zlib.decompressobj(31)
    content = decoder.decompress(body)
    assert decoder.eof and decoder.unused_data == b""
    return content


def test_a_member_of_reused_and_fresh_chunks_decodes_to_their_join():
    big = Reused(os.urandom(5000) + b'{"resourceType":"ExplanationOfBenefit"}' * 20000)
    chunks = [b'{"resourceType":"Bundle",', big, b"", b"}]}"]
    first, again = gzip_member(chunks), gzip_member(chunks)
    assert one_member(first) == one_member(again) == b"".join(chunks)
    assert big.segment() is big.segment()          # compressed once, kept with the bytes
    assert len(first) < len(big) // 10
    assert one_member(gzip_member([])) == b"" and one_member(gzip_member([big])) == big


def test_one_cached_page_asked_for_gzip_at_once_decodes_to_the_identity_bytes(api, rich_patient):
    url = "/v2/fhir/ExplanationOfBenefit/?_count=50"
    plain = api.get(url, rich_patient, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    barrier = threading.Barrier(8)

    def zipped(_):
        barrier.wait()
        response = api.get(url, rich_patient, headers={"Accept-Encoding": "gzip"}, stream=True)
        assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
        return one_member(response.raw.read())

    with ThreadPoolExecutor(8) as pool:
        bodies = list(pool.map(zipped, range(8)))
    assert all(entries(body) == entries(plain.content) != b"" for body in bodies)
