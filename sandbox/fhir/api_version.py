"""What differs between the FHIR API versions the routes serve: path prefix, ids and profiles in the bytes.

The store holds v2 resources. A version translates what a request names (ids, search values) to the
stored form, and the stored bytes it answers with to its own form; v2 changes nothing. Each function
gets the token's own patient id (stored form), the only patient a request can reach.
"""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable


def _unchanged(value, _patient_id: str):
    return value


@dataclass(frozen=True)
class ApiVersion:
    number: int
    prefix: str
    to_stored: Callable[[str, str], str] = _unchanged     # (text from the request, patient id) → stored form
    to_served: Callable[[bytes, str], bytes] = _unchanged  # (stored bytes, patient id) → this version's bytes

    def served_chunks(self, chunks: list[bytes], patient_id: str) -> list[bytes]:
        """A body's chunks in this version's form (joined only when the version changes the bytes)."""
        return chunks if self.to_served is _unchanged else [self.to_served(b"".join(chunks), patient_id)]


V2_API = ApiVersion(2, "/v2/fhir")
