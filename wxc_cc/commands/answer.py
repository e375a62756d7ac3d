"""
``/answer [n]``: answer the incoming call that is ringing.
"""
from wxc_sdk.telephony.calls import CallsApi, TelephonyCall

from .. import replies
from ..locales import t
from .common import call_api
from .oncall import OnCallCommand

__all__ = ['AnswerCommand']


class AnswerCommand(OnCallCommand):
    """
    ``/answer``.
    """
    name = '/answer'
    usage = '/answer [n]'
    tiers = (('alerting',),)

    def act(self, calls: CallsApi, call: TelephonyCall, argument: None) -> str:
        call_api(lambda: calls.answer(call.call_id), t('action.answer'))
        return replies.answered(call)
