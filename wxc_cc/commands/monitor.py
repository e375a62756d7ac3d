"""
``/monitor on|off|verbose``: your calls (and new voicemail) in the chat, as live cards.
"""
import logging

from .base import Command, Context, usage_error
from .common import call_api

__all__ = ['MonitorCommand']

log = logging.getLogger(__name__)


class MonitorCommand(Command):
    """
    ``/monitor``.
    """
    name = '/monitor'
    usage = '/monitor on|off|verbose'
    help = 'Watch your calls here: a live card per call with buttons, and new voicemail; verbose adds the raw ' \
           'events.'
    needs_user = True
    call_control = True
    group = 'monitoring'

    def run(self, context: Context) -> str:
        words = [word.lower() for word in context.request.words]
        if words not in (['on'], ['off'], ['verbose']):
            raise usage_error(self)
        user, store = context.user, context.services.store
        webhooks, hooks = context.user_api().webhooks, context.services.call_webhooks
        if words == ['off']:
            deleted = call_api(lambda: hooks.disable(webhooks), 'turn monitoring off')
            log.info('monitoring off for user %s (%d webhooks deleted)', user.user_id, deleted)
            return 'Monitoring is off.' if deleted else 'Monitoring was not on.'
        verbose = words == ['verbose']
        outcome = call_api(lambda: hooks.enable(webhooks, user.user_id), 'turn monitoring on')
        changed_mode = user.verbose != verbose
        if changed_mode:
            store.set_user_context(user.model_copy(update={'verbose': verbose}))
        log.info('monitoring %s for user %s (%s)', words[0], user.user_id, outcome)
        mode = ' with the raw events' if verbose else ''
        if outcome == 'unchanged' and not changed_mode:
            return f'Monitoring is already on{mode}.'
        return f'Monitoring is on{mode}: your calls show here as cards with buttons, and new voicemail too.'
