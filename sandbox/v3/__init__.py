"""Blue Button v3: `/v3/fhir/…` with v3 patient ids and CARIN BB 2.x profiles, and the C4DIC insurance card."""


def init_app(app):
    """Register the v3 FHIR blueprint on `app`."""
    from sandbox.v3.routes import bp

    app.register_blueprint(bp)
