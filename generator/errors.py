"""Errors a user can fix (bad profile, bad output directory): shown as one line, never a traceback."""


class UserError(Exception):
    """Base class: the message says what was wrong and how to fix it."""


class ProfileError(UserError):
    """A profile file is missing, malformed, or breaks a rule (the message names the key and the rule)."""


class OutputError(UserError):
    """The output directory cannot be written as asked (exists, not empty, not writable, disk full)."""

