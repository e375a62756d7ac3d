"""
Coordination of the processes on one host that share the YAML token file: a SQLite database beside it (the
standard library's :mod:`sqlite3` in WAL mode), which every process on the host opens, and which survives
restarts.

It remembers which notifications were already claimed (:meth:`SQLiteCoordination.first_time`), so that a
notification delivered twice, or replayed to another worker or after a restart, is acted on once.
"""
import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Union

from ..errors import StoreUnavailable

__all__ = ['SQLiteCoordination', 'database_beside']

log = logging.getLogger(__name__)

#: every this many claims, expired ones are removed
PRUNE_EVERY = 500

_SCHEMA = 'CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, expires REAL NOT NULL) WITHOUT ROWID'


def database_beside(token_file: Union[str, Path]) -> Path:
    """
    The coordination database of a token file: ``wxc_cc_bot.yml`` -> ``wxc_cc_bot.db`` in the same folder.
    """
    return Path(token_file).absolute().with_suffix('.db')


class SQLiteCoordination:
    """
    Coordination state in a SQLite file, shared by every process on the host.

    :param path: the database file; created with mode 0600 when missing
    :param busy_timeout: seconds to wait for another process's write to finish
    """

    def __init__(self, path: Union[str, Path], busy_timeout: float = 5.0):
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._claims = 0

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, 'connection', None)
        if connection is None:
            try:
                if not self.path.exists():
                    self.path.touch(mode=0o600)
                connection = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
                connection.execute('PRAGMA journal_mode=WAL')
                connection.execute('PRAGMA synchronous=NORMAL')
                connection.execute(_SCHEMA)
            except sqlite3.Error as error:
                raise StoreUnavailable(f'cannot open {self.path}: {error}') from error
            self._local.connection = connection
        return connection

    def _execute(self, sql: str, parameters: tuple = ()) -> sqlite3.Cursor:
        try:
            return self._connection().execute(sql, parameters)
        except sqlite3.Error as error:
            raise StoreUnavailable(f'{self.path}: {error}') from error

    def first_time(self, key: str, ttl: float) -> bool:
        """
        True the first time ``key`` is claimed within ``ttl`` seconds, for every process using the file.

        :param key: e.g. ``'message:<id>'``
        :param ttl: seconds to remember the key
        """
        now = time.time()
        cursor = self._execute('INSERT INTO seen (key, expires) VALUES (?, ?) ON CONFLICT (key) DO UPDATE '
                               'SET expires = excluded.expires WHERE seen.expires <= ?', (key, now + ttl, now))
        self._claims += 1
        if self._claims % PRUNE_EVERY == 0:
            self._execute('DELETE FROM seen WHERE expires <= ?', (now,))
        return cursor.rowcount == 1

    def forget(self, key: str) -> None:
        """
        Withdraw a claim, so that the key counts as new again (a notification that could not be taken).
        """
        self._execute('DELETE FROM seen WHERE key = ?', (key,))

    def close(self) -> None:
        """
        Close this thread's connection.
        """
        connection = getattr(self._local, 'connection', None)
        if connection is not None:
            connection.close()
            self._local.connection = None
