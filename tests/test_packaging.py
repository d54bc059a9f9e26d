"""A regular (non-editable) install works from any directory: profiles, code tables and templates
ship as package data, and the console script's module runs from the installed copy."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_non_editable_install_generates_from_another_directory(tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--target", str(target), str(ROOT)], check=True, capture_output=True)
    shipped = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    for expected in ("cli.py", "profiles/default.yaml", "profiles/esrd.yaml", "generator/tables/drg.csv",
                     "generator/tables/visits.csv", "generator/tables/variables.csv"):
        assert expected in shipped, expected
    assert any(p.startswith("sandbox/templates/") for p in shipped)
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    code = (f"import sys; sys.path.insert(0, {str(target)!r}); import cli; "
            "assert cli.__file__.startswith(sys.path[0]), cli.__file__; "
            "cli.main(['generate', '-n', '3', '--profile', 'small-demo', '--out', 'ds', '--quiet'])")
    run = subprocess.run([sys.executable, "-c", code], cwd=workdir, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    manifest = json.loads((workdir / "ds" / "manifest.json").read_text())
    assert manifest["generator"]["profile"] == "small-demo"
    assert {o["type"]: o["count"] for o in manifest["output"]}["Patient"] == 3
