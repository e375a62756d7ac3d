"""
OAuth flows in the SQLite database beside the YAML token file, shared by every process on the host.
"""
import time
from typing import Optional

from .flows import FLOW_LIFETIME, FlowStore
from .sqlite import SQLiteDatabase

__all__ = ['SQLiteFlowStore']

SCHEMA = ('CREATE TABLE IF NOT EXISTS flows (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires REAL NOT NULL) '
          'WITHOUT ROWID',)


class SQLiteFlowStore(FlowStore):
    """
    Flows in SQLite.

    :param database: the database beside the token file
    :param lifetime: seconds a flow stays valid
    """

    def __init__(self, database: SQLiteDatabase, lifetime: float = FLOW_LIFETIME):
        super().__init__(lifetime)
        self.database = database
        database.ensure(*SCHEMA)

    def _save(self, flow_id: str, user_id: str, expires_at: float) -> None:
        self.database.transaction([
            ('DELETE FROM flows WHERE expires < ? OR user_id = ?', (time.time(), user_id)),
            ('INSERT INTO flows (id, user_id, expires) VALUES (?, ?, ?)', (flow_id, user_id, expires_at))])

    def take(self, flow_id: str) -> Optional[str]:
        row = self.database.execute('DELETE FROM flows WHERE id = ? RETURNING user_id, expires',
                                    (flow_id,)).fetchone()
        if row is None or row[1] < time.time():
            return None
        return row[0]

    def maintenance(self) -> int:
        return self.database.execute('DELETE FROM flows WHERE expires < ?', (time.time(),)).rowcount

    def pending(self) -> int:
        return self.database.execute('SELECT COUNT(*) FROM flows WHERE expires >= ?', (time.time(),)).fetchone()[0]

    def clear(self) -> int:
        return self.database.execute('DELETE FROM flows').rowcount
