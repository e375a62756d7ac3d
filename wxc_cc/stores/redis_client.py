"""
The Redis client every Redis-backed store shares, and the translation of Redis outages into
:class:`~wxc_cc.errors.StoreUnavailable`.

Keys of all stores share one prefix (default ``wxc_cc_bot:``): ``user:`` (tokens), ``flow:`` and ``flow-of:``
(OAuth flows), ``lock:``, ``seen:``, ``count:`` and ``note:`` (coordination).
"""
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from ..config import Settings
from ..errors import StoreUnavailable

__all__ = ['redis_from_settings', 'unavailable_on_redis_error', 'KeySpace', 'REDIS_ERRORS']

T = TypeVar('T')

#: what a Redis outage raises
REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError)


def unavailable_on_redis_error(method: Callable[..., T]) -> Callable[..., T]:
    """
    Turn Redis connection failures into :class:`~wxc_cc.errors.StoreUnavailable`.
    """

    @wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return method(*args, **kwargs)
        except REDIS_ERRORS as error:
            raise StoreUnavailable(f'Redis unavailable: {type(error).__name__}: {error}') from error

    return wrapper


class KeySpace:
    """
    The keys of one deployment in a Redis database: everything below one prefix.

    :param client: the Redis client (responses decoded)
    :param prefix: prefix of all keys
    """

    def __init__(self, client: redis.Redis, prefix: str = 'wxc_cc_bot:'):
        self.redis = client
        self.prefix = prefix

    def key(self, *parts: str) -> str:
        """``<prefix><part>:<part>...``."""
        return self.prefix + ':'.join(parts)

    def scan(self, *parts: str):
        """The keys starting with ``key(*parts)``."""
        return self.redis.scan_iter(match=self.key(*parts) + '*', count=500)


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
