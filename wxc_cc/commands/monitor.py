"""
``/monitor on|off|verbose``: the person's calls (and new voicemail) in the chat, as live cards.
"""
import logging

from .common import call_api
from .context import Context

__all__ = ['monitor']

log = logging.getLogger(__name__)


def monitor(context: Context) -> str:
    """
    ``/monitor on`` creates the person's call-event webhooks (``verbose`` also shows the raw events); ``off``
    deletes them.
    """
    words = [word.lower() for word in context.request.words]
    if words not in (['on'], ['off'], ['verbose']):
        raise context.usage_error()
    user, replies = context.user, context.replies
    webhooks, hooks = context.user_api().webhooks, context.services.call_webhooks
    tokens = context.services.stores.tokens
    if words == ['off']:
        deleted = call_api(replies, lambda: hooks.disable(webhooks), context.t('action.monitor_off'))
        if user.monitoring:
            tokens.set_user_context(user.model_copy(update={'monitoring': False}))
        log.info('monitoring off for user %s (%d webhooks deleted)', user.user_id, deleted)
        return context.t('monitor.off') if deleted else context.t('monitor.was_off')
    verbose = words == ['verbose']
    outcome = call_api(replies, lambda: hooks.enable(webhooks, user.user_id), context.t('action.monitor_on'))
    changed_mode = user.verbose != verbose
    if changed_mode or not user.monitoring:
        tokens.set_user_context(user.model_copy(update={'verbose': verbose, 'monitoring': True}))
    log.info('monitoring %s for user %s (%s)', words[0], user.user_id, outcome)
    mode = context.t('monitor.verbose') if verbose else ''
    if outcome == 'unchanged' and not changed_mode:
        # TRANSLATORS: {mode} is monitor.verbose, or empty
        return context.t('monitor.already', mode=mode)
    # TRANSLATORS: {mode} is monitor.verbose, or empty
    return context.t('monitor.on', mode=mode)
