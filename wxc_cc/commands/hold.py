"""
``/hold [n]`` and ``/resume [n]``.
"""
from wxc_sdk.telephony.calls import CallsApi, TelephonyCall

from .. import replies
from .common import call_api
from .oncall import OnCallCommand

__all__ = ['HoldCommand', 'ResumeCommand']


class HoldCommand(OnCallCommand):
    """
    ``/hold``.
    """
    name = '/hold'
    usage = '/hold [n]'
    help = 'Put your connected call (or call n) on hold.'
    tiers = (('connected', 'remoteHeld'),)
    what = 'put on hold'

    def act(self, calls: CallsApi, call: TelephonyCall, argument: None) -> str:
        call_api(lambda: calls.hold(call.call_id), 'hold the call')
        return f'Put the call with {replies.party(call.remote_party)} on hold.'


class ResumeCommand(OnCallCommand):
    """
    ``/resume``.
    """
    name = '/resume'
    usage = '/resume [n]'
    help = 'Resume your held call (or call n).'
    tiers = (('held',),)
    what = 'resumed'

    def act(self, calls: CallsApi, call: TelephonyCall, argument: None) -> str:
        call_api(lambda: calls.resume(call.call_id), 'resume the call')
        return f'Resumed the call with {replies.party(call.remote_party)}.'
