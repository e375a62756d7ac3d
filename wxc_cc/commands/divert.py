"""
``/divert <number>|voicemail``: send a call elsewhere.
"""
from typing import Optional

from wxc_sdk.telephony.calls import CallsApi, TelephonyCall

from .. import replies
from ..locales import t
from .base import usage_error
from .common import call_api, destination
from .oncall import CURRENT, OnCallCommand

__all__ = ['DivertCommand']


class DivertCommand(OnCallCommand):
    """
    ``/divert``: the ringing call first, else the call in progress.
    """
    name = '/divert'
    usage = '/divert <number>|voicemail'
    tiers = (('alerting',),) + CURRENT
    takes_number = False

    def parse(self, words: list[str]) -> Optional[str]:
        if not words:
            raise usage_error(self)
        if [word.lower() for word in words] == ['voicemail']:
            return None
        return destination(' '.join(words), self.usage)

    def act(self, calls: CallsApi, call: TelephonyCall, argument: Optional[str]) -> str:
        if argument is None:
            call_api(lambda: calls.divert(call.call_id, to_voicemail=True), t('action.divert'))
            return t('divert.voicemail', party=replies.party(call.remote_party))
        call_api(lambda: calls.divert(call.call_id, destination=argument), t('action.divert'))
        return t('divert.done', party=replies.party(call.remote_party), destination=replies.escape(argument))
