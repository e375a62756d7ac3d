"""
Token store in Redis, shared by every worker and instance of the bot: ``user:<person id>`` holds a user's
context as JSON (or encrypted, ``fernet:...``). The client and the key prefix are those of
:mod:`~wxc_cc.stores.redis_client`.
"""
import json
import logging
from typing import Any, Optional, Union

import redis

from .base import TokenManager, UserContext
from .coordination import Locks
from .redis_client import KeySpace, redis_from_settings, unavailable_on_redis_error
from .redis_coordination import RedisCoordination

__all__ = ['RedisTokenManager', 'redis_from_settings']

log = logging.getLogger(__name__)


class RedisTokenManager(TokenManager):
    """
    Token store backed by Redis.

    :param client: the Redis client to use (see :func:`~wxc_cc.stores.redis_client.redis_from_settings`);
        responses must be decoded
    :param prefix: prefix of all keys
    :param locks: locks shared by the deployment; default: Redis locks below the same prefix
    :param kwargs: see :class:`~wxc_cc.stores.base.TokenManager`
    """
    kind = 'redis'

    def __init__(self, client: redis.Redis, *, prefix: str = 'wxc_cc_bot:', locks: Optional[Locks] = None,
                 **kwargs: Any):
        keys = KeySpace(client, prefix)
        super().__init__(locks=locks or RedisCoordination(keys), **kwargs)
        self.keys = keys
        self.redis = client

    @unavailable_on_redis_error
    def get_user_context(self, user_id: str) -> Optional[UserContext]:
        return self._context(user_id, self.redis.get(self.keys.key('user', user_id)))

    @unavailable_on_redis_error
    def set_user_context(self, user_context: UserContext) -> None:
        packed = self._pack(user_context)
        value = packed if isinstance(packed, str) else json.dumps(packed)
        self.redis.set(self.keys.key('user', user_context.user_id), value)

    @unavailable_on_redis_error
    def clear_user_context(self, user_id: str) -> bool:
        return bool(self.redis.delete(self.keys.key('user', user_id)))

    @unavailable_on_redis_error
    def user_contexts(self) -> list[UserContext]:
        keys = list(self.keys.scan('user', ''))
        records = self.redis.mget(keys) if keys else []
        owners = [key.removeprefix(self.keys.key('user', '')) for key in keys]
        return self._contexts(zip(owners, records))

    @unavailable_on_redis_error
    def clear(self) -> int:
        users = list(self.keys.scan('user', ''))
        return self.redis.delete(*users) if users else 0

    @unavailable_on_redis_error
    def _sample_record(self) -> Union[str, None]:
        # one SCAN step, not a walk through the whole key space: a record is tried when the step finds one
        self.keys.ping()
        _, keys = self.redis.scan(0, match=self.keys.key('user', '*'), count=1000)
        return self.redis.get(keys[0]) if keys else None
