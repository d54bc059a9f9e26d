"""The Blue Button v2 FHIR API: metadata, Patient, Coverage, ExplanationOfBenefit."""


def init_app(app):
    """Register the FHIR blueprint on `app`."""
