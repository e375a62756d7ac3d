"""
``/push [n]``: an executive assistant pushes a call to the executive.
"""
from wxc_sdk.telephony.calls import CallsApi, TelephonyCall

from .. import replies
from .common import call_api
from .oncall import CURRENT, OnCallCommand

__all__ = ['PushCommand']


class PushCommand(OnCallCommand):
    """
    ``/push``.
    """
    name = '/push'
    usage = '/push [n]'
    help = 'As an executive assistant, push the current call to your executive.'
    tiers = CURRENT + (('alerting',),)
    what = 'pushed'

    def act(self, calls: CallsApi, call: TelephonyCall, argument: None) -> str:
        call_api(lambda: calls.push(call.call_id), 'push the call')
        return f'Pushed the call with {replies.party(call.remote_party)} to your executive.'
