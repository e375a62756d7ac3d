"""
``/hangup [n]``: end a call.
"""
from wxc_sdk.telephony.calls import CallsApi, TelephonyCall

from .. import replies
from ..locales import t
from .common import call_api
from .oncall import OnCallCommand

__all__ = ['HangupCommand']


class HangupCommand(OnCallCommand):
    """
    ``/hangup``: without a number, the connected call, else the only other one.
    """
    name = '/hangup'
    usage = '/hangup [n]'
    tiers = (('connected',), ('held', 'remoteHeld', 'connecting', 'alerting'))

    def act(self, calls: CallsApi, call: TelephonyCall, argument: None) -> str:
        call_api(lambda: calls.hangup(call.call_id), t('action.hangup'))
        return replies.hung_up(call)
