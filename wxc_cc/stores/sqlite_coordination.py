"""
Coordination of the processes of one host (the YAML token store's deployments): claims, counters and notes in
the SQLite database beside the token file (:class:`~wxc_cc.stores.sqlite.SQLiteDatabase`), locks with
``flock`` (:class:`~wxc_cc.stores.file_locks.FileLocks`). Everything holds for every process on the host and
across restarts.
"""
import logging
import time
from contextlib import AbstractContextManager
from typing import Optional

from .coordination import Coordination, Locks
from .sqlite import SQLiteDatabase

__all__ = ['SQLiteCoordination']

log = logging.getLogger(__name__)

#: every this many writes, expired rows are removed
PRUNE_EVERY = 500

#: counters untouched for this many seconds are removed (longer than any rate-limit window)
COUNTER_MEMORY = 86400

SCHEMA = (
    'CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, expires REAL NOT NULL) WITHOUT ROWID',
    'CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, started REAL NOT NULL, count INTEGER NOT NULL) '
    'WITHOUT ROWID',
    'CREATE TABLE IF NOT EXISTS notes (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires REAL NOT NULL) '
    'WITHOUT ROWID',
)


class SQLiteCoordination(Coordination):
    """
    Coordination in a SQLite file, shared by every process on the host.

    :param database: the database beside the token file
    :param locks: the host's file locks
    """

    def __init__(self, database: SQLiteDatabase, locks: Locks):
        self.database = database
        self.locks = locks
        database.ensure(*SCHEMA)
        self._writes = 0

    def _wrote(self, now: float) -> None:
        self._writes += 1
        if self._writes % PRUNE_EVERY == 0:
            self.database.transaction([('DELETE FROM seen WHERE expires <= ?', (now,)),
                                       ('DELETE FROM notes WHERE expires <= ?', (now,)),
                                       ('DELETE FROM counters WHERE started <= ?', (now - COUNTER_MEMORY,))])

    def lock(self, name: str, timeout: float = 20.0) -> AbstractContextManager:
        return self.locks.lock(name, timeout)

    def first_time(self, key: str, ttl: float) -> bool:
        now = time.time()
        cursor = self.database.execute(
            'INSERT INTO seen (key, expires) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET expires = excluded.expires '
            'WHERE seen.expires <= ?', (key, now + ttl, now))
        self._wrote(now)
        return cursor.rowcount == 1

    def count(self, key: str, window: float) -> int:
        now = time.time()
        cursor = self.database.execute(
            'INSERT INTO counters (key, started, count) VALUES (?, ?, 1) ON CONFLICT (key) DO UPDATE SET '
            'count = CASE WHEN counters.started <= ? THEN 1 ELSE counters.count + 1 END, '
            'started = CASE WHEN counters.started <= ? THEN excluded.started ELSE counters.started END '
            'RETURNING count', (key, now, now - window, now - window))
        count = cursor.fetchone()[0]
        self._wrote(now)
        return count

    def set_note(self, key: str, value: str, ttl: float) -> None:
        now = time.time()
        self.database.execute('INSERT INTO notes (key, value, expires) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE '
                              'SET value = excluded.value, expires = excluded.expires', (key, value, now + ttl))
        self._wrote(now)

    def get_note(self, key: str) -> Optional[str]:
        row = self.database.execute('SELECT value FROM notes WHERE key = ? AND expires > ?',
                                    (key, time.time())).fetchone()
        return row[0] if row else None

    def delete_note(self, key: str) -> None:
        self.database.execute('DELETE FROM notes WHERE key = ?', (key,))

    def check(self) -> None:
        self.database.execute('SELECT 1')
