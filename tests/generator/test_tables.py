"""The table loader: every CSV in generator/tables/ is declared, names its source, has its declared columns."""
from __future__ import annotations

from importlib import resources

import pytest

from generator import tables

SOURCE = "# source: a test\n"


def test_every_shipped_table_is_declared_and_every_declared_table_is_shipped():
    shipped = sorted(p.name[:-4] for p in resources.files("generator.tables").iterdir() if p.name.endswith(".csv"))
    assert shipped == sorted(tables.COLUMNS)


@pytest.mark.parametrize("name", sorted(tables.COLUMNS))
def test_every_table_loads_with_its_source_and_columns(name):
    table = tables.load(name)
    assert table.source and table.rows, name
    assert table.columns == tables.COLUMNS[name]
    rows = tables.table(name)
    assert tuple(rows[0]) == tables.COLUMNS[name]
    assert tables.table(name) is rows  # cached


def test_a_table_without_its_source_line_is_refused():
    with pytest.raises(tables.TableError, match=r"pcs.csv: the first line must be `# source: "):
        tables.parse("pcs", "code,display\n0SRC0J9,REPLACEMENT\n", "generator/tables/pcs.csv")
    with pytest.raises(tables.TableError, match="first line"):
        tables.parse("pcs", "# source:  \ncode,display\n", "pcs.csv")


def test_a_table_with_other_columns_or_ragged_rows_is_refused():
    with pytest.raises(tables.TableError, match="the header is 'code,title', declared 'code,display'"):
        tables.parse("pcs", SOURCE + "code,title\n", "pcs.csv")
    with pytest.raises(tables.TableError, match=r"pcs.csv:4: 3 fields, the header has 2"):
        tables.parse("pcs", SOURCE + "code,display\nA,one\nB,two,three\n", "pcs.csv")
    assert tables.parse("pcs", SOURCE + "code,display\nA,\"one, two\"\n", "pcs.csv").rows == (("A", "one, two"),)


def test_an_undeclared_table_is_refused():
    with pytest.raises(tables.TableError, match="unknown table 'nope': declare its columns"):
        tables.load("nope")


def test_every_diagnosis_the_tables_can_produce_has_its_title():
    titles = dict(tables.rows("icd10cm_displays"))
    codes = {r["icd10"] for name in ("condition_codes", "acute_codes", "other_conditions") for r in tables.table(name)}
    codes |= {dx for r in tables.table("preventive") for dx in r["dx"].split("|")}
    codes |= {c for r in tables.table("drg") for key in ("principal", "secondary") for c in r[key].split("|") if c}
    assert sorted(codes - set(titles)) == []
