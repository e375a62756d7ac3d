"""
``/dtmf <digits>``: send touch tones on the connected call.
"""
import re

from wxc_sdk.telephony.calls import CallsApi, TelephonyCall

from .. import replies
from ..locales import t
from .base import usage_error
from .common import call_api
from .oncall import OnCallCommand

__all__ = ['DtmfCommand']

#: digits Webex transmits; a comma is a pause
_DIGITS = re.compile(r'^[0-9*#A-D,]{1,64}$')


class DtmfCommand(OnCallCommand):
    """
    ``/dtmf``.
    """
    name = '/dtmf'
    usage = '/dtmf <digits>'
    tiers = (('connected',),)
    takes_number = False

    def parse(self, words: list[str]) -> str:
        digits = ''.join(words).upper()
        if not _DIGITS.match(digits):
            raise usage_error(self)
        return digits

    def act(self, calls: CallsApi, call: TelephonyCall, argument: str) -> str:
        call_api(lambda: calls.transmit_dtmf(call.call_id, argument), t('action.dtmf'))
        return t('dtmf.done', digits=replies.escape(argument), party=replies.party(call.remote_party))
