"""
OAuth flows in Redis: ``flow:<flow id>`` holds who started it and expires with it; ``flow-of:<person id>`` names
the person's one pending flow.
"""
import time
from typing import Optional

from .flows import FLOW_LIFETIME, FlowStore
from .redis_client import KeySpace, unavailable_on_redis_error

__all__ = ['RedisFlowStore']


class RedisFlowStore(FlowStore):
    """
    Flows in Redis, shared by every worker and instance.

    :param keys: the deployment's keys
    :param lifetime: seconds a flow stays valid
    """

    def __init__(self, keys: KeySpace, lifetime: float = FLOW_LIFETIME):
        super().__init__(lifetime)
        self.keys = keys
        self.redis = keys.redis

    @unavailable_on_redis_error
    def _save(self, flow_id: str, user_id: str, expires_at: float) -> None:
        ttl_ms = int((expires_at - time.time()) * 1000)
        if ttl_ms <= 0:
            return
        # expired flows vanish by themselves; the person's earlier one is replaced
        previous = self.redis.set(self.keys.key('flow-of', user_id), flow_id, px=ttl_ms, get=True)
        with self.redis.pipeline() as pipe:
            if previous:
                pipe.delete(self.keys.key('flow', previous))
            pipe.set(self.keys.key('flow', flow_id), user_id, px=ttl_ms)
            pipe.execute()

    @unavailable_on_redis_error
    def take(self, flow_id: str) -> Optional[str]:
        # GETDEL makes the flow single-use even when two requests race for it
        return self.redis.getdel(self.keys.key('flow', flow_id))

    @unavailable_on_redis_error
    def maintenance(self) -> int:
        # flows expire by themselves; what is left without a time to live is a leftover to remove
        dangling = [key for key in self.keys.scan('flow', '') if self.redis.ttl(key) == -1]
        return self.redis.delete(*dangling) if dangling else 0

    @unavailable_on_redis_error
    def pending(self) -> int:
        return sum(1 for _ in self.keys.scan('flow', ''))

    @unavailable_on_redis_error
    def clear(self) -> int:
        flows = list(self.keys.scan('flow', ''))
        indexes = list(self.keys.scan('flow-of', ''))
        if flows or indexes:
            self.redis.delete(*flows, *indexes)
        return len(flows)
