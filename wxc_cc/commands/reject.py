"""
``/reject [n] [busy|unavailable|ignore]``: decline a ringing call.
"""
from wxc_sdk.telephony.calls import CallsApi, RejectAction, TelephonyCall

from .. import replies
from .base import usage_error
from .common import call_api
from .oncall import OnCallCommand

__all__ = ['RejectCommand']

_ACTIONS = {'busy': RejectAction.busy, 'unavailable': RejectAction.temporarily_unavailable,
            'ignore': RejectAction.ignore}


class RejectCommand(OnCallCommand):
    """
    ``/reject``; busy by default.
    """
    name = '/reject'
    usage = '/reject [n] [busy|unavailable|ignore]'
    help = 'Decline the ringing call: busy (default), unavailable, or ignore (it rings on for the caller).'
    tiers = (('alerting',),)
    what = 'declined'

    def parse(self, words: list[str]) -> str:
        if len(words) > 1 or (words and words[0].lower() not in _ACTIONS):
            raise usage_error(self)
        return words[0].lower() if words else 'busy'

    def act(self, calls: CallsApi, call: TelephonyCall, argument: str) -> str:
        call_api(lambda: calls.reject(call.call_id, _ACTIONS[argument]), 'decline the call')
        return f'Declined the call from {replies.party(call.remote_party)} ({argument}).'
