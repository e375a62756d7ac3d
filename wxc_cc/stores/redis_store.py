"""
Token store in Redis, shared by every worker and instance of the bot.

Keys (all below a prefix, default ``wxc_cc_bot:``): ``user:<person id>`` holds a user's context as JSON;
``flow:<flow id>`` holds the id of the user who started an OAuth flow and expires with the flow, and
``flow-of:<person id>`` names that person's one pending flow; ``lock:refresh:<person id>`` is the lock held while
that user's tokens are refreshed; ``seen:<key>`` marks a notification already taken.
"""
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, Optional, TypeVar

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from ..config import Settings
from ..errors import StoreUnavailable
from .base import TokenManager, UserContext

__all__ = ['RedisTokenManager', 'redis_from_settings']

log = logging.getLogger(__name__)

T = TypeVar('T')


def _unavailable_on_redis_error(method: Callable[..., T]) -> Callable[..., T]:
    """
    Turn Redis connection failures into :class:`~wxc_cc.errors.StoreUnavailable`.
    """

    @wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return method(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as error:
            raise StoreUnavailable(f'Redis unavailable: {type(error).__name__}: {error}') from error

    return wrapper


def redis_from_settings(settings: Settings) -> redis.Redis:
    """
    A Redis client as configured: ``REDIS_HOST`` wins, then ``REDIS_TLS_URL``, then ``REDIS_URL``.

    ``rediss://`` URLs use TLS. Heroku Redis presents self-signed certificates, so certificates are not
    verified for them unless ``REDIS_TLS_URL`` carries ``ssl_cert_reqs=required``.

    :param settings: the bot's settings
    :return: a client; no connection is made until it is used
    """
    # fail fast when Redis is down: two quick retries, then StoreUnavailable, instead of redis-py's long backoff
    options = dict(socket_timeout=5, socket_connect_timeout=2, health_check_interval=30, decode_responses=True,
                   retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 2))
    if settings.redis_host:
        host, _, port = settings.redis_host.partition(':')
        return redis.Redis(host=host, port=int(port or 6379), **options)
    url = settings.redis_tls_url or settings.redis_url
    if url.startswith('rediss://') and 'ssl_cert_reqs' not in url:
        options['ssl_cert_reqs'] = None
    return redis.Redis.from_url(url, **options)


class RedisTokenManager(TokenManager):
    """
    Token store backed by Redis.

    :param client: the Redis client to use (see :func:`redis_from_settings`); responses must be decoded
    :param prefix: prefix of all keys
    :param kwargs: see :class:`~wxc_cc.stores.base.TokenManager`
    """
    kind = 'redis'

    def __init__(self, client: redis.Redis, *, prefix: str = 'wxc_cc_bot:', **kwargs: Any):
        super().__init__(**kwargs)
        self.redis = client
        self.prefix = prefix

    def _key(self, *parts: str) -> str:
        return self.prefix + ':'.join(parts)

    def _scan(self, *parts: str) -> Iterator[str]:
        return self.redis.scan_iter(match=self._key(*parts) + '*', count=500)

    # --- users

    @_unavailable_on_redis_error
    def get_user_context(self, user_id: str) -> Optional[UserContext]:
        return self._context(user_id, self.redis.get(self._key('user', user_id)))

    @_unavailable_on_redis_error
    def set_user_context(self, user_context: UserContext) -> None:
        packed = self._pack(user_context)
        value = packed if isinstance(packed, str) else json.dumps(packed)
        self.redis.set(self._key('user', user_context.user_id), value)

    @_unavailable_on_redis_error
    def clear_user_context(self, user_id: str) -> bool:
        return bool(self.redis.delete(self._key('user', user_id)))

    @_unavailable_on_redis_error
    def user_contexts(self) -> list[UserContext]:
        keys = list(self._scan('user', ''))
        records = self.redis.mget(keys) if keys else []
        owners = [key.removeprefix(self._key('user', '')) for key in keys]
        contexts = (self._context(owner, record) for owner, record in zip(owners, records))
        return [context for context in contexts if context is not None]

    # --- flows

    @_unavailable_on_redis_error
    def _save_flow(self, flow_id: str, user_id: str, expires_at: float) -> None:
        ttl_ms = int((expires_at - time.time()) * 1000)
        if ttl_ms <= 0:
            return
        # flows expire by themselves; the person's index names their one pending flow, which a new one replaces
        index = self._key('flow-of', user_id)
        previous = self.redis.set(index, flow_id, px=ttl_ms, get=True)
        with self.redis.pipeline() as pipe:
            if previous:
                pipe.delete(self._key('flow', previous))
            pipe.set(self._key('flow', flow_id), user_id, px=ttl_ms)
            pipe.execute()

    @_unavailable_on_redis_error
    def take_flow(self, flow_id: str) -> Optional[str]:
        # GETDEL makes the flow single-use even when two requests race for it
        return self.redis.getdel(self._key('flow', flow_id))

    @_unavailable_on_redis_error
    def flow_maintenance(self) -> int:
        # flows expire by themselves; what is left without a time to live is a leftover to remove
        dangling = [key for key in self._scan('flow', '') if self.redis.ttl(key) == -1]
        return self.redis.delete(*dangling) if dangling else 0

    @_unavailable_on_redis_error
    def pending_flows(self) -> int:
        return sum(1 for _ in self._scan('flow', ''))

    def count(self, key: str, window: float) -> int:
        counter = self._key('count', key)
        try:
            with self.redis.pipeline() as pipe:
                pipe.incr(counter)
                pipe.pexpire(counter, max(1, int(window * 1000)), nx=True)
                return int(pipe.execute()[0])
        except (redis.ConnectionError, redis.TimeoutError) as error:
            # keep limiting, per process, while Redis is away
            log.warning('counting falls back to memory: %s', error)
            return super().count(key, window)

    # --- notes

    @_unavailable_on_redis_error
    def set_note(self, key: str, value: str, ttl: float) -> None:
        self.redis.set(self._key('note', key), value, px=max(1, int(ttl * 1000)))

    @_unavailable_on_redis_error
    def get_note(self, key: str) -> Optional[str]:
        return self.redis.get(self._key('note', key))

    @_unavailable_on_redis_error
    def delete_note(self, key: str) -> None:
        self.redis.delete(self._key('note', key))

    # --- housekeeping

    @_unavailable_on_redis_error
    def clear(self) -> int:
        keys = list(self._scan())
        entries = sum(1 for key in keys if key.startswith((self._key('user', ''), self._key('flow', ''))))
        if keys:
            self.redis.delete(*keys)
        return entries

    @contextmanager
    def lock(self, name: str, timeout: float = 20.0) -> Iterator[None]:
        # the lock expires by itself should its holder die
        lock = self.redis.lock(self._key('lock', name), timeout=60, blocking_timeout=timeout)
        try:
            acquired = lock.acquire()
        except (redis.ConnectionError, redis.TimeoutError) as error:
            raise StoreUnavailable(f'lock {name}: Redis unavailable: {error}') from error
        if not acquired:
            raise StoreUnavailable(f'lock {name} not acquired in {timeout} s')
        try:
            yield
        finally:
            try:
                lock.release()
            except (redis.exceptions.LockError, redis.ConnectionError, redis.TimeoutError) as error:
                log.warning('lock %s not released: %s', name, error)

    def first_time(self, key: str, ttl: float) -> bool:
        try:
            return bool(self.redis.set(self._key('seen', key), 1, nx=True, px=int(ttl * 1000)))
        except (redis.ConnectionError, redis.TimeoutError) as error:
            # better act on a rare duplicate than drop every notification while Redis is away
            log.warning('de-duplication falls back to memory: %s', error)
            return super().first_time(key, ttl)

    @_unavailable_on_redis_error
    def forget(self, key: str) -> None:
        self.redis.delete(self._key('seen', key))

    @_unavailable_on_redis_error
    def _sample_record(self) -> Optional[str]:
        # one SCAN step, not a walk through the whole key space: a record is tried when the step finds one
        self.redis.ping()
        _, keys = self.redis.scan(0, match=self._key('user', '*'), count=1000)
        return self.redis.get(keys[0]) if keys else None
