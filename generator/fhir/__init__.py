"""Records → Blue Button v2 FHIR R4 JSON: Patient, the four Coverages, and the EOB of each claim type."""
from .coverage import coverage_resources
from .eob import eob_json, eob_resource
from .patient import patient_resource

__all__ = ["coverage_resources", "eob_json", "eob_resource", "patient_resource"]
