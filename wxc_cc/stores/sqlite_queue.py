"""
The work queue of one host: a table in the SQLite database beside the token file, which every process on the
host (and the same process after a restart) shares.

A task is a row. Its lease (who holds it, until when) is in the row too: :meth:`SQLiteWorkQueue.take` leases, in
one write transaction, the first waiting task of every key whose first task is not leased by a live worker; a
lease not renewed for ``claim_after`` seconds lapses, and the task is taken again. Writes are made durable before
they return (``synchronous=FULL``): a task put is a task kept, whatever happens to the process.
"""
import logging
import threading
import time
from typing import Any

from ..tasks import Task
from .queue import CLAIM_AFTER, Lease, WorkQueue
from .sqlite import SQLiteDatabase

__all__ = ['SQLiteWorkQueue']

log = logging.getLogger(__name__)

SCHEMA = (
    'CREATE TABLE IF NOT EXISTS tasks (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, '
    'created REAL NOT NULL, task TEXT NOT NULL, owner TEXT, lease_until REAL, attempts INTEGER NOT NULL DEFAULT 0, '
    'state TEXT, reason TEXT NOT NULL DEFAULT \'\', dead INTEGER NOT NULL DEFAULT 0)',
    'CREATE INDEX IF NOT EXISTS tasks_by_key ON tasks (dead, key, created, id)',
)


class SQLiteWorkQueue(WorkQueue):
    """
    The work queue in SQLite.

    :param database: the database beside the token file (its writes are made durable)
    :param claim_after: seconds without a renewed lease after which a task is taken over
    """

    def __init__(self, database: SQLiteDatabase, claim_after: float = CLAIM_AFTER):
        super().__init__(claim_after)
        self.database = database
        database.ensure(*SCHEMA)
        #: woken by :meth:`put`, so that this process's workers need not wait for their next look
        self.arrived = threading.Condition()

    def put(self, task: Task) -> None:
        self.database.execute('INSERT INTO tasks (key, created, task) VALUES (?, ?, ?)',
                              (task.key, task.created, task.to_json()))
        self._wake()

    def take(self, consumer: str, limit: int, wait: float = 0.0) -> list[Lease]:
        leases = self._take(consumer, limit)
        if not leases and wait > 0 and limit > 0:
            # this process's own puts wake the wait; other processes' are seen at the next look
            with self.arrived:
                self.arrived.wait(wait)
            leases = self._take(consumer, limit)
        return leases

    def _take(self, consumer: str, limit: int) -> list[Lease]:
        if limit <= 0:
            return []
        now = time.time()
        # the first task of each key (by Webex's time, then arrival), if nobody holds it
        heads = ('SELECT id FROM tasks AS t WHERE dead = 0 AND id = (SELECT id FROM tasks WHERE dead = 0 AND '
                 'key = t.key ORDER BY created, id LIMIT 1) AND (owner IS NULL OR lease_until < ?) '
                 'ORDER BY created, id LIMIT ?')
        [rows] = self.database.transaction([
            (f'UPDATE tasks SET owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id IN ({heads}) '
             'RETURNING id, task, attempts, state, reason', (consumer, now + self.claim_after, now, limit))])
        rows.sort()
        return [Lease(task=Task.from_json(task), attempts=attempts, state=state, handle=row_id, reason=reason)
                for row_id, task, attempts, state, reason in rows]

    def renew(self, consumer: str, leases: list[Lease]) -> None:
        if leases:
            ids = [lease.handle for lease in leases]
            self.database.execute(f'UPDATE tasks SET lease_until = ? WHERE owner = ? AND id IN '
                                  f'({",".join("?" * len(ids))})', (time.time() + self.claim_after, consumer, *ids))

    def record(self, lease: Lease, state: str) -> None:
        self.database.execute('UPDATE tasks SET state = ? WHERE id = ?', (state, lease.handle))
        lease.state = state

    def finish(self, lease: Lease) -> None:
        self.database.execute('DELETE FROM tasks WHERE id = ?', (lease.handle,))
        self._wake()

    def release(self, lease: Lease, reason: str = '', started: bool = True) -> None:
        self.database.execute('UPDATE tasks SET owner = NULL, lease_until = NULL, reason = ?, attempts = attempts - ? '
                              'WHERE id = ?', (reason or lease.reason, 0 if started else 1, lease.handle))
        self._wake()

    def dead_letter(self, lease: Lease, reason: str) -> None:
        self.database.execute('UPDATE tasks SET dead = 1, owner = NULL, lease_until = NULL, reason = ? WHERE id = ?',
                              (reason, lease.handle))
        self._wake()

    def dead_letters(self) -> list[dict[str, Any]]:
        rows = self.database.execute('SELECT id, key, task, attempts, reason FROM tasks WHERE dead = 1 ORDER BY id')
        tasks = [(Task.from_json(task), key, attempts, reason) for _, key, task, attempts, reason in rows.fetchall()]
        return [{'id': task.id, 'key': key, 'kind': task.kind, 'attempts': attempts, 'reason': reason}
                for task, key, attempts, reason in tasks]

    def depth(self) -> int:
        return self.database.execute('SELECT COUNT(*) FROM tasks WHERE dead = 0').fetchone()[0]

    def _wake(self) -> None:
        with self.arrived:
            self.arrived.notify_all()
