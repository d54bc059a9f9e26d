"""OAuth 2.0 for the sandbox: apps, test users, authorize/login/consent, tokens, discovery."""


def init_app(app):
    """Register the OAuth blueprints on `app`."""
