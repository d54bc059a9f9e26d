"""Where a dataset's files go: a directory on this machine, or an fsspec URL (s3://, gs://, az://, memory:// …).

Both stores offer the few operations generation needs. A local file is written under a temporary
name and renamed when complete. An object store has no cheap rename, but an object appears whole
when its upload closes, so there files are written under their final names. fsspec and the
filesystem's own package (s3fs, gcsfs, adlfs …) are needed only for URLs.
"""
from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import BinaryIO

from generator.errors import OutputError

WRITE_BUFFER = 1 << 20


def is_url(location: str | Path) -> bool:
    """An fsspec URL other than file:// (which is a local path)."""
    text = str(location)
    return "://" in text and not text.startswith("file://")


def local_path(location: str | Path) -> Path:
    text = str(location)
    return Path(text[len("file://"):]) if text.startswith("file://") else Path(text)


def describe(error: Exception) -> str:
    """A storage error in a few words: the OS's reason, or the filesystem library's error and message."""
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return f"{type(error).__name__}: {error}"


def join(base: str, name: str) -> str:
    return base.rstrip("/") + "/" + name


class LocalStore:
    """Files on this machine: written to `<name>.tmp`, renamed by `commit`."""

    def create(self, path: str) -> BinaryIO:
        return open(path + ".tmp", "wb", buffering=WRITE_BUFFER)

    def commit(self, path: str) -> None:
        os.replace(path + ".tmp", path)

    def put(self, path: str, data: bytes) -> None:
        with self.create(path) as f:
            f.write(data)
        self.commit(path)

    def read(self, path: str) -> bytes:
        return Path(path).read_bytes()

    def listing(self, path: str) -> list[str]:
        """Names directly under path."""
        return os.listdir(path) if os.path.isdir(path) else []


class UrlStore:
    """An fsspec filesystem: an object appears whole when its upload closes, so `commit` has nothing to do."""

    def __init__(self, url: str):
        try:
            import fsspec
        except ImportError:
            raise OutputError(f"writing to {url} needs fsspec and the package for its filesystem: "
                              "pip install 'medisynth[cloud]' (plus s3fs, gcsfs or adlfs)") from None
        try:
            self.fs, self.root = fsspec.core.url_to_fs(url)
        except (ImportError, ValueError) as e:
            raise OutputError(f"cannot write to {url}: {e}") from None
        self.protocol = url.split("://", 1)[0]

    def url(self, path: str) -> str:
        """The URL of a path of this filesystem (workers reopen the filesystem from it)."""
        return path if "://" in path else f"{self.protocol}://{path}"

    def create(self, path: str) -> BinaryIO:
        return self.fs.open(path, "wb", block_size=8 * WRITE_BUFFER)

    def commit(self, path: str) -> None:
        pass

    def put(self, path: str, data: bytes) -> None:
        self.fs.pipe_file(path, data)

    def read(self, path: str) -> bytes:
        return self.fs.cat_file(path)

    def exists(self, path: str) -> bool:
        return self.fs.exists(path)

    def listing(self, path: str) -> list[str]:
        """Names directly under path (fresh: the listing cache is dropped first)."""
        self.fs.invalidate_cache(path)
        if not self.fs.exists(path):
            return []
        return [p.rstrip("/").rsplit("/", 1)[-1] for p in self.fs.ls(path, detail=False)]

    def remove(self, path: str) -> None:
        if self.fs.exists(path):
            self.fs.rm(path, recursive=True)


def store_for(location: str) -> LocalStore | UrlStore:
    """The store that writes a location (one per process and filesystem)."""
    return _url_store(location.split("://", 1)[0]) if is_url(location) else LOCAL


@cache
def _url_store(protocol: str) -> UrlStore:
    return UrlStore(protocol + "://")


LOCAL = LocalStore()
