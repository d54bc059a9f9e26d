"""Bad input to every CLI command (wrong types, missing or unreadable files, corrupt gzip, profile typos) ends
with one `Error: …` line naming the problem and a non-zero exit, never a traceback. Runs `cli.main` in
process: an exception escaping it fails the test as a traceback would."""
from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pytest

import cli


def run_cli(capsys, *argv) -> tuple[int, str]:
    """(exit code, stdout + stderr) of `medisynth argv…`."""
    try:
        cli.main([str(a) for a in argv])
        code = 0
    except SystemExit as exited:
        code = exited.code
    out = capsys.readouterr()
    return code, out.out + out.err


def assert_one_error_line(code: int, output: str, *expected: str) -> None:
    errors = [line for line in output.splitlines() if line.startswith("Error: ")]
    assert code not in (0, None) and "Traceback" not in output, output
    assert len(errors) == 1, output
    for text in expected:
        assert text in errors[0], output


@pytest.fixture(scope="module")
def bad_profiles(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("profiles")
    (folder / "typo.yaml").write_text("extends: default\npopulaton:\n  female_share: 0.5\n")
    (folder / "range.yaml").write_text("extends: default\npopulation:\n  female_share: 1.4\n")
    (folder / "broken.yaml").write_text("extends: default\npopulation: [unclosed\n")
    return folder


@pytest.fixture(scope="module")
def broken_datasets(dataset_dir, tmp_path_factory) -> Path:
    """Copies of the real dataset: gzip stream corrupted, one file missing, a line truncated."""
    root = tmp_path_factory.mktemp("broken")
    corrupt = shutil.copytree(dataset_dir, root / "corrupt-gzip")
    eob = corrupt / "ExplanationOfBenefit.ndjson"
    packed = gzip.compress(eob.read_bytes())
    (corrupt / "ExplanationOfBenefit.ndjson.gz").write_bytes(packed[:len(packed) // 2] + b"\x00garbage" * 50)
    eob.unlink()
    (shutil.copytree(dataset_dir, root / "missing-file") / "Coverage.ndjson").unlink()
    truncated = shutil.copytree(dataset_dir, root / "truncated") / "Patient.ndjson"
    truncated.write_bytes(truncated.read_bytes()[:-40])
    return root


@pytest.mark.parametrize("argv, expected", [
    (["generate", "-n", "abc"], "'-n'"), (["generate", "--seed", "-1"], "--seed"),
    (["generate", "--workers", "0"], "--workers"),
    (["generate", "--start", "2025-13-01"], "--start"), (["generate", "--format", "xml"], "--format"),
    (["generate", "--profile", "nosuch"], "unknown profile 'nosuch'"), (["serve", "--port", "70000"], "--port"),
    (["users", "--limit", "0"], "--limit"), (["users", "--limit", "many"], "--limit"),
    (["apps", "create", "--name", "x", "--redirect-uri", "http://x/cb", "--data-access", "forever"], "--data-access"),
    (["apps", "create", "--name", "x"], "--redirect-uri"), (["nosuchcommand"], "nosuchcommand"),
    (["validate"], "DIRECTORY"),
    (["serve", "--public-url", "sandbox.example.org"], "--public-url"),
    (["serve", "--public-url", "https://sandbox.example.org/api"], "no path"),
    (["apps", "fault", "x" * 40], "--allow-header"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_wrong_types_and_values(capsys, argv, expected):
    assert_one_error_line(*run_cli(capsys, *argv), expected)


@pytest.mark.parametrize("name, expected", [("typo", "populaton: unknown key"),
                                            ("range", "population.female_share: 1.4 is not a probability"),
                                            ("broken", "broken.yaml")])
def test_profile_mistakes(capsys, bad_profiles, tmp_path, name, expected):
    code, output = run_cli(capsys, "generate", "--profile", bad_profiles / f"{name}.yaml", "-n", "1",
                           "--out", tmp_path / "out", "--quiet")
    assert_one_error_line(code, output, expected)
    assert not (tmp_path / "out" / "manifest.json").exists()


@pytest.mark.parametrize("command", ["validate", "stats", "load"])
def test_missing_and_non_dataset_directories(capsys, tmp_path, command):
    extra = ["--db", tmp_path / "s.db"] if command == "load" else []
    for directory in (tmp_path / "nonexistent", tmp_path):
        assert_one_error_line(*run_cli(capsys, command, directory, *extra), str(directory))


@pytest.mark.parametrize("broken, expected", [("corrupt-gzip", "ExplanationOfBenefit.ndjson.gz"),
                                              ("missing-file", "Coverage.ndjson"),
                                              ("truncated", "Patient.ndjson")])
def test_broken_datasets(capsys, broken_datasets, tmp_path, broken, expected):
    directory = broken_datasets / broken
    assert_one_error_line(*run_cli(capsys, "load", directory, "--db", tmp_path / "s.db"), expected)
    code, output = run_cli(capsys, "serve", "--data", directory, "--db", tmp_path / "s.db", "--port", "9")
    assert_one_error_line(code, output, expected)
    assert "Traceback" not in run_cli(capsys, "stats", directory)[1]  # stats may report on what is there


def test_db_paths_that_cannot_be_a_store(capsys, dataset_dir, tmp_path):
    assert_one_error_line(*run_cli(capsys, "load", dataset_dir, "--db", tmp_path), "is a directory")
    (tmp_path / "file").write_text("x")
    assert_one_error_line(*run_cli(capsys, "users", "--db", tmp_path / "file" / "s.db"))
    (tmp_path / "junk.db").write_bytes(b"this is not SQLite" * 100)
    assert_one_error_line(*run_cli(capsys, "apps", "list", "--db", tmp_path / "junk.db"))


def test_unknown_app(capsys, tmp_path):
    assert_one_error_line(*run_cli(capsys, "apps", "delete", "nope", "--db", tmp_path / "s.db"), "no app")
    assert_one_error_line(*run_cli(capsys, "apps", "create", "--name", "x", "--redirect-uri", "ftp://x",
                                   "--db", tmp_path / "s.db"), "redirect URI")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode, so chmod 000 cannot make "
                                              "them unreadable here")
def test_unreadable_dataset_directory(capsys, dataset_dir, tmp_path):
    locked = shutil.copytree(dataset_dir, tmp_path / "locked")
    os.chmod(locked, 0)
    try:
        for command in (["load", locked, "--db", tmp_path / "s.db"], ["validate", locked], ["stats", locked]):
            assert_one_error_line(*run_cli(capsys, *command))
    finally:
        os.chmod(locked, 0o755)
