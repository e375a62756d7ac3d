"""
Token records in Redis, shared by every worker and instance of the bot: ``user:<person id>`` holds a user's
context as JSON (or encrypted, ``fernet:...``). The client and the key prefix are those of
:mod:`~wxc_cc.stores.redis_client`.
"""
import json
from typing import Any, Optional

import redis

from .coordination import Locks
from .redis_client import KeySpace, unavailable_on_redis_error
from .redis_coordination import RedisCoordination
from .sealing import Stored
from .tokens import TokenManager, TokenRecords

__all__ = ['RedisTokenRecords', 'RedisTokenManager']

# SET only if the value is still the one read: a record stored again under the newest key never undoes a change
_REPLACE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    redis.call('SET', KEYS[1], ARGV[2])
    return 1
end
return 0
"""


class RedisTokenRecords(TokenRecords):
    """
    Token records in Redis.

    :param keys: the deployment's keys; the client's responses must be decoded
    """
    kind = 'redis'

    def __init__(self, keys: KeySpace):
        self.keys = keys
        self.redis = keys.redis
        self._replace_script = keys.redis.register_script(_REPLACE)

    def _key(self, owner: str) -> str:
        return self.keys.key('user', owner)

    @unavailable_on_redis_error
    def get(self, owner: str) -> Optional[Stored]:
        return self.redis.get(self._key(owner))

    @unavailable_on_redis_error
    def put(self, owner: str, record: Stored) -> None:
        self.redis.set(self._key(owner), _text(record))

    @unavailable_on_redis_error
    def delete(self, owner: str) -> bool:
        return bool(self.redis.delete(self._key(owner)))

    @unavailable_on_redis_error
    def items(self) -> list[tuple[str, Stored]]:
        keys = list(self.keys.scan('user', ''))
        records = self.redis.mget(keys) if keys else []
        owners = [key.removeprefix(self._key('')) for key in keys]
        # a record deleted between the SCAN and the MGET is gone
        return [(owner, record) for owner, record in zip(owners, records) if record is not None]

    @unavailable_on_redis_error
    def clear(self) -> int:
        users = list(self.keys.scan('user', ''))
        return self.redis.delete(*users) if users else 0

    @unavailable_on_redis_error
    def replace(self, owner: str, expected: Stored, record: Stored) -> bool:
        return bool(self._replace_script(keys=[self._key(owner)], args=[_text(expected), _text(record)]))

    @unavailable_on_redis_error
    def sample(self) -> Optional[Stored]:
        # one SCAN step, not a walk through the whole key space: a record is tried when the step finds one
        _, keys = self.redis.scan(0, match=self._key('*'), count=1000)
        return self.redis.get(keys[0]) if keys else None

    @unavailable_on_redis_error
    def check(self) -> None:
        self.keys.ping()


class RedisTokenManager(TokenManager):
    """
    The token store in Redis.

    :param client: the Redis client to use (see :func:`~wxc_cc.stores.redis_client.redis_from_settings`);
        responses must be decoded
    :param prefix: prefix of all keys
    :param locks: locks shared by the deployment; default: Redis locks below the same prefix
    :param kwargs: see :class:`~wxc_cc.stores.tokens.TokenManager`
    """
    records: RedisTokenRecords

    def __init__(self, client: redis.Redis, *, prefix: str = 'wxc_cc_bot:', locks: Optional[Locks] = None,
                 **kwargs: Any):
        keys = KeySpace(client, prefix)
        super().__init__(RedisTokenRecords(keys), locks=locks or RedisCoordination(keys), **kwargs)

    @property
    def keys(self) -> KeySpace:
        """The deployment's keys."""
        return self.records.keys

    @property
    def redis(self) -> redis.Redis:
        """The client."""
        return self.records.redis


def _text(record: Stored) -> str:
    """A record as Redis keeps it: encrypted as it is, plain as JSON."""
    return record if isinstance(record, str) else json.dumps(record)
