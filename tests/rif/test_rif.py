"""`medisynth generate --rif`: the RIF research files agree with the FHIR files of the same run (every dictionary
mapping, counts, payments, ids, the chronic-conditions segment against `stats`), Parquet holds the same rows as the
text files, the bytes do not depend on the number of workers, the README's DuckDB query reproduces a `stats`
figure, a value added to a spec reaches the files without new code, and bad input is one clear line."""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import json
import re
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from generator.claim_types import TYPES
from generator.claim_types.shape import Extension
from generator.claim_types.values import Key
from generator.quality import stats
from generator.quality.stats import dataset_stats
from generator.rif import TABLES
from generator.rif.beneficiary import by_condition
from generator.rif.columns import compile_layout, layout
from generator.run import GenerateOptions, generate
from generator.tables import table

from dictionary_walk import DICTIONARY, diagnosis_lists, walk

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"profile": "default", "beneficiaries": 70, "seed": 3, "shard_size": 25}     # 3 shards, the last short
WALKED = {"profile": "default", "beneficiaries": 120, "seed": 4}   # every claim type, of which the walk reads
WALKED_PER_TYPE = 80                                           # at most this many claims (fhirpathpy is slow)
FORMATS = {name: {c.name: c.format for c in layout(name).columns} for name in TABLES}
needs_dictionary = pytest.mark.skipif(not DICTIONARY.exists(), reason="shared/ (the BFD data dictionary) not beside "
                                      "the checkout")


def _digests(directory: Path) -> dict[str, str]:
    """sha256 of every file under a directory, by relative path."""
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def csv_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("rif") / "csv"
    generate(GenerateOptions(**SMALL, out=out, workers=1, rif="csv"))
    return out


@pytest.fixture(scope="module")
def walked_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("rif") / "walked"
    generate(GenerateOptions(**WALKED, out=out, workers=1, rif="csv"))
    return out


@pytest.fixture(scope="module")
def parquet_run(tmp_path_factory) -> Path:
    pytest.importorskip("pyarrow")
    out = tmp_path_factory.mktemp("rif") / "parquet"
    generate(GenerateOptions(**SMALL, out=out, workers=1, rif="parquet"))
    return out


def _rows(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="|"))


def _eobs(directory: Path) -> list[dict]:
    with open(directory / "ExplanationOfBenefit.ndjson") as f:
        return [json.loads(line) for line in f]


def test_every_table_is_written_with_a_header(csv_run):
    assert sorted(p.name for p in (csv_run / "rif").iterdir()) == sorted(f"{t}.csv" for t in TABLES)
    for name in TABLES:
        header = (csv_run / "rif" / f"{name}.csv").read_text().split("\n", 1)[0]
        assert header.split("|") == [c.name for c in layout(name).columns]
        assert (csv_run / "rif" / f"{name}.csv").read_text().count(header) == 1     # shard 0's header only


@needs_dictionary
def test_every_dictionary_mapping_reads_the_same_value_in_rif_and_fhir(walked_run):
    problems, compared = walk(walked_run, FORMATS, WALKED_PER_TYPE)
    assert problems == []
    assert set(compared) == set(TYPES) and sum(compared.values()) > 20_000


@needs_dictionary
def test_numbered_diagnosis_columns_follow_the_eob_diagnosis_list(csv_run):
    problems, compared = diagnosis_lists(csv_run)     # cheap: over the larger run
    assert problems == []
    assert compared == len(_eobs(csv_run))


def test_claims_lines_beneficiaries_and_payments_agree_with_the_ndjson(csv_run):
    claims, items, paid = defaultdict(set), defaultdict(int), defaultdict(Decimal)
    for eob in _eobs(csv_run):
        kind = eob["id"].split("-")[0]
        claims[kind].add(eob["id"][len(kind) + 1:])
        items[kind] += len(eob["item"])
        if kind != "pde":         # PDE: the plan's payment, in the next test
            paid[kind] += Decimal(str(eob["payment"]["amount"]["value"]))
    for kind in TYPES:
        key = "PDE_ID" if kind == "pde" else "CLM_ID"
        rows = _rows(csv_run / "rif" / f"{kind}.csv")
        assert len(rows) == items[kind], kind
        assert {r[key] for r in rows} == claims[kind], kind
        if kind != "pde":
            first = {r[key]: r for r in rows}
            assert sum(Decimal(r["CLM_PMT_AMT"]) for r in first.values()) == paid[kind], kind
    with open(csv_run / "Patient.ndjson") as f:
        patients = [json.loads(line)["id"] for line in f]
    assert [r["BENE_ID"] for r in _rows(csv_run / "rif" / "beneficiary.csv")] == patients   # one year: one row each
    assert all(kind in claims for kind in TYPES)      # the run has claims of every type


def test_part_d_plan_payments_agree_with_the_eob_adjudications(csv_run):
    fhir = Decimal(0)
    for eob in _eobs(csv_run):
        if eob["id"].startswith("pde-"):
            for a in eob["item"][0]["adjudication"]:
                if any(c["code"].endswith("/cvrd_d_plan_pd_amt") for c in a["category"]["coding"]):
                    fhir += Decimal(str(a["amount"]["value"]))
    rif = sum(Decimal(r["CVRD_D_PLAN_PD_AMT"]) for r in _rows(csv_run / "rif" / "pde.csv"))
    assert rif == fhir > 0


def test_chronic_conditions_segment_agrees_with_stats(csv_run, monkeypatch):
    seen = {}
    compare = stats._compare

    def keep(report, profile, benes, claims, months):     # stats' own view of each beneficiary
        seen["benes"] = benes
        seen["ffs"] = compare(report, profile, benes, claims, months)
        return seen["ffs"]
    monkeypatch.setattr(stats, "_compare", keep)
    report = stats.dataset_stats(csv_run)
    rows = {r["BENE_ID"]: r for r in _rows(csv_run / "rif" / "beneficiary.csv")}
    columns = {row["field"][len("ccw."):]: row["column"] for row in table("rif_columns")
               if row["table"] == "beneficiary" and row["field"].startswith("ccw.")}
    assert set(columns) == set(by_condition())
    day = {}
    for condition, column in columns.items():      # the CCW rule met on the same claims, the same day, as stats says
        for bene_id, bene in seen["benes"].items():
            row = rows[bene_id]
            assert (row[column] in ("1", "3")) == (condition in bene.ccw), (bene_id, condition)
            if condition in bene.ccw:
                day[bene_id, condition] = True
                assert dt.datetime.strptime(row[column + "_EVER"], "%d-%b-%Y").date() == bene.ccw[condition]
            else:
                assert row[column + "_EVER"] == ""
    assert len(day) > 100
    compared = 0
    for row in report.rows:     # each prevalence figure, from the RIF flags over stats' FFS beneficiaries
        if row.group == "condition prevalence (CCW rule, FFS)":
            met = [rows[b][columns[row.name]] in ("1", "3") for b in seen["ffs"]]
            assert sum(met) / len(met) == row.observed, row.name
            compared += 1
    assert compared == len(by_condition())


def test_stats_counts_as_fee_for_service_whom_the_beneficiary_file_entitles(csv_run, monkeypatch):
    """FFS is a month with Parts A and B and no Part C: stats reads it from the Coverage resources, the RIF
    beneficiary file from the monthly entitlement (buy-in 3 or C: A and B; 1 or A: A only) and Part C contracts. Someone
    never in Part B is FFS in neither (their Part B Coverage is cancelled)."""
    seen = {}
    compare = stats._compare

    def keep(report, profile, benes, claims, months):
        seen["ffs"] = compare(report, profile, benes, claims, months)
        return seen["ffs"]
    monkeypatch.setattr(stats, "_compare", keep)
    stats.dataset_stats(csv_run)
    rif_ffs, part_a_only = set(), 0
    for row in _rows(csv_run / "rif" / "beneficiary.csv"):
        death = dt.datetime.strptime(row["BENE_DEATH_DT"], "%d-%b-%Y").month if row["BENE_DEATH_DT"] else 12
        months = [(row[f"MDCR_ENTLMT_BUYIN_{m}_IND"], row[f"PTC_CNTRCT_ID_{m:02d}"]) for m in range(1, death + 1)]
        part_a_only += any(buyin in ("1", "A") for buyin, _ in months)
        if any(buyin in ("3", "C") and contract in ("", "0") for buyin, contract in months):
            rif_ffs.add(row["BENE_ID"])
    assert part_a_only > 0          # the run has someone without Part B
    assert seen["ffs"] == rif_ffs


def test_parquet_tables_hold_the_same_rows_as_the_text_files(csv_run, parquet_run):
    import pyarrow.parquet as pq
    for name in TABLES:
        text = _rows(csv_run / "rif" / f"{name}.csv")
        table = pq.read_table(parquet_run / "rif" / f"{name}.parquet")
        assert table.column_names == [c.name for c in layout(name).columns]
        typed = table.to_pylist()
        assert len(typed) == len(text), name
        columns = layout(name).columns
        for got, want in zip(typed, text):
            assert {c.name: _as_text(got[c.name], c) for c in columns} == want, name
    assert str(pq.read_schema(parquet_run / "rif" / "carrier.parquet").field("CLM_FROM_DT").type) == "date32[day]"


def _as_text(value, column) -> str:
    """A Parquet value written as the text file writes it."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        value = value.isoformat()
    return column.text(value) if column.format in ("date", "amount", "number", "int") else value


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_bytes_for_one_and_two_workers(tmp_path, csv_run, parquet_run, fmt):
    reference = csv_run if fmt == "csv" else parquet_run
    generate(GenerateOptions(**SMALL, out=tmp_path / "w2", workers=2, rif=fmt))
    assert _digests(tmp_path / "w2" / "rif") == _digests(reference / "rif")
    assert _digests(tmp_path / "w2") == _digests(reference)        # the FHIR files too


def test_rif_leaves_the_fhir_bytes_alone(tmp_path, csv_run):
    generate(GenerateOptions(**SMALL, out=tmp_path / "plain", workers=1))
    plain = _digests(tmp_path / "plain")
    assert {k: v for k, v in _digests(csv_run).items() if not k.startswith("rif/")} == plain


def test_the_readme_duckdb_query_reproduces_a_stats_figure(csv_run):
    duckdb = pytest.importorskip("duckdb")
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Research files (RIF)"):]
    query = re.search(r"```sql\n(.*?)```", section, re.S).group(1)
    figure = re.search(r"stats` row \*\*([^*]+)\*\*", section).group(1)
    connection = duckdb.connect()
    connection.execute(f"SET file_search_path = '{csv_run}'")
    (observed,) = connection.execute(query).fetchone()
    row = next(r for r in dataset_stats(csv_run).rows if r.name == figure)
    assert observed == pytest.approx(row.observed, abs=1e-12)


def test_a_value_added_to_a_spec_reaches_the_rif_layout_without_new_code():
    carrier = TYPES["carrier"]
    extra = Extension("clm_new_test_cd", Key("new_fact", default=None))
    spec = dataclasses.replace(carrier, fhir=dataclasses.replace(carrier.fhir, header=(*carrier.fhir.header, extra)))
    columns = {c.name: c for c in compile_layout("carrier", spec).head}
    assert "CLM_NEW_TEST_CD" in columns and "CLM_NEW_TEST_CD" not in {c.name for c in layout("carrier").columns}
    column = columns["CLM_NEW_TEST_CD"]
    assert column.text(column.get({"claim": {"new_fact": "X7"}})) == "X7"
    assert column.text(column.get({"claim": {}})) == ""


@needs_dictionary
def test_mapping_rows_name_their_dictionary_entries_and_spec_columns_are_ccw_names():
    entries = {str(e["id"]): e for e in json.loads(DICTIONARY.read_text())}
    ccw = {name for e in entries.values() for name in e["ccwMapping"]}
    outside = {"CLM_GRP_ID", "LINE_PRMRY_ALOWD_CHRG_AMT"}   # "BFD's RIF also carries … which the dictionary lacks"
    for name in TABLES:
        for column in layout(name).columns:
            if column.dictionary:       # numbered columns name their first one's entry
                mapped = entries[column.dictionary]["ccwMapping"]
                assert any(re.sub(r"\d+", "#", column.name) == re.sub(r"\d+", "#", m) for m in mapped), column.name
            elif name != "beneficiary":      # the chronic-conditions segment is CCW's MBSF, not in BFD's dictionary
                assert column.name in ccw | outside, (name, column.name)


def _cli(*args: str, block_pyarrow: bool = False) -> subprocess.CompletedProcess:
    prelude = "import sys; sys.modules['pyarrow'] = None; sys.modules['pyarrow.parquet'] = None; " \
        if block_pyarrow else "import sys; "
    code = prelude + "from cli import main; sys.argv = ['medisynth', *sys.argv[1:]]; main()"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True)


def test_parquet_without_pyarrow_is_one_clear_line(tmp_path):
    result = _cli("generate", "-n", "3", "--quiet", "--out", str(tmp_path / "ds"), "--rif-format", "parquet",
                  block_pyarrow=True)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: --rif-format parquet needs pyarrow: pip install 'medisynth[parquet]' (or use --rif-format csv)"]
    assert not (tmp_path / "ds").exists()


def test_an_unknown_rif_format_is_one_clear_line(tmp_path):
    result = _cli("generate", "-n", "3", "--quiet", "--out", str(tmp_path / "ds"), "--rif-format", "sas")
    assert result.returncode == 2
    assert "Invalid value for '--rif-format': 'sas' is not one of 'csv', 'parquet'." in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "ds").exists()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_an_object_store_gets_the_same_files(csv_run, parquet_run, fmt):
    fsspec = pytest.importorskip("fsspec")
    reference = csv_run if fmt == "csv" else parquet_run
    url = f"memory://rif-test/{fmt}"        # workers=1 runs in this process, which holds the memory filesystem
    generate(GenerateOptions(**SMALL, out=url, workers=1, rif=fmt))
    fs = fsspec.filesystem("memory")
    written = {Path(p).name: hashlib.sha256(fs.cat_file(p)).hexdigest() for p in fs.ls(f"/rif-test/{fmt}/rif",
                                                                                        detail=False)}
    assert written == _digests(reference / "rif")
    fs.rm(f"/rif-test/{fmt}", recursive=True)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_an_interrupted_run_resumes_to_the_same_files(tmp_path, monkeypatch, csv_run, parquet_run, fmt):
    from generator.pipeline import assembly
    reference = csv_run if fmt == "csv" else parquet_run
    add = assembly.Assembly.add

    def stop_after_the_first_shard(self, result):
        add(self, result)
        if self.state["appended"] == 1:
            raise KeyboardInterrupt
    monkeypatch.setattr(assembly.Assembly, "add", stop_after_the_first_shard)
    with pytest.raises(KeyboardInterrupt):
        generate(GenerateOptions(**SMALL, out=tmp_path / "ds", workers=1, rif=fmt))
    monkeypatch.setattr(assembly.Assembly, "add", add)
    generate(GenerateOptions(**SMALL, out=tmp_path / "ds", workers=1, rif=fmt, resume=True))
    assert _digests(tmp_path / "ds" / "rif") == _digests(reference / "rif")
