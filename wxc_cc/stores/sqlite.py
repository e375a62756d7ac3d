"""
The SQLite database beside the YAML token file, where the file-backed stores other than tokens live (OAuth flows,
coordination): the standard library's :mod:`sqlite3` in WAL mode, which every process on the host can open at
once and which survives restarts.
"""
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Union

from ..errors import StoreUnavailable

__all__ = ['SQLiteDatabase', 'database_beside']

log = logging.getLogger(__name__)


def database_beside(token_file: Union[str, Path]) -> Path:
    """
    The database of a token file: ``wxc_cc_bot.yml`` -> ``wxc_cc_bot.db`` in the same folder.
    """
    return Path(token_file).absolute().with_suffix('.db')


class SQLiteDatabase:
    """
    One SQLite file shared by the processes of a host; a connection per thread, in autocommit mode (statements
    that must go together use ``BEGIN IMMEDIATE``).

    :param path: the database file; created with mode 0600 when missing
    :param busy_timeout: seconds to wait for another process's write to finish
    :param durable: make every write durable before it returns (``synchronous=FULL``); else a write survives the
        process, not necessarily a power loss (``NORMAL``, the default)
    """

    def __init__(self, path: Union[str, Path], busy_timeout: float = 5.0, durable: bool = False):
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.synchronous = 'FULL' if durable else 'NORMAL'
        self._local = threading.local()
        self._schema: list[str] = []
        self._schema_lock = threading.Lock()

    def ensure(self, *statements: str) -> None:
        """
        Declare what a store needs (``CREATE ... IF NOT EXISTS`` statements); each store adds its own tables.
        They are run when a thread first uses the database, not now.
        """
        with self._schema_lock:
            self._schema.extend(statement for statement in statements if statement not in self._schema)

    def _use_wal(self, connection: sqlite3.Connection) -> None:
        """
        Switch to WAL. While another process switches a new database at the same moment, SQLite may answer
        "database is locked" at once, without waiting ``busy_timeout``; that is waited out here, up to it.
        """
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                connection.execute('PRAGMA journal_mode=WAL')
                return
            except sqlite3.OperationalError as error:
                if 'locked' not in str(error) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)

    def connection(self) -> sqlite3.Connection:
        """
        This thread's connection, opened on first use.

        :raises StoreUnavailable: the file cannot be opened
        """
        connection = getattr(self._local, 'connection', None)
        if connection is not None and self._local.applied == len(self._schema):
            return connection
        if connection is None:
            try:
                if not self.path.exists():
                    self.path.touch(mode=0o600)
                connection = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None,
                                             check_same_thread=False)
                self._use_wal(connection)
                connection.execute(f'PRAGMA synchronous={self.synchronous}')
            except sqlite3.Error as error:
                raise StoreUnavailable(f'cannot open {self.path}: {error}') from error
            self._local.connection, self._local.applied = connection, 0
        with self._schema_lock:
            pending = self._schema[self._local.applied:]
        try:
            for statement in pending:
                connection.execute(statement)
        except sqlite3.Error as error:
            raise StoreUnavailable(f'cannot prepare {self.path}: {error}') from error
        self._local.applied += len(pending)
        return connection

    def execute(self, sql: str, parameters: tuple = ()) -> sqlite3.Cursor:
        """
        Run one statement.

        :raises StoreUnavailable: SQLite failed (e.g. the disk is full, or another process held it too long)
        """
        try:
            return self.connection().execute(sql, parameters)
        except sqlite3.Error as error:
            raise StoreUnavailable(f'{self.path}: {error}') from error

    def transaction(self, statements: Iterable[tuple[str, tuple]]) -> list[list[tuple]]:
        """
        Run statements as one transaction that takes the write lock at once (``BEGIN IMMEDIATE``).

        :return: the rows each statement returned, in order
        :raises StoreUnavailable: SQLite failed; nothing was changed
        """
        connection = self.connection()
        try:
            connection.execute('BEGIN IMMEDIATE')
            try:
                rows = [connection.execute(sql, parameters).fetchall() for sql, parameters in statements]
                connection.execute('COMMIT')
                return rows
            except BaseException:
                connection.execute('ROLLBACK')
                raise
        except sqlite3.Error as error:
            raise StoreUnavailable(f'{self.path}: {error}') from error
