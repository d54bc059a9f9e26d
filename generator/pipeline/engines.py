"""Where shards run: local worker processes, or Dask tasks on a (local or remote) Dask cluster.

Both engines take the same `ShardJob`s and yield the same small results ({"index", "beneficiaries",
"counts"}) in completion order; the parts themselves go to the shared parts directory, so the
assembled bytes do not depend on the engine either.
"""
from __future__ import annotations

import logging
import signal
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from collections.abc import Iterator

from generator.errors import UserError
from generator.pipeline.worker import ShardJob, write_shard

class EngineError(UserError):
    """The chosen engine cannot run (Dask not installed, scheduler unreachable)."""


def run_jobs(jobs: list[ShardJob], workers: int, engine: str = "local", scheduler: str | None = None) -> Iterator[dict]:
    if engine == "dask":
        return _dask(jobs, workers, scheduler)
    return _local(jobs, workers)


def _local(jobs: list[ShardJob], workers: int) -> Iterator[dict]:
    if workers == 1:
        for job in jobs:
            yield write_shard(job)
        return
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_ignore_sigint)
    try:
        # at most 2 shards per worker in flight: parts waiting to be appended stay few
        todo = iter(jobs)
        pending = {pool.submit(write_shard, job) for _, job in zip(range(2 * workers), todo)}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: f.result()["index"]):
                job = next(todo, None)
                if job is not None:
                    pending.add(pool.submit(write_shard, job))
                yield future.result()
    except BaseException:
        # interrupted or failed: stop the workers now (their unfinished parts are temp files, ignored on resume)
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent (which stops them), so they print no tracebacks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _dask(jobs: list[ShardJob], workers: int, scheduler: str | None) -> Iterator[dict]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise EngineError("--engine dask needs Dask: pip install medisynth[dask]") from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="10s")
        else:
            # quiet: an interrupted local cluster would otherwise log its workers' cancellation tracebacks
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.CRITICAL)
            client = Client(cluster)
    except OSError as e:
        raise EngineError(f"cannot reach the Dask scheduler {scheduler}: {e}") from None
    try:
        futures = client.map(write_shard, jobs, pure=False)
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
