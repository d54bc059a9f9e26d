"""`python -m generator.quality.golden_fields SAMPLES_DIR`: rewrite the golden_fields table from BFD's golden EOBs.

SAMPLES_DIR holds BFD's v2 end-to-end responses `eobRead<Type>.json` (shared/reference/samples/bfd-v2). Each
type's fields are the leaf paths `generator.quality.joint.fidelity.field_paths` names, less those that only
BFD's hand-made sample rows produce: ICD-9 codings (retired October 2015; every year medisynth simulates codes
ICD-10 only).
"""
from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson

from dataset_contract import CLAIM_TYPES
from generator.quality.joint.fidelity import field_paths

GOLDEN_FILES = {name: f"eobRead{name.capitalize()}.json" for name in CLAIM_TYPES}
ARTIFACTS = ("[icd-9-cm]",)
"""Path parts of BFD's sample data that real claims of the simulated years never carry."""
SOURCE = ("BFD CMSgov/beneficiary-fhir-data @62b2d2e8 apps/bfd-server/bfd-server-war/src/test/resources/"
          "endpoint-responses/v2/eobRead<Type>.json (shared/reference/samples/bfd-v2); leaf paths as "
          "generator/quality/joint/fidelity.py names them; ICD-9 codings left out")


def golden_rows(samples: Path) -> Iterator[tuple[str, str]]:
    """(claim type, path) of every golden field, by type in CLAIM_TYPES order, paths sorted."""
    for name in CLAIM_TYPES:
        resource = orjson.loads((samples / GOLDEN_FILES[name]).read_bytes())
        for path in sorted(field_paths(resource)):
            if not any(part in path for part in ARTIFACTS):
                yield name, path


def main(argv: list[str]) -> int:
    missing = [] if len(argv) != 1 else [f for f in GOLDEN_FILES.values() if not (Path(argv[0]) / f).is_file()]
    if len(argv) != 1 or missing:
        print("usage: python -m generator.quality.golden_fields SAMPLES_DIR  (the folder holding BFD's "
              f"eobRead<Type>.json{'; missing: ' + ', '.join(missing) if missing else ''})", file=sys.stderr)
        return 2
    target = Path(__file__).resolve().parents[1] / "tables" / "golden_fields.csv"
    with target.open("w", encoding="utf-8", newline="") as out:
        out.write(f"# source: {SOURCE}\n")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("claim_type", "path"))
        writer.writerows(golden_rows(Path(argv[0])))
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
