"""Errors a sandbox user can fix (bad dataset, bad app options): shown by the CLI as one line."""
from dataset_contract import DatasetError


class SandboxError(Exception):
    """Base class for the sandbox's user-facing errors: the message says what was wrong and how to fix it."""


class DatasetLoadError(SandboxError, DatasetError):
    """A dataset directory cannot be loaded (not a dataset, truncated line, unknown resource type): the
    dataset contract's DatasetError, raised by the store."""


class StoreError(SandboxError):
    """The store file cannot be opened or is not a SQLite database (bad --db path, a foreign file, no space)."""
