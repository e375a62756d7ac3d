"""
Token store in Redis, shared by every worker and instance of the bot: ``user:<person id>`` holds a user's
context as JSON (or encrypted, ``fernet:...``). The client and the key prefix are those of
:mod:`~wxc_cc.stores.redis_client`.
"""
import json
import logging
from typing import Any, Optional

import redis

from .tokens import Stored, TokenManager, UserContext
from .coordination import Locks
from .redis_client import KeySpace, redis_from_settings, unavailable_on_redis_error
from .redis_coordination import RedisCoordination

__all__ = ['RedisTokenManager', 'redis_from_settings']

log = logging.getLogger(__name__)

# SET only if the value is still the one read: a record stored again under the newest key never undoes a change
_REPLACE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    redis.call('SET', KEYS[1], ARGV[2])
    return 1
end
return 0
"""


class RedisTokenManager(TokenManager):
    """
    Token store backed by Redis.

    :param client: the Redis client to use (see :func:`~wxc_cc.stores.redis_client.redis_from_settings`);
        responses must be decoded
    :param prefix: prefix of all keys
    :param locks: locks shared by the deployment; default: Redis locks below the same prefix
    :param kwargs: see :class:`~wxc_cc.stores.tokens.TokenManager`
    """
    kind = 'redis'

    def __init__(self, client: redis.Redis, *, prefix: str = 'wxc_cc_bot:', locks: Optional[Locks] = None,
                 **kwargs: Any):
        keys = KeySpace(client, prefix)
        super().__init__(locks=locks or RedisCoordination(keys), **kwargs)
        self.keys = keys
        self.redis = client
        self._replace_script = client.register_script(_REPLACE)

    @unavailable_on_redis_error
    def get_user_context(self, user_id: str) -> Optional[UserContext]:
        return self._context(user_id, self.redis.get(self.keys.key('user', user_id)))

    @unavailable_on_redis_error
    def set_user_context(self, user_context: UserContext) -> None:
        self.redis.set(self.keys.key('user', user_context.user_id), _text(self._pack(user_context)))

    @unavailable_on_redis_error
    def clear_user_context(self, user_id: str) -> bool:
        return bool(self.redis.delete(self.keys.key('user', user_id)))

    @unavailable_on_redis_error
    def _stored_records(self) -> list[tuple[str, Stored]]:
        keys = list(self.keys.scan('user', ''))
        records = self.redis.mget(keys) if keys else []
        owners = [key.removeprefix(self.keys.key('user', '')) for key in keys]
        # a record deleted between the SCAN and the MGET is gone
        return [(owner, record) for owner, record in zip(owners, records) if record is not None]

    @unavailable_on_redis_error
    def _replace(self, owner: str, expected: Stored, record: Stored) -> bool:
        return bool(self._replace_script(keys=[self.keys.key('user', owner)], args=[_text(expected), _text(record)]))

    @unavailable_on_redis_error
    def clear(self) -> int:
        users = list(self.keys.scan('user', ''))
        return self.redis.delete(*users) if users else 0

    @unavailable_on_redis_error
    def check(self) -> None:
        self.keys.ping()

    @unavailable_on_redis_error
    def _sample_record(self) -> Optional[str]:
        # one SCAN step, not a walk through the whole key space: a record is tried when the step finds one
        _, keys = self.redis.scan(0, match=self.keys.key('user', '*'), count=1000)
        return self.redis.get(keys[0]) if keys else None


def _text(record: Stored) -> str:
    """A record as Redis keeps it: encrypted as it is, plain as JSON."""
    return record if isinstance(record, str) else json.dumps(record)
