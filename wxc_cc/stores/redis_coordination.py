"""
Coordination of a whole deployment in Redis: locks (redis-py's :class:`redis.lock.Lock`, which expires should
its holder die), claims (a key set once, holding who claimed it), counters (``INCR`` with a time to live) and
notes (values with a time to live). While Redis is away, claims and counters fall back to this process's memory:
better act on a rare duplicate, and limit per process, than drop every notification.
"""
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Optional

import redis

from ..errors import StoreUnavailable
from .coordination import Coordination, SeenWindow, WindowCounter
from .redis_client import REDIS_ERRORS, KeySpace, unavailable_on_redis_error

__all__ = ['RedisCoordination']

log = logging.getLogger(__name__)

#: seconds a lock is held at most should its holder die
LOCK_EXPIRY = 60

# KEYS[1]: the claim; ARGV: the claimant, milliseconds to keep it. The claimant itself asking again counts as first:
# a claim is retried when the reply was lost (a failover), and it must not then pass for somebody else's.
_CLAIM = """
local holder = redis.call('GET', KEYS[1])
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  return 1
end
return 0
"""


# KEYS[1]: the counter; ARGV[1]: milliseconds of its window. One round trip, on every Redis from 6.2 on (PEXPIRE's NX
# option, which would do the same in a pipeline, is Redis 7's).
_COUNT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count
"""


class RedisCoordination(Coordination):
    """
    Coordination in Redis.

    :param keys: the deployment's keys
    """

    def __init__(self, keys: KeySpace):
        self.keys = keys
        self.redis = keys.redis
        self._seen = SeenWindow()
        self._claim = self.redis.register_script(_CLAIM)
        self._count = self.redis.register_script(_COUNT)
        self._counter = WindowCounter()

    @contextmanager
    def lock(self, name: str, timeout: float = 20.0) -> Iterator[None]:
        lock = self.redis.lock(self.keys.key('lock', name), timeout=LOCK_EXPIRY, blocking_timeout=timeout)
        try:
            acquired = lock.acquire()
        except REDIS_ERRORS as error:
            raise StoreUnavailable(f'lock {name}: Redis unavailable: {error}') from error
        if not acquired:
            raise StoreUnavailable(f'lock {name} not acquired in {timeout} s')
        try:
            yield
        finally:
            try:
                lock.release()
            except (redis.exceptions.LockError, *REDIS_ERRORS) as error:
                log.warning('lock %s not released: %s', name, error)

    def first_time(self, key: str, ttl: float) -> bool:
        try:
            return self._claim(keys=[self.keys.key('seen', key)], args=[uuid.uuid4().hex, max(1, int(ttl * 1000))]) == 1
        except REDIS_ERRORS as error:
            log.warning('de-duplication falls back to memory: %s', error)
            return self._seen.first_time(key, ttl)

    def count(self, key: str, window: float) -> int:
        try:
            return int(self._count(keys=[self.keys.key('count', key)], args=[max(1, int(window * 1000))]))
        except REDIS_ERRORS as error:
            log.warning('counting falls back to memory: %s', error)
            return self._counter.count(key, window)

    @unavailable_on_redis_error
    def set_note(self, key: str, value: str, ttl: float) -> None:
        self.redis.set(self.keys.key('note', key), value, px=max(1, int(ttl * 1000)))

    @unavailable_on_redis_error
    def get_note(self, key: str) -> Optional[str]:
        return self.redis.get(self.keys.key('note', key))

    @unavailable_on_redis_error
    def delete_note(self, key: str) -> None:
        self.redis.delete(self.keys.key('note', key))

    @unavailable_on_redis_error
    def check(self) -> None:
        self.keys.ping()
