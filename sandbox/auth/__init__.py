"""OAuth 2.0 for the sandbox: apps, test users, authorize/login/consent, tokens, discovery."""


def init_app(app):
    """Register the OAuth server and its blueprints on `app` (whose config names the store, DB_PATH)."""
    from sandbox.auth import discovery, endpoints, views
    from sandbox.auth.oauth_server import create_server
    from sandbox.auth.web import session_secret

    app.secret_key = app.secret_key or session_secret(app.config["DB_PATH"])
    app.config.update(SESSION_COOKIE_NAME="medisynth_session", SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_HTTPONLY=True)
    app.extensions["medisynth_oauth"] = create_server(app)
    for blueprint in (views.bp, endpoints.bp, discovery.bp):
        app.register_blueprint(blueprint)
