"""
The work queue of one host: a table in the SQLite database beside the token file, which every process on the
host (and the same process after a restart) shares.

An entry is a row (table ``work``); who holds it and its fencing token are in the row too. :meth:`SQLiteWorkQueue.take`
hands out, in one write transaction, the first entry of every key if it is due and nobody alive holds it. Who is
alive: a row per worker process in ``work_workers``, renewed by its heartbeat, and a mark each process holds for its
whole life (:class:`~wxc_cc.stores.file_locks.LifeMarks`): a process that starts sees at once which of its
predecessors are gone and takes their entries over. Ids queued in the last hour are in ``work_seen``.

Writes are made durable before they return (``synchronous=FULL``): an entry put is an entry kept, whatever happens to
the process. A database written by the previous version (a table ``tasks``) is carried over when first opened.
"""
import logging
import threading
import time
import uuid
from typing import Any, Callable, Optional

from .file_locks import LifeMarks
from .queue import CLAIM_AFTER, LONG_RUNNING, REMEMBER, Entry, Lease, LeaseLost, WorkQueue
from .sqlite import SQLiteDatabase

__all__ = ['SQLiteWorkQueue']

log = logging.getLogger(__name__)

SCHEMA = (
    'CREATE TABLE IF NOT EXISTS work (id INTEGER PRIMARY KEY AUTOINCREMENT, nid TEXT NOT NULL, key TEXT NOT NULL, '
    'kind TEXT NOT NULL DEFAULT \'\', due REAL NOT NULL, body TEXT NOT NULL, owner TEXT, '
    'fence INTEGER NOT NULL DEFAULT 0, since REAL, attempts INTEGER NOT NULL DEFAULT 0, state TEXT, '
    'reason TEXT NOT NULL DEFAULT \'\', dead INTEGER NOT NULL DEFAULT 0)',
    'CREATE INDEX IF NOT EXISTS work_by_key ON work (dead, key, due, id)',
    'CREATE TABLE IF NOT EXISTS work_seen (nid TEXT PRIMARY KEY, token TEXT NOT NULL, expires REAL NOT NULL) '
    'WITHOUT ROWID',
    'CREATE TABLE IF NOT EXISTS work_workers (consumer TEXT PRIMARY KEY, until REAL NOT NULL) WITHOUT ROWID',
    # the previous version's table (26b0017 and before): its entries are carried over, once
    'CREATE TABLE IF NOT EXISTS tasks (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, created REAL NOT NULL, '
    'task TEXT NOT NULL, owner TEXT, lease_until REAL, attempts INTEGER NOT NULL DEFAULT 0, state TEXT, '
    'reason TEXT NOT NULL DEFAULT \'\', dead INTEGER NOT NULL DEFAULT 0)',
)

#: the first entry of each key (by due time, then arrival), if it is due and no live worker holds an entry of that
#: key (an earlier-due entry put while a later one runs waits for it)
_HEADS = ('SELECT id FROM work AS t WHERE dead = 0 AND due <= :now AND id = (SELECT id FROM work WHERE dead = 0 '
          'AND key = t.key ORDER BY due, id LIMIT 1) AND NOT EXISTS (SELECT 1 FROM work AS held WHERE held.dead = 0 '
          'AND held.key = t.key AND held.owner IN (SELECT consumer FROM work_workers WHERE until >= :now)) '
          'ORDER BY due, id LIMIT :limit')

#: the previous version's entries, carried over (its ``created`` is the due time; its record the body)
_CARRY_OVER = ('INSERT INTO work (nid, key, kind, due, body, attempts, state, reason, dead) '
               'SELECT COALESCE(json_extract(task, \'$.id\'), \'tasks:\' || id), key, '
               'COALESCE(json_extract(task, \'$.kind\'), \'\'), created, task, attempts, state, reason, dead '
               'FROM tasks WHERE json_valid(task) ORDER BY id')


#: the previous version's claims of notifications (coordination's ``seen``), as this queue's
_CARRY_CLAIMS = ('INSERT INTO work_seen (nid, token, expires) SELECT key, \'\', expires FROM seen WHERE '
                 '(key LIKE \'message:%\' OR key LIKE \'action:%\' OR key LIKE \'membership:%\' OR '
                 'key LIKE \'call:%\' OR key LIKE \'mwi:%\') ON CONFLICT (nid) DO NOTHING')


#: an entry not set aside that no live worker holds: one that can still be withdrawn
_UNTAKEN = 'dead = 0 AND (owner IS NULL OR owner NOT IN (SELECT consumer FROM work_workers WHERE until >= :now))'

#: an entry no live worker holds, removed (RETURNING its row when it was)
_WITHDRAW = f'DELETE FROM work WHERE nid = :nid AND {_UNTAKEN} RETURNING id'


class SQLiteWorkQueue(WorkQueue):
    """
    The work queue in SQLite.

    :param database: the database beside the token file (its writes are made durable)
    :param marks: where this host's worker processes show they are alive
    :param lifetime: seconds a worker's heartbeat lives unless renewed
    :param remember: seconds an entry's id is remembered
    :param clock: seconds since the epoch
    """

    def __init__(self, database: SQLiteDatabase, marks: LifeMarks, lifetime: float = CLAIM_AFTER,
                 remember: float = REMEMBER, clock: Callable[[], float] = time.time):
        super().__init__(lifetime, remember)
        self.database = database
        self.marks = marks
        self.clock = clock
        database.ensure(*SCHEMA)
        #: woken by :meth:`put`, :meth:`finish` and :meth:`wake`, so that this process's workers need not wait for
        #: their next look
        self.arrived = threading.Condition()
        self._woken: set[str] = set()
        self._carried = False

    def _carry_over(self) -> None:
        """Entries of the previous version's table, moved into this one (once per database)."""
        if self._carried:
            return
        [[(count,)], [(claims,)]] = self.database.transaction([
            ('SELECT COUNT(*) FROM tasks', ()),
            ("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'seen'", ())])
        if count or claims:
            # the notifications the previous version claimed stay claimed (its claims were coordination's)
            self.database.transaction([(_CARRY_OVER, ()), ('DELETE FROM tasks', ())] + ([(_CARRY_CLAIMS, ())] if claims
                                                                                          else []))
        if count:
            log.warning('queue: %d task(s) of the previous version carried over', count)
        self._carried = True

    def put(self, entry: Entry, replacing: Optional[str] = None) -> bool:
        now = self.clock()
        [_, _, inserted, _] = self.database.transaction([
            (_WITHDRAW, {'nid': replacing or '', 'now': now}),
            ('DELETE FROM work_seen WHERE nid = ? AND expires <= ?', (entry.id, now)),
            ('INSERT INTO work_seen (nid, token, expires) VALUES (?, ?, ?) ON CONFLICT (nid) DO NOTHING '
             'RETURNING nid', (entry.id, uuid.uuid4().hex, now + self.remember)),
            ('INSERT INTO work (nid, key, kind, due, body) SELECT ?, ?, ?, ?, ? WHERE changes() = 1 RETURNING id',
             (entry.id, entry.key, entry.kind, entry.due, entry.body))])
        if inserted:
            self._wake_all()
        return bool(inserted)

    def withdraw(self, entry_id: str) -> bool:
        [removed] = self.database.transaction([(_WITHDRAW, {'nid': entry_id, 'now': self.clock()})])
        return bool(removed)

    def scheduled(self, key: str, kind: str) -> list[Entry]:
        rows = self.database.execute(
            f'SELECT nid, due, body FROM work WHERE key = :key AND kind = :kind AND {_UNTAKEN} ORDER BY due, id',
            {'key': key, 'kind': kind, 'now': self.clock()}).fetchall()
        return [Entry(id=nid, key=key, kind=kind, due=due, body=body) for nid, due, body in rows]

    def take(self, consumer: str, limit: int, wait: float = 0.0) -> list[Lease]:
        leases = self._take(consumer, limit)
        if not leases and wait > 0 and limit > 0:
            # this process's own puts wake the wait; other processes' are seen at the next look
            with self.arrived:
                if consumer not in self._woken:
                    self.arrived.wait(wait)
                self._woken.discard(consumer)
            leases = self._take(consumer, limit)
        return leases

    def _take(self, consumer: str, limit: int) -> list[Lease]:
        if limit <= 0:
            return []
        now = self.clock()
        [rows] = self.database.transaction([
            (f'UPDATE work SET owner = :me, fence = fence + 1, attempts = attempts + 1, since = :now WHERE id IN '
             f'({_HEADS}) RETURNING id, nid, key, kind, due, body, fence, attempts, state, reason',
             {'me': consumer, 'now': now, 'limit': limit})])
        rows.sort(key=lambda row: (row[4], row[0]))
        return [Lease(entry=Entry(id=nid, key=key, kind=kind, due=due, body=body), attempts=attempts, state=state,
                      fence=fence, handle=row_id, holder=consumer, reason=reason, since=now)
                for row_id, nid, key, kind, due, body, fence, attempts, state, reason in rows]

    def wake(self, consumer: str) -> None:
        with self.arrived:
            self._woken.add(consumer)
            self.arrived.notify_all()

    def beat(self, consumer: str, long_running: tuple[Lease, ...] = ()) -> int:
        self.marks.mark(consumer)
        self._carry_over()
        now = self.clock()
        self.database.execute('INSERT INTO work_workers (consumer, until) VALUES (?, ?) ON CONFLICT (consumer) DO '
                              'UPDATE SET until = excluded.until', (consumer, now + self.lifetime))
        # the workers of this host that are gone: their marks are free (or their heartbeat lapsed long ago)
        others = self.database.execute(
            'SELECT consumer, until FROM work_workers WHERE consumer != ? UNION SELECT DISTINCT owner, 0 FROM work '
            'WHERE owner IS NOT NULL AND owner != ? AND owner NOT IN (SELECT consumer FROM work_workers)',
            (consumer, consumer)).fetchall()
        gone = [name for name, until in others if until < now or self.marks.gone(name)]
        again = 0
        for name in gone:
            [released, _] = self.database.transaction([
                ('UPDATE work SET owner = NULL, since = NULL WHERE owner = ? AND dead = 0 RETURNING id', (name,)),
                ('DELETE FROM work_workers WHERE consumer = ?', (name,))])
            again += len(released)
        if again:
            log.warning('queue: %d task(s) of stopped workers handed out again', again)
            self._wake_all()
        if self.clock() - now > self.lifetime / 3:
            log.warning('queue: heartbeat of %s took %.1f s', consumer, self.clock() - now)
        return again

    def leave(self, consumer: str) -> None:
        self.database.transaction([
            ('UPDATE work SET owner = NULL, since = NULL, attempts = attempts - 1 WHERE owner = ? AND dead = 0',
             (consumer,)),
            ('DELETE FROM work_workers WHERE consumer = ?', (consumer,))])
        self.marks.unmark(consumer)
        self._wake_all()

    def _held(self, lease: Lease, what: str, sql: str, parameters: tuple) -> None:
        """Run ``sql`` (its last parameters: the row, the fence, the holder) only while the caller holds the entry."""
        cursor = self.database.execute(sql + ' WHERE id = ? AND fence = ? AND owner = ?',
                                       (*parameters, lease.handle, lease.fence, lease.holder))
        if cursor.rowcount != 1:
            log.warning('queue: %s of task %s refused: its lease (fence %d) was lost', what, lease.id, lease.fence)
            raise LeaseLost(lease.id)

    def record(self, lease: Lease, state: str) -> None:
        self._held(lease, 'journal', 'UPDATE work SET state = ?', (state,))
        lease.state, lease.pending_state = state, None

    def finish(self, lease: Lease) -> None:
        self._held(lease, 'finish', 'DELETE FROM work', ())
        self._wake_all()

    def release(self, lease: Lease, reason: str = '', started: bool = True) -> None:
        self._held(lease, 'release', 'UPDATE work SET owner = NULL, since = NULL, reason = ?, state = COALESCE(?, '
                   'state), attempts = attempts - ?', (reason or lease.reason, lease.pending_state, 0 if started else 1))
        self._wake_all()

    def dead_letter(self, lease: Lease, reason: str, started: bool = True) -> None:
        self._held(lease, 'dead letter', 'UPDATE work SET dead = 1, owner = NULL, since = NULL, reason = ?, '
                   'attempts = attempts - ?', (reason, 0 if started else 1))
        self._wake_all()

    def dead_letters(self) -> list[dict[str, Any]]:
        rows = self.database.execute('SELECT nid, key, kind, attempts, reason FROM work WHERE dead = 1 ORDER BY id')
        return [{'id': nid, 'key': key, 'kind': kind, 'attempts': attempts, 'reason': reason}
                for nid, key, kind, attempts, reason in rows.fetchall()]

    def long_running(self) -> list[dict[str, Any]]:
        now = self.clock()
        rows = self.database.execute('SELECT nid, key, kind, owner, since FROM work WHERE dead = 0 AND owner IS NOT '
                                     'NULL AND since < ? ORDER BY since', (now - LONG_RUNNING,))
        return [{'id': nid, 'key': key, 'kind': kind, 'consumer': owner, 'seconds': now - since}
                for nid, key, kind, owner, since in rows.fetchall()]

    def depth(self) -> int:
        return self.database.execute('SELECT COUNT(*) FROM work WHERE dead = 0').fetchone()[0]

    def idle(self) -> bool:
        # a running entry was due when it was taken
        return not self.database.execute('SELECT EXISTS (SELECT 1 FROM work WHERE dead = 0 AND due <= ?)',
                                         (self.clock(),)).fetchone()[0]

    def _wake_all(self) -> None:
        with self.arrived:
            self.arrived.notify_all()
