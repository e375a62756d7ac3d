"""
``/auth``: authorize the bot to act for the user (OAuth), show the state, forget tokens, clean up flows.
"""
import logging

from wxc_sdk.rest import RestError

from .. import replies
from ..locales import t
from ..errors import webex_reason
from .base import Command, Context, require_admin, usage_error

__all__ = ['AuthCommand', 'forget_user']

log = logging.getLogger(__name__)


def forget_user(context: Context, user_id: str) -> int:
    """
    Delete a user's call-event webhooks (best effort: with tokens that still work) and their stored context.

    :return: number of webhooks deleted
    """
    services = context.services
    user = services.store.get_user_context_and_refresh(user_id)
    deleted = 0
    if user is not None:
        try:
            api = services.user_api(user)
            deleted = services.call_webhooks.disable(api.webhooks)
        except RestError as error:
            log.warning('could not delete webhooks of user %s: %s', user_id, webex_reason(error))
    services.store.clear_user_context(user_id)
    return deleted


class AuthCommand(Command):
    """
    ``/auth``, ``/auth force``, ``/auth clear``, ``/auth maintenance``.
    """
    name = '/auth'
    usage = '/auth [clear|force|maintenance]'

    def run(self, context: Context) -> str:
        words = [word.lower() for word in context.request.words]
        sub = words[0] if words else ''
        if len(words) > 1 or sub not in ('', 'clear', 'force', 'maintenance'):
            raise usage_error(self)
        request, store = context.request, context.services.store
        if sub == 'clear':
            deleted = forget_user(context, request.person_id)
            log.info('user %s cleared, %d webhooks deleted', request.person_id, deleted)
            return t('auth.cleared')
        if sub == 'maintenance':
            require_admin(context, '/auth maintenance')
            removed = store.flow_maintenance()
            return t('auth.maintenance', removed=removed, pending=store.pending_flows())
        if sub == '':
            user = store.get_user_context_and_refresh(request.person_id)
            if user is not None:
                return replies.auth_state(user.email, user.tokens)
        flow_id = store.start_flow(request.person_id)
        minutes = int(store.flow_lifetime // 60)
        return replies.auth_link(context.services.oauth.auth_url(flow_id), minutes)
