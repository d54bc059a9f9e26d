"""BB2's per-token throttle (default 100000 requests/s) and its X-RateLimit-* headers, per worker process."""
from __future__ import annotations

import hashlib
import math
import time

from sandbox.api_errors import ApiError

LIMIT_PER_SECOND = 100_000
_windows: dict[str, tuple[int, int]] = {}  # token digest → (window second, requests so far)


def throttle(token: str) -> dict[str, str]:
    """Count one request for `token`; the headers to send, or ApiError 429 once the window is full."""
    key = hashlib.sha256(token.encode()).hexdigest()
    now = time.time()
    window = math.floor(now)
    second, used = _windows.get(key, (window, 0))
    if second != window:
        if len(_windows) > 10_000:
            _windows.clear()
        used = 0
    used += 1
    _windows[key] = (window, used)
    headers = {"X-RateLimit-Limit": str(LIMIT_PER_SECOND),
               "X-RateLimit-Remaining": str(max(LIMIT_PER_SECOND - used, 0)),
               "X-RateLimit-Reset": str(window + 1)}
    if used > LIMIT_PER_SECOND:
        raise ApiError(429, "Request was throttled. Expected available in 1 second.",
                       headers={**headers, "Retry-After": "1"})
    return headers
