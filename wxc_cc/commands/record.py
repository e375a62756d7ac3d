"""
``/record start|stop|pause|resume [n]``: control the recording of a call.
"""
from typing import Optional

from wxc_sdk.telephony.calls import CallsApi, TelephonyCall

from .. import replies
from ..locales import N_, t
from .base import usage_error
from .common import call_api, split_number
from .oncall import OnCallCommand

__all__ = ['RecordCommand']

#: sub-command -> the key of the reply
_SUBCOMMANDS = {'start': N_('record.start'), 'stop': N_('record.stop'), 'pause': N_('record.pause'),
                'resume': N_('record.resume')}


class RecordCommand(OnCallCommand):
    """
    ``/record``.
    """
    name = '/record'
    usage = '/record start|stop|pause|resume [n]'

    def split(self, words: list[str]) -> tuple[Optional[int], list[str]]:
        # the call number comes after the sub-command: /record pause 2
        number, rest = split_number(words[1:])
        return number, words[:1] + rest

    def parse(self, words: list[str]) -> str:
        if len(words) != 1 or words[0].lower() not in _SUBCOMMANDS:
            raise usage_error(self)
        return words[0].lower()

    def act(self, calls: CallsApi, call: TelephonyCall, argument: str) -> str:
        request = {'start': calls.start_recording, 'stop': calls.stop_recording, 'pause': calls.pause_recording,
                   'resume': calls.resume_recording}[argument]
        # TRANSLATORS: {what} is the sub-command as typed: start, stop, pause or resume
        call_api(lambda: request(call.call_id), t('action.record', what=argument))
        return t(_SUBCOMMANDS[argument], party=replies.party(call.remote_party))
