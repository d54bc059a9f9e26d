"""Which hosts the sandbox answers as, and the base URL every link it writes starts with.

The server answers only a request whose Host is one it serves: the loopback names (`localhost`,
`127.0.0.1`, `[::1]`) on its own port, and the host of each `--public-url` given. Anything else (a DNS
rebinding page, a forged Host) gets a JSON 400 before any view runs. Bundle links, the discovery issuer,
the portal's snippets and bulk URLs all start with `base_url()`: the public URL when the request came
through it, else `http://<the loopback name used>`. `X-Forwarded-*` headers count only with
`--behind-proxy` (werkzeug's ProxyFix, one hop), and even then the forwarded host must be a served one.

Config: `PORT` (the port served on loopback; None accepts any, for in-process tests), `PUBLIC_URLS`
(scheme://host[:port] without a path, each) and `BEHIND_PROXY`.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from sandbox.api_errors import ApiError
from sandbox.errors import SandboxError

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
DEFAULT_PORTS = {"http": 80, "https": 443}


def normalized_public_url(url: str) -> str:
    """`--public-url` checked and without a trailing slash (raises SandboxError with the reason)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SandboxError(f"--public-url {url!r} must be an absolute http(s) URL such as https://sandbox.example.org")
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise SandboxError(f"--public-url {url!r} must have no path, query or fragment (the sandbox serves from /)")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def served_bases(config) -> list[str]:
    """Every base URL the server answers as: the public URL first, then the loopback ones."""
    port = config.get("PORT")
    loopback = [f"http://{name}" + (f":{port}" if port and port != 80 else "") for name in LOOPBACK_NAMES]
    return list(config.get("PUBLIC_URLS") or ()) + loopback


def _split_host(host: str) -> tuple[str, int | None]:
    host = host.strip().lower()
    if host.startswith("["):
        name, _, rest = host.partition("]")
        name += "]"
        port = rest[1:] if rest.startswith(":") else ""
    else:
        name, _, port = host.partition(":")
    if port and not port.isdigit():
        raise ValueError(host)
    return name, int(port) if port else None


def _served_base(host: str) -> str | None:
    """The base URL for a request to `host`, or None if this server does not serve that host."""
    config = current_app.config
    try:
        name, port = _split_host(host)
    except ValueError:
        return None
    for public in config.get("PUBLIC_URLS") or ():
        parts = urlsplit(public)
        if name == parts.hostname and port in (parts.port or DEFAULT_PORTS[parts.scheme], None):
            return public
    if name in LOOPBACK_NAMES:
        served_port = config.get("PORT")
        if served_port is None or (port or DEFAULT_PORTS["http"]) == served_port:
            return f"http://{host.strip().lower()}"
    return None


def base_url() -> str:
    """scheme://host[:port] of this server as the request reached it (a served host), without a slash."""
    return request.environ["medisynth.base_url"]


def _check_host() -> None:
    base = _served_base(request.host)
    if base is None:
        raise ApiError(400, f"This sandbox does not serve the host {request.host[:100]!r}. Use one of: "
                            + ", ".join(served_bases(current_app.config)) + " (or start it with --public-url).")
    request.environ["medisynth.base_url"] = base


def init_app(app: Flask) -> None:
    if app.config.get("BEHIND_PROXY"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)
    app.before_request(_check_host)
