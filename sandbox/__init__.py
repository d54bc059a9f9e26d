"""medisynth's sandbox: a SQLite store of a generated dataset, served as the Blue Button 2.0 API (OAuth + FHIR)."""
