"""
``/mute [n]`` and ``/unmute [n]``, for calls that allow it.
"""
from wxc_sdk.telephony.calls import CallsApi, TelephonyCall

from .. import replies
from ..errors import BotError
from .common import call_api
from .oncall import OnCallCommand

__all__ = ['MuteCommand', 'UnmuteCommand']


def _mute_capable(call: TelephonyCall) -> None:
    if not call.mute_capable:
        raise BotError('This call cannot be muted from here (its device does not allow it).', 'not mute capable')


class MuteCommand(OnCallCommand):
    """
    ``/mute``.
    """
    name = '/mute'
    usage = '/mute [n]'
    help = 'Mute your microphone on the current call (when the call allows it).'
    what = 'muted'

    def act(self, calls: CallsApi, call: TelephonyCall, argument: None) -> str:
        _mute_capable(call)
        call_api(lambda: calls.mute(call.call_id), 'mute the call')
        return f'Muted the call with {replies.party(call.remote_party)}.'


class UnmuteCommand(OnCallCommand):
    """
    ``/unmute``.
    """
    name = '/unmute'
    usage = '/unmute [n]'
    help = 'Unmute your microphone on the current call.'
    what = 'unmuted'

    def act(self, calls: CallsApi, call: TelephonyCall, argument: None) -> str:
        _mute_capable(call)
        call_api(lambda: calls.unmute(call.call_id), 'unmute the call')
        return f'Unmuted the call with {replies.party(call.remote_party)}.'
