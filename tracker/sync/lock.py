"""One writer of a whole source at a time, a sync or an import: a second one exits at
once (code 75) instead of waiting.

SQLite: an exclusive flock on a file beside the database; the kernel releases it
when the process dies, so a SIGKILLed sync never leaves a stale lock behind.
PostgreSQL: a session-level advisory lock, released when the connection closes.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from tracker.db.engine import sqlite_path
from tracker.errors import LockHeldError

ADVISORY_KEY = 0x7472616B  # "trak"


class SyncLock:
    def __init__(self, engine: Engine, activity: str = "sync") -> None:
        self.engine = engine
        self.activity = activity
        self._fd: int | None = None
        self._conn: Connection | None = None
        path = sqlite_path(str(engine.url))
        self.path = Path(str(path) + ".sync.lock") if path else None

    def acquire(self) -> None:
        if self.path is not None:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise self._held() from None
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
            self._fd = fd
        elif self.engine.dialect.name == "postgresql":
            conn = self.engine.connect()
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY})
            if not got.scalar():
                conn.close()
                raise self._held()
            conn.commit()
            self._conn = conn

    def _held(self) -> LockHeldError:
        return LockHeldError(
            "another tracker sync or import is running on this database; "
            f"not starting this {self.activity}."
        )

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        if self._conn is not None:
            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
            self._conn.close()
            self._conn = None

    def __enter__(self) -> SyncLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
