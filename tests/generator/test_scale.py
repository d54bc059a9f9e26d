"""Generation at scale, on small shards: the same bytes for any number of workers and for the Dask
engine, a run killed with SIGKILL finishes with --resume to the same bytes, Ctrl-C exits cleanly,
and peak memory does not grow with the number of beneficiaries."""
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.errors import OutputError
from generator.pipeline.assembly import MARKER, PARTS_DIR
from generator.run import GenerateOptions, generate

ROOT = Path(__file__).resolve().parents[2]
# 4 shards, the last short
SMALL = {"profile": "default", "beneficiaries": 130, "seed": 5, "shard_size": 40, "fmt": "both"}


def digests(out: Path) -> dict[str, str]:
    """sha256 of every file of a dataset, bundles included."""
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("scale") / "w1"
    generate(GenerateOptions(**SMALL, out=out, workers=1))
    return digests(out)


def test_reference_has_every_file(reference):
    assert {"Patient.ndjson", "Coverage.ndjson", "ExplanationOfBenefit.ndjson", "manifest.json"} <= set(reference)
    assert sum(name.startswith("bundles/") for name in reference) == 130
    assert not [name for name in reference if ".partial" in name]


@pytest.mark.parametrize("workers", [2, 3])
def test_same_bytes_whatever_the_workers(tmp_path, reference, workers):
    generate(GenerateOptions(**SMALL, out=tmp_path / "ds", workers=workers))
    assert digests(tmp_path / "ds") == reference


def test_dask_engine_same_bytes(tmp_path, reference):
    pytest.importorskip("dask.distributed")
    generate(GenerateOptions(**SMALL, out=tmp_path / "ds", workers=2, engine="dask"))
    assert digests(tmp_path / "ds") == reference


def _generate_in_child(out: Path, beneficiaries: int, **extra) -> subprocess.Popen:
    options = dict(SMALL, beneficiaries=beneficiaries, out=str(out), workers=1, **extra)
    code = ("import resource, sys; from pathlib import Path; from generator.run import GenerateOptions, generate; "
            f"o = {options!r}; o['out'] = Path(o['out']); generate(GenerateOptions(**o)); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _wait_for(predicate, seconds=120):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def _appended(out: Path) -> int:
    """How many shards the run has appended so far (its resume marker)."""
    try:
        return json.loads((out / PARTS_DIR / MARKER).read_text())["appended"]
    except (OSError, ValueError):
        return 0


def test_resume_after_kill_gives_the_same_bytes(tmp_path, reference):
    out = tmp_path / "ds"
    child = _generate_in_child(out, SMALL["beneficiaries"])
    _wait_for(lambda: child.poll() is not None or _appended(out) >= 1)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL, "the run was killed before it finished"
    assert not (out / "manifest.json").exists()
    with pytest.raises(OutputError, match="--resume"):
        generate(GenerateOptions(**SMALL, out=out, workers=2))
    with pytest.raises(OutputError, match="seed 5 \\(now 6\\)"):
        generate(GenerateOptions(**{**SMALL, "seed": 6}, out=out, workers=2, resume=True))
    generate(GenerateOptions(**SMALL, out=out, workers=2, resume=True))
    assert digests(out) == reference


def test_ctrl_c_is_one_line_and_resumable(tmp_path):
    out = tmp_path / "ds"
    # its own process group, signalled as a terminal's Ctrl-C is: the parent and its workers all get SIGINT
    run = subprocess.Popen([sys.executable, "cli.py", "generate", "-n", "2500", "--workers", "2", "--out", str(out)],
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    parts = out / PARTS_DIR
    # a shard being written (not the marker's own run.json.tmp, which exists only while the marker is replaced)
    _wait_for(lambda: run.poll() is not None or ((parts / "run.json").exists()
                                                 and any(p.name[:6].isdigit() for p in parts.glob("*.tmp"))))
    os.killpg(run.pid, signal.SIGINT)
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 130
    assert stderr.strip() == "Interrupted.", stderr
    assert (parts / "run.json").exists(), "the marker stays for --resume"


def test_peak_memory_does_not_grow_with_beneficiaries(tmp_path):
    peaks = {}
    for n in (40, 240):
        child = _generate_in_child(tmp_path / f"n{n}", n, fmt="ndjson")
        stdout, stderr = child.communicate(timeout=300)
        assert child.returncode == 0, stderr
        peaks[n] = int(stdout.split()[-1])          # KiB
    assert peaks[240] < peaks[40] * 1.25 + 20_000, peaks


def test_dask_missing_is_one_clear_line(tmp_path):
    code = ("import sys; sys.modules['dask'] = None; sys.modules['dask.distributed'] = None; "
            "import cli; cli.main(['generate', '-n', '5', '--engine', 'dask', '--out', sys.argv[1]])")
    run = subprocess.run([sys.executable, "-c", code, str(tmp_path / "ds")], cwd=ROOT, capture_output=True,
                         text=True)
    assert run.returncode == 1
    assert run.stderr.strip() == "Error: --engine dask needs Dask: pip install medisynth[dask]"


def test_precomputed_icd_titles_are_simple_icd_10_cm_titles():
    import simple_icd_10_cm as cm
    from generator.model.coding import icd_displays
    for code, display in icd_displays().items():
        assert cm.get_description(code if len(code) <= 3 else f"{code[:3]}.{code[3:]}").upper() == display, code
