"""
The Redis client every Redis-backed store shares, and the translation of Redis outages into
:class:`~wxc_cc.errors.StoreUnavailable`.

Keys of all stores share one prefix (default ``wxc_cc_bot:``): ``user:`` (tokens), ``flow:`` and ``flow-of:``
(OAuth flows), ``lock:``, ``seen:``, ``count:`` and ``note:`` (coordination).

Which Redis: ``REDIS_SENTINELS`` (with ``REDIS_SENTINEL_MASTER``) wins, then ``REDIS_HOST``, then
``REDIS_TLS_URL``, then ``REDIS_URL``. Through Sentinel, the URL (``REDIS_TLS_URL``, else ``REDIS_URL``) still says
how to talk to the master: its user and password, ``rediss://`` for TLS with the query's ``ssl_*`` options, and the
database; its host and port are not used, the Sentinels name the master. The Sentinels are reached with the same
TLS settings and with ``REDIS_SENTINEL_PASSWORD``, if set.

A single Redis fails fast: two quick retries, then :class:`~wxc_cc.errors.StoreUnavailable`. Through Sentinel a
command rides through a failover: it is retried for about :data:`FAILOVER_RIDE_THROUGH` seconds, and every retry
asks the Sentinels where the master is now.
"""
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, Optional, TypeVar

import redis
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.connection import SSLConnection, parse_url
from redis.retry import Retry
from redis.sentinel import Sentinel, SentinelConnectionPool, SentinelManagedConnection, SentinelManagedSSLConnection

from ..config import Settings
from ..errors import StoreUnavailable

__all__ = ['redis_from_settings', 'unavailable_on_redis_error', 'KeySpace', 'REDIS_ERRORS', 'FAILOVER_RIDE_THROUGH',
           'MasterConnection', 'MasterSSLConnection']

log = logging.getLogger(__name__)

T = TypeVar('T')

#: what a Redis outage raises; ``READONLY`` comes from a master that was demoted to a replica (a failover)
REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError, redis.exceptions.ReadOnlyError)

#: a single Redis: retries and the longest pause between them (0.1 s, 0.2 s), then the store is unavailable
SINGLE_RETRIES = (2, 0.2)
#: through Sentinel: 12 retries after 0.1 s, 0.2 s, 0.4 s, then every 0.5 s
SENTINEL_RETRIES = (12, 0.5)
#: seconds a command keeps retrying through Sentinel: the sum of the pauses, 5.2
FAILOVER_RIDE_THROUGH = sum(min(SENTINEL_RETRIES[1], 0.05 * 2 ** failure)
                            for failure in range(1, SENTINEL_RETRIES[0] + 1))


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

    def ping(self) -> None:
        """
        PING Redis, for a health check. Through Sentinel the Sentinels are asked first whether they know a master:
        while they know none (a failover, an outage) that fails at once, rather than after the retries that let
        commands ride through a failover.

        :raises redis.ConnectionError: Redis cannot be reached
        """
        pool = self.redis.connection_pool
        if isinstance(pool, SentinelConnectionPool):
            pool.sentinel_manager.discover_master(pool.service_name)
        self.redis.ping()


class _FollowsTheMaster:
    """
    A connection to the master that asks the Sentinels where the master is whenever it opens a socket.

    redis-py's own Sentinel connection asks only when the pool hands out a closed connection; when a command is
    retried on its connection, the socket is opened again to the old master's address
    (https://github.com/redis/redis-py/issues/3874), so a command that meets a failover never finds the new master.
    The socket connect is not retried within a command's retries either, so that the two do not multiply.
    """
    connection_pool: Any
    host: str
    port: int

    def connect_check_health(self, check_health: bool = True, retry_socket_connect: bool = True) -> None:
        super().connect_check_health(check_health=check_health, retry_socket_connect=False)  # type: ignore[misc]

    def _connect(self) -> Any:
        self.host, self.port = self.connection_pool.get_master_address()
        return super()._connect()  # type: ignore[misc]


class MasterConnection(_FollowsTheMaster, SentinelManagedConnection):
    """A connection to the master the Sentinels name, found again on every reconnect."""


class MasterSSLConnection(_FollowsTheMaster, SentinelManagedSSLConnection):
    """:class:`MasterConnection` over TLS."""


def _retry(retries_and_cap: tuple[int, float]) -> Retry:
    retries, cap = retries_and_cap
    return Retry(ExponentialBackoff(cap=cap, base=0.05), retries, supported_errors=REDIS_ERRORS)


def _unverified_tls(url: str) -> dict[str, Any]:
    """
    ``rediss://`` without ``ssl_cert_reqs`` does not verify the certificate: Heroku Redis presents a self-signed one.
    """
    return {'ssl_cert_reqs': None} if url.startswith('rediss://') and 'ssl_cert_reqs' not in url else {}


def _ignored(settings: Settings) -> list[str]:
    """The Redis variables that are set but not used."""
    given = [name for name, value in (('REDIS_HOST', settings.redis_host), ('REDIS_TLS_URL', settings.redis_tls_url),
                                      ('REDIS_URL', settings.redis_url)) if value]
    if settings.redis_sentinels:
        urls = [name for name in given if name != 'REDIS_HOST']
        return [name for name in given if name == 'REDIS_HOST'] + urls[1:]
    return given[1:]


def _through_sentinel(settings: Settings, url: Optional[str], options: dict[str, Any]) -> redis.Redis:
    master = {**parse_url(url), **_unverified_tls(url)} if url else {}
    tls = master.pop('connection_class', None) is SSLConnection
    for where in ('host', 'port', 'path'):
        master.pop(where, None)
    ssl_options = {name: value for name, value in master.items() if name.startswith('ssl_')}
    # a Sentinel answers at once or is down: one try each, then the next one is asked
    sentinel = Sentinel(list(settings.redis_sentinels),
                        sentinel_kwargs=dict(socket_timeout=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0),
                                             password=settings.redis_sentinel_password, ssl=tls, **ssl_options))
    return sentinel.master_for(settings.redis_sentinel_master,
                               connection_class=MasterSSLConnection if tls else MasterConnection,
                               retry=_retry(SENTINEL_RETRIES), **options, **master)


def redis_from_settings(settings: Settings) -> redis.Redis:
    """
    A Redis client as configured: through Sentinel when ``REDIS_SENTINELS`` is set, else ``REDIS_HOST``, else
    ``REDIS_TLS_URL``, else ``REDIS_URL`` (see the module's description).

    ``rediss://`` URLs use TLS. Heroku Redis presents self-signed certificates, so certificates are not
    verified unless the URL carries ``ssl_cert_reqs=required`` (with ``ssl_ca_certs=<CA file>`` for a private CA).

    :param settings: the bot's settings
    :return: a client; no connection is made until it is used
    """
    options: dict[str, Any] = dict(socket_timeout=5, socket_connect_timeout=2, health_check_interval=30,
                                   decode_responses=True)
    url = settings.redis_tls_url or settings.redis_url
    if ignored := _ignored(settings):
        log.warning('Redis: %s not used (REDIS_SENTINELS wins, then REDIS_HOST, REDIS_TLS_URL, REDIS_URL)',
                    ', '.join(ignored))
    if settings.redis_sentinels:
        client = _through_sentinel(settings, url, options)
        where = f'master {settings.redis_sentinel_master!r} through the Sentinels ' + ','.join(
            f'{host}:{port}' for host, port in settings.redis_sentinels)
    elif settings.redis_host:
        host, _, port = settings.redis_host.partition(':')
        client = redis.Redis(host=host, port=int(port or 6379), retry=_retry(SINGLE_RETRIES), **options)
        where = f'{host}:{port or 6379}'
    else:
        client = redis.Redis.from_url(url, retry=_retry(SINGLE_RETRIES), **options, **_unverified_tls(url))
        kwargs = client.connection_pool.connection_kwargs
        where = f'{kwargs.get("host")}:{kwargs.get("port")}'
    tls = issubclass(client.connection_pool.connection_class, SSLConnection)
    log.info('Redis: %s%s', where, ' over TLS' if tls else '')
    return client
