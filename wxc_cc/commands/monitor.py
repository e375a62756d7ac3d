"""
``/monitor on|off|verbose``: your calls (and new voicemail) in the chat, as live cards.
"""
import logging

from ..locales import t
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
            deleted = call_api(lambda: hooks.disable(webhooks), t('action.monitor_off'))
            log.info('monitoring off for user %s (%d webhooks deleted)', user.user_id, deleted)
            return t('monitor.off') if deleted else t('monitor.was_off')
        verbose = words == ['verbose']
        outcome = call_api(lambda: hooks.enable(webhooks, user.user_id), t('action.monitor_on'))
        changed_mode = user.verbose != verbose
        if changed_mode:
            store.set_user_context(user.model_copy(update={'verbose': verbose}))
        log.info('monitoring %s for user %s (%s)', words[0], user.user_id, outcome)
        mode = t('monitor.verbose') if verbose else ''
        if outcome == 'unchanged' and not changed_mode:
            # TRANSLATORS: {mode} is monitor.verbose, or empty
            return t('monitor.already', mode=mode)
        # TRANSLATORS: {mode} is monitor.verbose, or empty
        return t('monitor.on', mode=mode)
