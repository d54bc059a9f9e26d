"""The Blue Button v2 FHIR API: metadata, Patient, Coverage, ExplanationOfBenefit."""


def init_app(app):
    """Register the FHIR blueprint on `app`."""
    from sandbox.fhir.routes import bp

    app.register_blueprint(bp)
