"""Issue 14's acceptance check: `medisynth stats` reports the same joint figures as an independent re-derivation
from the NDJSON alone (tests/acceptance/derive/, which imports neither the generator nor stats), on a small run.

The two lists stay in step (a figure on one side only fails), every figure agrees (counts exactly, the rest
to 1e-9 relative), and `report.py` prints each figure with its real range. Nothing here fixes a generated
value: whatever the care model makes, the two derivations must agree on it.
"""
from __future__ import annotations

import ast
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from derive import measure
from derive.fidelity import SAMPLES
from derive.ranges import RANGES
from generator.quality.stats import dataset_stats
from generator.run import GenerateOptions, generate

HERE = Path(__file__).resolve().parent
RUN = {"profile": "default", "beneficiaries": 300, "seed": 7}
COUNTS = frozenset({"screening mammograms on men", "screening PSA tests on women",
                    "people with N18.6 without ESRD or dialysis", "strict-R4 errors (empty, null)",
                    "distinct carrier HCPCS per 5,000 benes", "distinct ICD-10-CM codes per 5,000 benes",
                    "distinct DRGs (5,000+ beneficiaries)", "processing lag median (days)",
                    "processing lag p99 (days)"})
GOLDEN = "golden fields present: "
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/ (BFD's golden EOBs) not beside the checkout")


def test_the_re_derivation_imports_neither_the_generator_nor_stats():
    """Independent by construction: derive/ imports the dataset contract, orjson and the standard library only."""
    imported = set()
    for path in (HERE / "derive").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level:
                imported.add(str(node.module).split(".")[0])
    assert imported - set(sys.stdlib_module_names) == {"dataset_contract", "orjson"}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("acceptance") / "run"
    generate(GenerateOptions(**RUN, out=out, workers=1))
    return out


@pytest.fixture(scope="module")
def stats_figures(run) -> dict[str, float | None]:
    """stats' joint rows (every area of generator/quality/joint/) by name; a size-dependent row shown as
    information in a small dataset carries its size in its name (`… (seen: 400)`), dropped here."""
    rows = [r for r in dataset_stats(run).rows if r.kind == "range" or "(seen:" in r.name]
    return {re.sub(r" \(seen: [\d,]+\)$", "", r.name): r.observed for r in rows}


@pytest.fixture(scope="module")
def accepted(run) -> dict[str, float | None]:
    return measure(run)


def test_stats_and_the_acceptance_check_report_the_same_figures(stats_figures, accepted):
    ours, theirs = set(accepted), set(stats_figures)
    if not SAMPLES.is_dir():
        theirs = {name for name in theirs if not name.startswith(GOLDEN)}
    assert sorted(theirs - ours) == [], "stats reports figures the acceptance check does not re-derive"
    assert sorted(ours - theirs) == [], "the acceptance check re-derives figures stats does not report"
    assert set(RANGES) >= ours, "every acceptance figure has its real range"


def test_most_figures_are_observed_in_the_small_run(stats_figures, accepted):
    """The comparison is not vacuous: at least 90% of the figures have a value on both sides."""
    both = [n for n in accepted if accepted[n] is not None and stats_figures.get(n) is not None]
    assert len(both) >= 0.9 * len(accepted), sorted(set(accepted) - set(both))


@pytest.mark.parametrize("name", sorted(RANGES))
def test_stats_agrees_with_the_acceptance_check(name, stats_figures, accepted):
    if name.startswith(GOLDEN) and not SAMPLES.is_dir():
        pytest.skip("shared/ (BFD's golden EOBs) not beside the checkout")
    assert name in accepted and name in stats_figures
    ours, theirs = accepted[name], stats_figures[name]
    if ours is None or theirs is None:
        assert ours is None and theirs is None, (ours, theirs)
    elif name in COUNTS:
        assert ours == theirs and float(ours).is_integer()
    else:
        assert math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-12), (ours, theirs)


@needs_samples
def test_report_prints_every_figure_with_its_range(run, accepted):
    from report import render

    text, out = render(run, accepted)
    lines = text.splitlines()
    marks = []
    for name in accepted:
        row = next(line for line in lines if line.strip().startswith(name))
        marks.append(re.search(r"\s(in|OUT|n/a)\s", row[len(name) + 2:]).group(1))
    judged = sum(m != "n/a" for m in marks)
    assert out == marks.count("OUT")
    assert f"{judged - out} of {judged} judged figures in their real range" in text


def test_report_on_a_directory_that_is_no_dataset_is_one_line(tmp_path):
    result = subprocess.run([sys.executable, str(HERE / "report.py"), str(tmp_path / "missing")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "not a dataset" in result.stderr


def test_report_without_a_directory_prints_its_usage(capsys):
    from report import main

    assert main([]) == 2
    assert capsys.readouterr().err.startswith("usage: python tests/acceptance/report.py DIR")
