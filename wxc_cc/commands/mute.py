"""
``/mute [n]`` and ``/unmute [n]``, for calls that allow it.
"""
from wxc_sdk.telephony.calls import CallsApi, TelephonyCall

from .. import replies
from ..locales import t
from ..errors import BotError
from .common import call_api
from .oncall import OnCallCommand

__all__ = ['MuteCommand', 'UnmuteCommand']


def _mute_capable(call: TelephonyCall) -> None:
    if not call.mute_capable:
        raise BotError(t('mute.not_capable'), 'not mute capable')


class MuteCommand(OnCallCommand):
    """
    ``/mute``.
    """
    name = '/mute'
    usage = '/mute [n]'

    def act(self, calls: CallsApi, call: TelephonyCall, argument: None) -> str:
        _mute_capable(call)
        call_api(lambda: calls.mute(call.call_id), t('action.mute'))
        return t('mute.done', party=replies.party(call.remote_party))


class UnmuteCommand(OnCallCommand):
    """
    ``/unmute``.
    """
    name = '/unmute'
    usage = '/unmute [n]'

    def act(self, calls: CallsApi, call: TelephonyCall, argument: None) -> str:
        _mute_capable(call)
        call_api(lambda: calls.unmute(call.call_id), t('action.unmute'))
        return t('unmute.done', party=replies.party(call.remote_party))
