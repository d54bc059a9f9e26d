"""OAuth 2.0 for the sandbox: apps, test users, authorize/login/consent, tokens, discovery."""
from sandbox.auth.schema import close_request_db


def init_app(app):
    """Register the OAuth blueprints on `app`."""
    app.teardown_appcontext(close_request_db)
