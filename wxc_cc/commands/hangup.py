"""
``/hangup``: end the connected call.
"""
from .. import replies
from ..errors import BotError
from .base import Command, Context, usage_error
from .calls import call_api, pick_call

__all__ = ['HangupCommand']

#: which call /hangup ends when there are several: the one you are talking on first
HANGUP_PREFERENCE = ('connected', 'held', 'remoteHeld', 'connecting', 'alerting')


class HangupCommand(Command):
    """
    ``/hangup``.
    """
    name = '/hangup'
    usage = '/hangup'
    help = 'Hang up your connected call (or your only other call).'
    needs_user = True

    def run(self, context: Context) -> str:
        if context.request.argument:
            raise usage_error(self)
        calls = context.user_api().calls
        call = pick_call(call_api(calls.list_calls, 'list your calls'), HANGUP_PREFERENCE)
        if call is None:
            raise BotError('You have no active call to hang up.', 'no active call')
        call_api(lambda: calls.hangup(call.call_id), 'hang up')
        return replies.hung_up(call)
