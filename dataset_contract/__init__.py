"""The dataset contract: what a directory written by `medisynth generate` holds, and how to read it.

Both sides import this package and nothing else of each other: the generator writes datasets by it, the
sandbox (and any other reader) reads them by it, and it depends on the standard library only. It holds the
resource and claim-type lists (`names`), the code-system and profile URLs the files use (`systems`), the
manifest as a typed record (`manifest`), and the readers for the manifest and the NDJSON files, with the one
error a directory that is not a readable dataset raises (`files`).
"""
from .files import Dataset, DatasetError, ndjson_lines, open_dataset, read_manifest, resource_file
from .manifest import GeneratorSettings, Manifest, OutputFile
from .names import (BUNDLES_DIR, CLAIM_TYPES, MANIFEST_NAME, NDJSON_SUFFIXES, RESOURCE_TYPES, eob_id,
                    ndjson_name, split_eob_id)

__all__ = [
    "BUNDLES_DIR", "CLAIM_TYPES", "MANIFEST_NAME", "NDJSON_SUFFIXES", "RESOURCE_TYPES", "Dataset", "DatasetError",
    "GeneratorSettings", "Manifest", "OutputFile", "eob_id", "ndjson_lines", "ndjson_name", "open_dataset",
    "read_manifest", "resource_file", "split_eob_id",
]
