"""
``/dtmf <digits>``: send touch tones on the connected call.
"""
import re

from wxc_sdk.telephony.calls import CallsApi, TelephonyCall

from .. import replies
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
    help = 'Send touch tones (0-9 * # A-D, a comma pauses) on the connected call.'
    tiers = (('connected',),)
    what = 'sent tones'
    takes_number = False

    def parse(self, words: list[str]) -> str:
        digits = ''.join(words).upper()
        if not _DIGITS.match(digits):
            raise usage_error(self)
        return digits

    def act(self, calls: CallsApi, call: TelephonyCall, argument: str) -> str:
        call_api(lambda: calls.transmit_dtmf(call.call_id, argument), 'send the tones')
        return f'Sent {replies.escape(argument)} to {replies.party(call.remote_party)}.'
