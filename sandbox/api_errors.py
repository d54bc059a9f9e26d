"""HTTP errors with Blue Button's bodies: raise `ApiError(status, detail)` anywhere in a request.

FHIR routes answer `{"detail": …}` (BB2's Django REST Framework shape); OAuth routes build their
own `{"error": …}` bodies. Both share this one exception so handlers stay in one place.
"""
from __future__ import annotations


class ApiError(Exception):
    """An HTTP error response: `status`, a JSON `body`, and extra `headers`."""

    def __init__(self, status: int, detail: str | None = None, *, body: dict | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(detail or str(body))
        self.status = status
        self.body = body if body is not None else {"detail": detail}
        self.headers = headers or {}


NOT_AUTHENTICATED = "Authentication credentials were not provided."
NO_PERMISSION = "You do not have permission to perform this action."
NOT_FOUND = "Not found."
