"""
``/broadcast <message>``: send a message (and its first file) to the spaces the bot is in.
"""
import logging

from ..errors import BotError
from ..locales import t
from .base import Command, Context

__all__ = ['BroadcastCommand']

log = logging.getLogger(__name__)


class BroadcastCommand(Command):
    """
    ``/broadcast``: for the policy's admins and broadcast senders.
    """
    name = '/broadcast'
    usage = '/broadcast <message>'

    def run(self, context: Context) -> str:
        request, services = context.request, context.services
        if not services.policy.may_broadcast(request.person_email):
            log.warning('refused /broadcast from %s (%s): not a broadcast sender', request.person_email,
                        request.person_id)
            raise BotError(t('broadcast.not_allowed'), '/broadcast refused: not a broadcast sender')
        if not request.argument and not request.files:
            raise BotError(t('broadcast.usage'), 'nothing to broadcast')
        result = services.broadcaster.run(sender_id=request.person_id, sender_email=request.person_email,
                                          markdown=request.markdown or request.argument, files=request.files)
        if not (result.sent or result.skipped or result.failed):
            return t('broadcast.no_spaces')
        return result.summary()
