"""
The work queue of a deployment: Redis Streams with a consumer group, shared by every worker of every instance.

Keys (below the deployment's prefix):

* ``queue`` -- the stream of tasks (``XADD``); consumer group ``workers`` hands each entry to one worker
  (``XREADGROUP``), who acknowledges it when done (``XACK``); an entry whose worker stopped renewing it for
  ``claim_after`` seconds is taken over by another (``XAUTOCLAIM``);
* ``queue:key:<key>`` -- the entries of one key (a person) not yet finished, ordered by Webex's time: only the first
  may run;
* ``queue:running:<key>`` -- a lock (redis-py's :class:`~redis.lock.Lock`) held while a task of that key runs, so
  that two workers that both hold entries of one key never run them at once; it lapses with its worker;
* ``queue:journal:<entry>`` -- attempts, journal state and last failure of an entry;
* ``queue:dead`` -- a stream of the tasks set aside.

Why a key set and a lock besides the consumer group: the group gives each entry to one worker and hands a dead
worker's entries to another, but not in order per person; the key set says which entry is a person's next, and
the lock says who runs it.
"""
import logging
import threading
from typing import Any

import redis
from redis.lock import Lock

from ..tasks import Task
from .queue import CLAIM_AFTER, Lease, WorkQueue
from .redis_client import KeySpace, unavailable_on_redis_error

__all__ = ['RedisWorkQueue']

log = logging.getLogger(__name__)

GROUP = 'workers'

#: XADD the task and file it under its key, in one step
_PUT = '''
local id = redis.call('XADD', KEYS[1], '*', 'task', ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], id)
return id
'''


class RedisWorkQueue(WorkQueue):
    """
    The work queue in Redis.

    :param keys: the deployment's keys
    :param claim_after: seconds without a renewed lease after which a task is taken over
    """

    def __init__(self, keys: KeySpace, claim_after: float = CLAIM_AFTER):
        super().__init__(claim_after)
        self.keys = keys
        self.redis = keys.redis
        self.stream = keys.key('queue')
        self._put = self.redis.register_script(_PUT)
        self._group_ready = False
        #: entries this process holds but could not run yet (an earlier task of their key is not finished):
        #: entry id -> task
        self._waiting: dict[str, Task] = {}
        self._waiting_lock = threading.Lock()

    # --- keys

    def _of_key(self, key: str) -> str:
        return self.keys.key('queue', 'key', key)

    def _journal(self, entry: str) -> str:
        return self.keys.key('queue', 'journal', entry)

    def _running(self, key: str) -> str:
        return self.keys.key('queue', 'running', key)

    @unavailable_on_redis_error
    def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            self.redis.xgroup_create(self.stream, GROUP, id='0', mkstream=True)
        except redis.ResponseError as error:
            if 'BUSYGROUP' not in str(error):
                raise
        self._group_ready = True

    # --- the queue

    @unavailable_on_redis_error
    def put(self, task: Task) -> None:
        self._put(keys=[self.stream, self._of_key(task.key)], args=[task.to_json(), task.created])

    def take(self, consumer: str, limit: int, wait: float = 0.0) -> list[Lease]:
        """
        See :meth:`WorkQueue.take`; with ``wait``, blocks up to that many seconds for new entries when there is
        nothing to take.
        """
        if limit <= 0:
            return []
        self._ensure_group()
        try:
            return self._take(consumer, limit, wait)
        except redis.ResponseError as error:
            if 'NOGROUP' not in str(error):
                raise
            # Redis lost the group (restarted without persistence): make it again
            self._group_ready = False
            return []

    @unavailable_on_redis_error
    def _take(self, consumer: str, limit: int, wait: float) -> list[Lease]:
        leases = self._lease(self._held_and_claimed(consumer, limit), limit)
        if len(leases) < limit:
            # new entries; wait for them only when there is nothing else to do
            read = self.redis.xreadgroup(GROUP, consumer, {self.stream: '>'}, count=limit - len(leases),
                                         block=int(wait * 1000) if wait and not leases else None)
            new = [(entry, Task.from_json(fields['task'])) for _, entries in read or () for entry, fields in entries]
            leases += self._lease(new, limit - len(leases))
        return leases

    def _held_and_claimed(self, consumer: str, limit: int) -> list[tuple[str, Task]]:
        """Entries held from before, and those of workers that stopped renewing them."""
        with self._waiting_lock:
            offered = list(self._waiting.items())
            self._waiting.clear()
        # Redis 7 answers (next, entries, deleted), 6.2 (next, entries)
        claimed = self.redis.xautoclaim(self.stream, GROUP, consumer, int(self.claim_after * 1000),
                                        start_id='0-0', count=limit)[1]
        return offered + [(entry, Task.from_json(fields['task'])) for entry, fields in claimed if fields]

    def _lease(self, offered: list[tuple[str, Task]], limit: int) -> list[Lease]:
        """Leases of the entries that may run now, at most ``limit``; the others are held."""
        leases = []
        for entry, task in offered:
            lease = self._start(entry, task) if len(leases) < limit else self._hold(entry, task)
            if lease is not None:
                leases.append(lease)
        return leases

    def _hold(self, entry: str, task: Task) -> None:
        with self._waiting_lock:
            self._waiting[entry] = task

    def _start(self, entry: str, task: Task) -> Any:
        """
        The lease of an entry if it may run now: nobody runs its key, and it is its key's first. An entry that
        whoever held it before already finished is dropped; one behind an unfinished one is held for later.
        """
        # taken in one thread, released in another: the token must not be thread-local
        lock = Lock(self.redis, self._running(task.key), timeout=self.claim_after, blocking=False,
                    thread_local=False)
        if not lock.acquire():
            self._hold(entry, task)
            return None
        first = self.redis.zrange(self._of_key(task.key), 0, 0)
        if not first or first[0] != entry:
            self._unlock(lock)
            if self.redis.zscore(self._of_key(task.key), entry) is None:
                self.redis.xack(self.stream, GROUP, entry)
            else:
                self._hold(entry, task)
            return None
        with self.redis.pipeline() as pipe:
            pipe.hincrby(self._journal(entry), 'attempts', 1)
            pipe.hmget(self._journal(entry), 'state', 'reason')
            attempts, (state, reason) = pipe.execute()
        return Lease(task=task, attempts=attempts, state=state, handle=(entry, lock), reason=reason or '')

    @unavailable_on_redis_error
    def renew(self, consumer: str, leases: list[Lease]) -> None:
        held = [lease.handle[0] for lease in leases]
        with self._waiting_lock:
            held += list(self._waiting)
        for lease in leases:
            try:
                lease.handle[1].extend(self.claim_after, replace_ttl=True)
            except redis.exceptions.LockError:
                log.warning('queue: lease of %s lapsed', lease.task.id)
        if held:
            self.redis.xclaim(self.stream, GROUP, consumer, 0, held, justid=True)

    @unavailable_on_redis_error
    def record(self, lease: Lease, state: str) -> None:
        self.redis.hset(self._journal(lease.handle[0]), 'state', state)
        lease.state = state

    @unavailable_on_redis_error
    def finish(self, lease: Lease) -> None:
        with self.redis.pipeline() as pipe:
            self._end(pipe, lease)

    @unavailable_on_redis_error
    def release(self, lease: Lease, reason: str = '', started: bool = True) -> None:
        entry, lock = lease.handle
        if reason:
            self.redis.hset(self._journal(entry), 'reason', reason)
        if not started:
            self.redis.hincrby(self._journal(entry), 'attempts', -1)
        self._unlock(lock)
        self._forget([entry])

    @unavailable_on_redis_error
    def let_go(self, consumer: str) -> None:
        with self._waiting_lock:
            held = list(self._waiting)
            self._waiting.clear()
        if held:
            self._forget(held)

    def _forget(self, entries: list[str]) -> None:
        """Make entries idle as if their worker died: any worker's next look takes them over."""
        self.redis.xclaim(self.stream, GROUP, 'released', 0, entries, idle=int(self.claim_after * 1000) + 1,
                          justid=True)

    @unavailable_on_redis_error
    def dead_letter(self, lease: Lease, reason: str) -> None:
        task = lease.task
        with self.redis.pipeline() as pipe:
            pipe.xadd(self.keys.key('queue', 'dead'), {'id': task.id, 'key': task.key, 'kind': task.kind,
                                                       'attempts': lease.attempts, 'reason': reason,
                                                       'task': task.to_json()})
            self._end(pipe, lease)

    def _end(self, pipe: Any, lease: Lease) -> None:
        """Remove the entry everywhere, in one transaction with what ``pipe`` holds, and let its key go on."""
        entry, lock = lease.handle
        pipe.zrem(self._of_key(lease.task.key), entry)
        pipe.xack(self.stream, GROUP, entry)
        pipe.xdel(self.stream, entry)
        pipe.delete(self._journal(entry))
        pipe.execute()
        self._unlock(lock)

    @unavailable_on_redis_error
    def dead_letters(self) -> list[dict[str, Any]]:
        return [{'id': fields['id'], 'key': fields['key'], 'kind': fields['kind'], 'attempts': int(fields['attempts']),
                 'reason': fields['reason']} for _, fields in self.redis.xrange(self.keys.key('queue', 'dead'))]

    @unavailable_on_redis_error
    def depth(self) -> int:
        return self.redis.xlen(self.stream)

    @staticmethod
    def _unlock(lock: Lock) -> None:
        try:
            lock.release()
        except redis.exceptions.LockError:
            log.warning('queue: a lease lapsed before its task ended')
