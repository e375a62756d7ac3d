"""
``/park [extension]``: park the current call; ``/retrieve`` picks it up again.
"""
from typing import Optional

from wxc_sdk.telephony.calls import CallsApi, TelephonyCall

from .. import replies
from .common import call_api, destination
from .oncall import OnCallCommand

__all__ = ['ParkCommand']


class ParkCommand(OnCallCommand):
    """
    ``/park``: against the given extension, or the user's own.
    """
    name = '/park'
    usage = '/park [extension]'
    help = 'Park the current call (against your own extension, or the one given) to pick it up elsewhere.'
    what = 'parked'
    takes_number = False

    def parse(self, words: list[str]) -> Optional[str]:
        return destination(' '.join(words), self.usage) if words else None

    def act(self, calls: CallsApi, call: TelephonyCall, argument: Optional[str]) -> str:
        parked = call_api(lambda: calls.park(call.call_id, destination=argument), 'park the call')
        where = replies.party_of(parked.name, parked.number)
        retrieve = f'/retrieve {parked.number}' if parked.number else '/retrieve'
        return f'Parked the call with {replies.party(call.remote_party)} against {where}. Get it back with ' \
               f'{replies.escape(retrieve)}.'
