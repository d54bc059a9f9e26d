"""medisynth's generator: profile → population → care events → claim records → Blue Button v2 FHIR files."""
__version__ = "0.1.0"
