"""How the dashboard uses the store: a read-only connection shared by the requests while they
come, a read-write one only for the moment of a write (an acknowledgement, a user change).

Why: DuckDB lets one process write a file at a time, and within one process a file cannot
be open read-only and read-write at once.  Opening the file costs tens of milliseconds (a new
database instance with its own threads), too much for every request of a busy dashboard, so
requests share one read-only connection (a cursor each) that is closed again once no request
has used it for :data:`IDLE_CLOSE_SECONDS`: ``serve`` holds no connection while idle
(``socialaudit ingest``, ``route`` or ``users add`` can open the store then), and a
readers-writer lock keeps this process's own readers and writers apart.
While another process writes (a long import) the store cannot be opened at all: requests that
need it get :class:`StoreBusy` (HTTP 503, "try again"), pages served from the caches keep
working (see :mod:`socialaudit.web.auditcache`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ..errors import StoreError
from ..store import Store


#: Close the shared read-only connection after this long without a request.
IDLE_CLOSE_SECONDS = 1.0


class StoreBusy(StoreError):
    """Another process holds the store's write lock (an import, ``route``, ``enrich``...).
    A :class:`StoreError`, so that the command line reports it in one line."""


class ReadWriteLock:
    """Many readers or one writer; a waiting writer stops new readers (no starvation)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            self._waiting_writers += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


Version = tuple[int, int, int, int, int]


def _is_lock_error(exc: StoreError) -> bool:
    cause = exc.__cause__
    return isinstance(cause, duckdb.IOException) and "lock" in str(cause).lower()


class StoreAccess:
    """Opens the store for one request at a time; tells when its content may have changed."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise StoreError(f"{self.path}: no such store (run `socialaudit ingest` first)")
        self._lock = ReadWriteLock()
        #: counts this process's writes: file times can be too coarse to tell two quick writes apart
        self._generation = 0
        #: called with (version before, version after) of each write made here
        self.write_listeners: list[Callable[[Version, Version], None]] = []
        self._shared: Store | None = None
        self._shared_lock = threading.Lock()
        self._in_flight = 0
        self._last_used = 0.0
        self._closer: threading.Thread | None = None

    def version(self) -> Version:
        """Changes whenever a write reaches the file or its write-ahead log (any process)."""
        def stat(p: Path) -> tuple[int, int]:
            try:
                s = p.stat()
            except FileNotFoundError:
                return 0, 0
            return s.st_mtime_ns, s.st_size

        return stat(self.path) + stat(self.path.with_name(self.path.name + ".wal")) + (self._generation,)

    def _open(self, read_only: bool) -> Store:
        try:
            store = Store(self.path, read_only=read_only, lock_wait=0)  # a page answers 503 at once
            # Many small concurrent queries: one thread each serves them better than every query
            # splitting itself over all cores (measured with `socialaudit bench serve`).
            store.con.execute("SET threads = 1")
            return store
        except StoreError as exc:
            if _is_lock_error(exc):
                raise StoreBusy(str(exc)) from exc
            raise

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock.shared():
            with self._shared_lock:
                if self._shared is None:
                    self._shared = self._open(read_only=True)
                    self._start_closer()
                self._in_flight += 1
                cursor = self._shared.con.cursor()
            try:
                cursor.execute("SET TimeZone = 'UTC'")
                yield cursor
            finally:
                cursor.close()
                with self._shared_lock:
                    self._in_flight -= 1
                    self._last_used = time.monotonic()

    def _start_closer(self) -> None:
        if self._closer is None or not self._closer.is_alive():
            self._closer = threading.Thread(target=self._close_when_idle, name="store-idle-closer", daemon=True)
            self._closer.start()

    def _close_when_idle(self) -> None:
        while True:
            time.sleep(IDLE_CLOSE_SECONDS / 4)
            with self._shared_lock:
                if self._shared is None:
                    return
                if not self._in_flight and time.monotonic() - self._last_used >= IDLE_CLOSE_SECONDS:
                    self._close_shared()
                    return

    def _close_shared(self) -> None:
        """Close the shared read-only connection (caller holds ``_shared_lock``, no reader in flight)."""
        if self._shared is not None:
            self._shared.close()
            self._shared = None

    def close(self) -> None:
        with self._lock.exclusive(), self._shared_lock:
            self._close_shared()

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection for one short write.  The dashboard writes only read records
        and users, never what the audit is computed from (caches keep their value across these
        writes).  Do not call a cache's ``get()`` inside ``read()`` or ``write()``: the locks do
        not nest."""
        with self._lock.exclusive():
            with self._shared_lock:
                self._close_shared()  # no reader is in flight: the file must not be open read-only
            before = self.version()
            store = self._open(read_only=False)
            try:
                yield store.con
            finally:
                store.close()
                self._generation += 1
            after = self.version()
        for listener in self.write_listeners:
            listener(before, after)
