"""
``/redis info|clear``: look into or empty the Redis token store.
"""
import logging

from .. import replies
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
    help = 'Show the users in the Redis token store (ids, emails, expiry times), or clear it.'

    def available(self, services: Services) -> bool:
        return services.store.kind == 'redis'

    def run(self, context: Context) -> str:
        if not self.available(context.services):
            raise BotError('The bot does not use Redis, so /redis is not available.', '/redis without Redis')
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
            return f'Cleared the Redis store: {len(users)} user(s) forgotten, their call monitoring turned off.'
        lines = [f'**Redis token store**: {len(users)} user(s), {store.pending_flows()} pending sign-in(s)']
        for user in sorted(users, key=lambda u: u.email or ''):
            lines.append(f'- {replies.escape(user.email) or "?"} (`{replies.escape(user.user_id)}`): access token '
                         f'until {replies.timestamp(user.tokens.expires_at)}, refresh token until '
                         f'{replies.timestamp(user.tokens.refresh_token_expires_at)}')
        return '\n'.join(lines)
