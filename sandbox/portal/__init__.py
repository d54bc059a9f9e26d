"""The developer portal: home and quick start, app registration, test users and their connected apps.

A local developer tool, server-rendered and usable without JavaScript; it needs no login, its forms are
CSRF-protected, and it reaches the OAuth state only through sandbox.auth's functions.
"""


def init_app(app):
    from sandbox.portal.views import bp

    app.register_blueprint(bp)
