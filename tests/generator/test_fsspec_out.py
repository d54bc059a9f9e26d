"""`generate --out s3://…`: a dataset written through fsspec to an S3 API (moto's S3 server on loopback stands
in for the cloud), by local workers or Dask tasks, has the same bytes as one written to a local
directory, and a killed run finishes with --resume to the same bytes."""
import hashlib
import importlib.util
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import free_port
from generator.errors import OutputError
from generator.run import GenerateOptions, generate

fsspec = pytest.importorskip("fsspec")
s3fs = pytest.importorskip("s3fs")
moto_server = pytest.importorskip("moto.server")

ROOT = Path(__file__).resolve().parents[2]
# 4 shards, the last short
SMALL = {"profile": "default", "beneficiaries": 130, "seed": 5, "shard_size": 40, "fmt": "both"}


@pytest.fixture(scope="module")
def s3():
    """An S3 endpoint on loopback with a bucket `bkt`; the environment points fsspec (here and in child
    processes) at it."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    with pytest.MonkeyPatch.context() as env:
        for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                            "AWS_DEFAULT_REGION": "us-east-1", "FSSPEC_S3_ENDPOINT_URL": endpoint}.items():
            env.setenv(name, value)
        env.setitem(fsspec.config.conf, "s3", {"endpoint_url": endpoint})   # fsspec read the environment at import
        fs = s3fs.S3FileSystem(endpoint_url=endpoint, skip_instance_cache=True)
        fs.mkdir("bkt")
        yield fs
    server.stop()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "ds"
    generate(GenerateOptions(**SMALL, out=out, workers=1))
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def s3_digests(fs, prefix: str) -> dict[str, str]:
    fs.invalidate_cache()
    return {path[len(prefix) + 1:]: hashlib.sha256(fs.cat_file(path)).hexdigest() for path in fs.find(prefix)}


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_s3_dataset_has_the_bytes_of_a_local_one(s3, reference, engine):
    if engine == "dask":
        pytest.importorskip("dask.distributed")
    url = f"s3://bkt/two-workers-{engine}"
    summary = generate(GenerateOptions(**SMALL, out=url, workers=2, engine=engine))
    assert f"to {url}" in summary
    assert s3_digests(s3, url[len("s3://"):]) == reference
    assert len([name for name in reference if name.startswith("bundles/")]) == 130


def test_s3_refuses_a_non_empty_prefix_then_force_overwrites(s3, reference):
    generate(GenerateOptions(**SMALL, out="s3://bkt/again", workers=1))
    with pytest.raises(OutputError, match="s3://bkt/again is not empty: pass --force"):
        generate(GenerateOptions(**SMALL, out="s3://bkt/again", workers=1))
    generate(GenerateOptions(**SMALL, out="s3://bkt/again", workers=1, force=True))
    assert s3_digests(s3, "bkt/again") == reference


def test_s3_run_killed_then_resumed_has_the_same_bytes(s3, reference):
    options = dict(SMALL, out="s3://bkt/killed", workers=1)
    code = ("from generator.run import GenerateOptions, generate; "
            f"generate(GenerateOptions(**{options!r}))")
    child = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while child.poll() is None and not _done_markers(s3, "bkt/killed/.partial-parts"):
        assert time.monotonic() < deadline, "no shard finished"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL, f"the run was killed before it finished: {child.stderr.read()}"
    assert not s3.exists("bkt/killed/manifest.json")
    with pytest.raises(OutputError, match="pass --resume"):
        generate(GenerateOptions(**options))
    generate(GenerateOptions(**options, resume=True))
    assert s3_digests(s3, "bkt/killed") == reference


def _done_markers(fs, prefix: str) -> list[str]:
    fs.invalidate_cache()
    return fs.glob(prefix + "/*.done")


@pytest.mark.parametrize("url, message", [
    ("nosuch://bucket/ds", "Error: cannot write to nosuch://bucket/ds: Protocol not known: nosuch"),
    ("gs://bucket/ds", "Error: cannot write to gs://bucket/ds: Please install gcsfs to access Google Storage"),
])
def test_unusable_url_is_one_clear_line(url, message):
    if url.startswith("gs:") and importlib.util.find_spec("gcsfs"):
        pytest.skip("gcsfs is installed here")
    run = subprocess.run([sys.executable, "cli.py", "generate", "-n", "5", "--out", url], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.strip() == message


def test_unreachable_store_is_one_clear_line():
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               FSSPEC_S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}")        # nothing listens there
    run = subprocess.run([sys.executable, "cli.py", "generate", "-n", "5", "--out", "s3://bkt/ds"], cwd=ROOT,
                         capture_output=True, text=True, env=env)
    assert run.returncode == 1
    assert run.stderr.startswith("Error: cannot write to s3://bkt/ds: EndpointConnectionError: Could not connect"), \
        run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
