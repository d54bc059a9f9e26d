"""Headers every FHIR response carries: open CORS, X-RateLimit-*, and gzip when the client accepts it."""
from __future__ import annotations

import gzip

from flask import Response, g, request

GZIP_MIN_BYTES = 500
GZIP_LEVEL = 5
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "accept, accept-encoding, authorization, content-type, dnt, origin, "
                                    "user-agent, x-csrftoken, x-requested-with",
    "Access-Control-Allow-Methods": "GET, OPTIONS",
    "Access-Control-Max-Age": "86400",
}


def finish_response(response: Response) -> Response:
    """Blueprint after_request hook: add CORS and rate-limit headers, gzip the body if asked."""
    response.headers.update(CORS_HEADERS)
    response.headers.update(g.get("rate_limit_headers", {}))
    response.vary.add("Accept-Encoding")
    if ("gzip" in request.headers.get("Accept-Encoding", "").lower() and not response.direct_passthrough
            and "Content-Encoding" not in response.headers
            and (response.calculate_content_length() or 0) >= GZIP_MIN_BYTES):
        response.set_data(gzip.compress(response.get_data(), compresslevel=GZIP_LEVEL))
        response.headers["Content-Encoding"] = "gzip"
    return response
