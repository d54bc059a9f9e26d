"""API docs: the OpenAPI document at /docs/openapi.json and Swagger UI at /docs/ (assets from the
swagger-ui-bundle package, never a CDN), whose Authorize button uses the sandbox's own OAuth server."""


def init_app(app):
    from sandbox.docs.views import bp

    app.register_blueprint(bp)
