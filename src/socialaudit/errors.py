"""One exception hierarchy for everything socialaudit refuses to do.

The CLI maps :class:`SocialAuditError` to a one-line message and exit status 2 (usage or
input error) without a traceback; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class SocialAuditError(Exception):
    """Base class: a problem with the user's input or environment, not a bug."""

    exit_code = 2


class FormatError(SocialAuditError):
    """A file is not of the named (or any recognised) format at all."""

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class ConfigError(SocialAuditError):
    """A registry, mapping, config or profile file is invalid.

    ``location`` is a line number or a field path such as ``companies[3].timezone``.
    """

    def __init__(self, path: str, location: str | int | None, problem: str):
        self.path = path
        self.location = location
        self.problem = problem
        where = f"{path}:{location}" if location not in (None, "") else path
        super().__init__(f"{where}: {problem}")


class StoreError(SocialAuditError):
    """The store cannot be opened or used (locked by another process, wrong file...)."""
