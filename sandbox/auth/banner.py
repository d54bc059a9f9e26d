"""What `medisynth serve` prints on start: a box with the URLs, the demo app's credentials, three test logins,
and what to try next. No OAuth token is ever printed (server output may end up in logs); the demo secret is
the sandbox's one deliberate exception, a local credential for synthetic data, and on a network address so
is the portal token (sandbox.portal.access), which the person starting the server needs."""
from __future__ import annotations

from pathlib import Path

from sandbox.auth.apps import ensure_demo_app
from sandbox.auth.users import list_users

LOCAL_HOSTS = ("127.0.0.1", "0.0.0.0", "localhost", "::", "::1")
RULE_WIDTH = 78


def display_url(host: str, port: int) -> str:
    """The base URL to print: `localhost` for loopback or any-address binds (what the SDKs' LOCAL expects)."""
    return f"http://{'localhost' if host in LOCAL_HOSTS else host}:{port}"


def _box(title: str, sections: list[tuple[str, list[str]]]) -> str:
    """Lines on a left rail under a titled rule; the right side stays open so long secrets copy cleanly."""
    label_width = max(len(label) for label, _ in sections)
    lines = [f"┌─ {title} " + "─" * max(RULE_WIDTH - len(title) - 4, 3)]
    for label, values in sections:
        for i, value in enumerate(values):
            lines.append(f"│ {(label if i == 0 else ''):<{label_width}}  {value}".rstrip())
    lines.append("└" + "─" * (RULE_WIDTH - 1))
    return "\n".join(lines)


def serve_banner(db: str | Path, base_url: str, details: str = "", portal_token: str | None = None) -> str:
    from sandbox.app import open_store

    demo = ensure_demo_app(db)
    logins = list_users(open_store(db).read(), limit=3)
    login_lines = [f"{u['username']} / {u['password']}  {u['name']} (Patient/{u['patient_id']})" for u in logins]
    portal = (f"{base_url}/?portal_token={portal_token}  (portal: needs this token on a network address)"
              if portal_token else f"{base_url}/  (portal: quick start, apps, test users)")
    sections = [
        ("Sandbox", [portal, f"{base_url}/docs/  (API docs)",
                     f"{base_url}/v2/fhir/  (FHIR API)"] + ([details] if details else [])),
        ("Demo app", [f"client_id      {demo['client_id']}", f"client_secret  {demo['client_secret']}",
                      f"redirect URI   {demo['redirect_uris'][0]}"]),
        ("Test logins", (login_lines or ["none: load a dataset (`medisynth load DIR`)"])
         + ["`medisynth users` lists more"]),
        ("Try next", [f"curl -s {base_url}/v2/fhir/metadata | head -c 300",
                      f"then open {base_url}/ and follow its three-step quick start (curl or the Python SDK)"]),
    ]
    return _box(f"Blue Button sandbox on {base_url} (synthetic data)", sections)
