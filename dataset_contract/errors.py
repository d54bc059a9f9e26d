"""The one error of the contract: a directory (or file) that is not a readable dataset."""


class DatasetError(Exception):
    """A directory is not a readable dataset: the message names the directory or file, what is wrong, and how
    to fix it. Readers show it as one line (never a traceback)."""
