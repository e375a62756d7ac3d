"""
``/monitor on|off``: receive your call events in the chat.
"""
import logging

from .base import Command, Context, usage_error
from .calls import call_api

__all__ = ['MonitorCommand']

log = logging.getLogger(__name__)


class MonitorCommand(Command):
    """
    ``/monitor``.
    """
    name = '/monitor'
    usage = '/monitor on|off'
    help = 'Turn the messages about your calls (ringing, connected, ended) on or off.'
    needs_user = True

    def run(self, context: Context) -> str:
        words = [word.lower() for word in context.request.words]
        if words not in (['on'], ['off']):
            raise usage_error(self)
        webhooks, user_id = context.user_api().webhooks, context.request.person_id
        hooks = context.services.call_webhooks
        if words == ['on']:
            outcome = call_api(lambda: hooks.enable(webhooks, user_id), 'turn monitoring on')
            log.info('monitoring on for user %s (%s)', user_id, outcome)
            if outcome == 'unchanged':
                return 'Monitoring is already on.'
            return 'Monitoring is on: I will tell you about your calls here.'
        deleted = call_api(lambda: hooks.disable(webhooks), 'turn monitoring off')
        log.info('monitoring off for user %s (%d webhooks deleted)', user_id, deleted)
        return 'Monitoring is off.' if deleted else 'Monitoring was not on.'
