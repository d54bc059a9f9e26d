"""Research files: the same claims in CMS's CCW/RIF layout (pipe-delimited text or Parquet), written beside the
FHIR files by the same workers from the same records (`medisynth generate --rif`).

`columns` compiles each table's layout from the one mapping table (tables/rif_columns.csv) and the claim-type
specs; `values` holds how CCW writes a value and its Parquet type; `beneficiary` the MBSF row of a
beneficiary-year with its chronic-conditions segment; `parts` writes one shard's rows and puts the shards'
parts together in order.
"""
from dataset_contract import CLAIM_TYPES

RIF_DIR = "rif"
TABLES: tuple[str, ...] = ("beneficiary", *CLAIM_TYPES)
FORMATS = {"csv": ".csv", "parquet": ".parquet"}
