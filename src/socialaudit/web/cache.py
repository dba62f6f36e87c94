"""Values computed from the store and kept until the store changes.

Why: the audit takes seconds on a big store and every page would otherwise recompute it;
the user table is needed on every request.  A value is recomputed lazily, on the first
request after the store's version (file and write-ahead-log times and sizes) changed.  When
the store cannot be opened because another process is writing (an import), the last value is
served, marked stale, so the dashboard keeps answering during long imports.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

import duckdb

from .db import StoreAccess, StoreBusy, Version

T = TypeVar("T")


@dataclass(frozen=True)
class Cached(Generic[T]):
    value: T
    version: Version
    computed_at: dt.datetime
    stale: bool = False


class StoreCache(Generic[T]):
    """``compute(con)`` once per store version.

    With ``survives_own_writes`` the value is kept across this process's own writes (read
    acknowledgements, user changes), which do not touch what it was computed from: an
    acknowledgement must not cost a new audit.
    """

    def __init__(self, access: StoreAccess, compute: Callable[[duckdb.DuckDBPyConnection], T], *,
                 survives_own_writes: bool = False) -> None:
        self._access = access
        self._compute = compute
        self._lock = threading.Lock()
        self._cached: Cached[T] | None = None
        if survives_own_writes:
            access.write_listeners.append(self._carry_over)

    def _carry_over(self, before: Version, after: Version) -> None:
        with self._lock:
            if self._cached is not None and self._cached.version == before:
                self._cached = replace(self._cached, version=after)

    @property
    def cached(self) -> Cached[T] | None:
        return self._cached

    def clear(self) -> None:
        with self._lock:
            self._cached = None

    def get(self) -> Cached[T]:
        with self._lock:
            version = self._access.version()
            if self._cached is not None and self._cached.version == version:
                return self._cached
            try:
                with self._access.read() as con:
                    value = self._compute(con)
            except StoreBusy:
                if self._cached is None:
                    raise
                return replace(self._cached, stale=True)
            self._cached = Cached(value, version, dt.datetime.now(dt.UTC))
            return self._cached
