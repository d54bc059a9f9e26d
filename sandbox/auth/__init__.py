"""OAuth 2.0 for the sandbox: apps, test users, authorize/login/consent, tokens, discovery."""


def init_app(app):
    """Add the OAuth tables to the store's schema; register the OAuth server, the server-side browser
    sessions and the blueprints on `app`."""
    from sandbox.auth import discovery, endpoints, views
    from sandbox.auth.oauth_server import create_server
    from sandbox.auth.schema import MIGRATIONS
    from sandbox.auth.sessions import StoreSessionInterface

    app.extensions["medisynth_db"].schema.add(*MIGRATIONS)
    app.session_interface = StoreSessionInterface()
    app.extensions["medisynth_oauth"] = create_server(app)
    for blueprint in (views.bp, endpoints.bp, discovery.bp):
        app.register_blueprint(blueprint)
