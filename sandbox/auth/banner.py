"""What `medisynth serve` prints on start: where the sandbox is, the demo app's credentials, three logins."""
from __future__ import annotations

from contextlib import closing
from pathlib import Path

from sandbox.auth.apps import ensure_demo_app
from sandbox.auth.schema import open_auth_db
from sandbox.auth.users import list_users


def serve_banner(db: str | Path, base_url: str) -> str:
    demo = ensure_demo_app(db)
    with closing(open_auth_db(db)) as conn:
        logins = list_users(conn, limit=3)
    login_lines = "\n".join(f"    {u['username']} / {u['password']}  ({u['name']}, Patient/{u['patient_id']})"
                            for u in logins)
    return (f"Blue Button 2.0 sandbox on {base_url}  (authorize: {base_url}/v2/o/authorize/)\n"
            f"  Demo app ({demo['name']}, redirect URI {demo['redirect_uris'][0]}):\n"
            f"    client_id:     {demo['client_id']}\n"
            f"    client_secret: {demo['client_secret']}\n"
            f"  Test logins (`medisynth users` lists more):\n{login_lines}")
