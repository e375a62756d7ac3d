"""
``/park [extension]``: park the current call; ``/retrieve`` picks it up again.
"""
from typing import Optional

from wxc_sdk.telephony.calls import CallsApi, TelephonyCall

from .. import replies
from ..locales import t
from .common import call_api, destination
from .oncall import OnCallCommand

__all__ = ['ParkCommand']


class ParkCommand(OnCallCommand):
    """
    ``/park``: against the given extension, or the user's own.
    """
    name = '/park'
    usage = '/park [extension]'
    takes_number = False

    def parse(self, words: list[str]) -> Optional[str]:
        return destination(' '.join(words), self.usage) if words else None

    def act(self, calls: CallsApi, call: TelephonyCall, argument: Optional[str]) -> str:
        parked = call_api(lambda: calls.park(call.call_id, destination=argument), t('action.park'))
        where = replies.party_of(parked.name, parked.number)
        retrieve = f'/retrieve {parked.number}' if parked.number else '/retrieve'
        # TRANSLATORS: {where} is the extension the call is parked against, {retrieve} the command that gets it back
        return t('park.done', party=replies.party(call.remote_party), where=where, retrieve=replies.escape(retrieve))
