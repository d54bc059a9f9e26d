"""Population profiles shipped with medisynth (YAML package data; see generator/profile.py for the schema)."""
