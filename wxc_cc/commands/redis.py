"""
``/redis info|clear``: look into or empty the Redis token store.
"""
import logging

from .. import replies
from ..locales import t
from ..errors import BotError
from .auth import forget_user
from .base import Command, Context, Services, require_admin, usage_error

__all__ = ['RedisCommand']

log = logging.getLogger(__name__)


class RedisCommand(Command):
    """
    ``/redis``; only with the Redis token store.
    """
    name = '/redis'
    usage = '/redis info|clear'

    def available(self, services: Services) -> bool:
        return services.store.kind == 'redis'

    def run(self, context: Context) -> str:
        if not self.available(context.services):
            raise BotError(t('redis.unavailable'), '/redis without Redis')
        require_admin(context, '/redis')
        words = [word.lower() for word in context.request.words]
        if words not in (['info'], ['clear']):
            raise usage_error(self)
        store = context.services.store
        users = store.user_contexts()
        if words == ['clear']:
            for user in users:
                forget_user(context, user.user_id)
            removed = store.clear()
            log.info('redis store cleared by %s: %d users, %d keys', context.request.person_id, len(users), removed)
            return t('redis.cleared', count=len(users))
        lines = [t('redis.title', users=len(users), flows=store.pending_flows())]
        for user in sorted(users, key=lambda u: u.email or ''):
            lines.append(t('redis.user', email=replies.escape(user.email) or '?', user_id=replies.escape(user.user_id),
                           access=replies.timestamp(user.tokens.expires_at),
                           refresh=replies.timestamp(user.tokens.refresh_token_expires_at)))
        return '\n'.join(lines)
