"""
``/reject [n] [busy|unavailable|ignore]``: decline a ringing call.
"""
from wxc_sdk.telephony.calls import CallsApi, RejectAction, TelephonyCall

from .. import replies
from ..locales import t
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
    tiers = (('alerting',),)

    def parse(self, words: list[str]) -> str:
        if len(words) > 1 or (words and words[0].lower() not in _ACTIONS):
            raise usage_error(self)
        return words[0].lower() if words else 'busy'

    def act(self, calls: CallsApi, call: TelephonyCall, argument: str) -> str:
        call_api(lambda: calls.reject(call.call_id, _ACTIONS[argument]), t('action.reject'))
        return t('reject.done', party=replies.party(call.remote_party), how=argument)
