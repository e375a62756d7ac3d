"""
Webex Calling call control beyond answer/hold/resume/hangup: the dispatcher of ``POST /telephony/calls/{action}``
and the actions on one call (reject, mute, recording, DTMF, push); the actions that move the remote party live in
:mod:`~fakewebex.callmoves` (no HTTP here).

Each action takes the JSON body wxc_sdk's ``CallsApi`` sends and returns ``(status, body)``. ``eventType`` values of
``telephony_calls`` notifications Webex does not document that the fake uses: ``muted``/``unmuted`` and
``recording`` (any change of ``recordingState``).
"""
import logging
import re
from typing import TYPE_CHECKING, Callable

from .callmoves import CallMoves, Result
from .errors import WebexError, optional_str, require_str
from .legs import ANSWERED_STATES, Call
from .models import Person
from .telephony import Telephony

if TYPE_CHECKING:
    from .world import World

__all__ = ['ACTIONS', 'REJECT_ACTIONS', 'CallControl']

log = logging.getLogger(__name__)

#: digits ``transmitDtmf`` accepts; a comma is a pause
_DTMF = re.compile(r'[0-9*#ABCD,]+')

REJECT_ACTIONS = frozenset({'busy', 'temporarilyUnavailable', 'ignore'})

#: recording action -> (recording states it applies to, state afterwards, error otherwise)
_RECORDING: dict[str, tuple[frozenset, str, str]] = {
    'startRecording': (frozenset({None, 'stopped'}), 'started', 'Recording is already started'),
    'stopRecording': (frozenset({'started', 'paused'}), 'stopped', 'Call is not being recorded'),
    'pauseRecording': (frozenset({'started'}), 'paused', 'Recording is not started'),
    'resumeRecording': (frozenset({'paused'}), 'started', 'Recording is not paused'),
}

#: ``POST /telephony/calls/{action}`` paths handled here
ACTIONS = frozenset({'reject', 'mute', 'unmute', 'divert', 'transfer', 'park', 'retrieve', 'transmitDtmf', 'push',
                     'pickup', 'bargeIn', 'pull'}) | frozenset(_RECORDING)


class CallControl:
    """
    The call control actions of a :class:`~fakewebex.world.World` and what they leave for inspection.
    """

    def __init__(self, world: 'World'):
        """
        :param world: owner; provides lock, people, telephony and voicemail
        """
        self._world = world
        #: divert, transfer, park/retrieve, pickup, barge-in
        self.moves = CallMoves(world)
        #: call id -> (owner id, DTMF strings sent)
        self._dtmf: dict[str, tuple[str, list[str]]] = {}
        #: people id -> ids of calls pushed
        self._pushed: dict[str, list[str]] = {}
        moves = self.moves
        self._handlers: dict[str, Callable[[Person, dict], Result]] = {
            'reject': self.reject, 'mute': lambda p, b: self.mute(p, b, True),
            'unmute': lambda p, b: self.mute(p, b, False), 'transmitDtmf': self.transmit_dtmf, 'push': self.push,
            'divert': moves.divert, 'transfer': moves.transfer, 'park': moves.park, 'retrieve': moves.retrieve,
            'pickup': moves.pickup, 'bargeIn': moves.barge_in, 'pull': moves.pull,
            **{name: (lambda p, b, n=name: self.recording(p, b, n)) for name in _RECORDING}}

    @property
    def _tel(self) -> Telephony:
        return self._world.telephony

    def perform(self, person: Person, action: str, body: dict) -> Result:
        """
        Run one action of :data:`ACTIONS`.

        :param person: token owner
        :param action: last path segment, e.g. ``'transmitDtmf'``
        :param body: the JSON body
        :return: HTTP status and JSON body (None for no content)
        :raises WebexError: 404 for unknown actions or calls, 400 when the call's state does not allow it
        """
        handler = self._handlers.get(action)
        if handler is None:
            raise WebexError(404, description=f'Unknown call control action {action!r}')
        with self._world.lock:
            return handler(person, body)

    def _target(self, person: Person, body: dict) -> Call:
        """The call named by an optional ``callId``; without it the person's only connected call."""
        call_id = optional_str(body, 'callId')
        if call_id is not None:
            return self._tel.owned(person, call_id)
        connected = [c for c in self._tel.legs(person) if c.state == 'connected']
        if len(connected) != 1:
            raise WebexError(400, description='callId is required unless exactly one call is connected')
        return connected[0]

    # --- actions

    def reject(self, person: Person, body: dict) -> Result:
        """``reject {callId, action?}``: end an alerting incoming call (history ``missed``)."""
        call = self._tel.owned(person, require_str(body, 'callId'))
        action = body.get('action') or 'busy'
        if action not in REJECT_ACTIONS:
            raise WebexError(400, description=f'Invalid action {action!r}')
        # with 'ignore' the caller keeps hearing ringback
        self._tel.apply(call, 'reject', propagate=action != 'ignore')
        return 204, None

    def mute(self, person: Person, body: dict, muted: bool) -> Result:
        """``mute``/``unmute {callId}``: toggle ``muted`` of a mute capable call."""
        call = self._tel.owned(person, require_str(body, 'callId'))
        if not call.mute_capable:
            raise WebexError(400, description='Call is not mute capable')
        if call.state not in ANSWERED_STATES | {'connecting'}:
            raise WebexError(400, description='Call is not connected')
        if call.muted == muted:
            raise WebexError(400, description='Call is already muted' if muted else 'Call is not muted')
        call.muted = muted
        self._tel.fire(call, 'updated', 'muted' if muted else 'unmuted')
        return 204, None

    def recording(self, person: Person, body: dict, action: str) -> Result:
        """``start/stop/pause/resumeRecording {callId?}``: change ``recordingState`` of an answered call."""
        call = self._target(person, body)
        sources, target, error = _RECORDING[action]
        if call.state not in ANSWERED_STATES:
            raise WebexError(400, description='Call is not connected')
        if call.recording_state not in sources:
            raise WebexError(400, description=error)
        call.recording_state = target
        self._tel.fire(call, 'updated', 'recording')
        return 204, None

    def transmit_dtmf(self, person: Person, body: dict) -> Result:
        """``transmitDtmf {callId?, dtmf}``: remember the digits (see :meth:`dtmf_sent`)."""
        call = self._target(person, body)
        dtmf = body.get('dtmf')
        if not isinstance(dtmf, str) or not _DTMF.fullmatch(dtmf):
            raise WebexError(400, description='dtmf must consist of 0-9, *, #, A-D and , (pause)')
        if call.state != 'connected':
            raise WebexError(400, description='Call is not connected')
        self._dtmf.setdefault(call.id, (person.id, []))[1].append(dtmf)
        return 204, None

    def push(self, person: Person, body: dict) -> Result:
        """``push {callId?}``: the call goes to the executive; the fake only remembers it, the call stays."""
        call = self._target(person, body)
        if call.state != 'connected':
            raise WebexError(400, description='Call is not connected')
        self._pushed.setdefault(person.id, []).append(call.id)
        return 204, None

    # --- inspection

    def dtmf_sent(self, person: Person, call_id: str) -> str:
        """
        :return: all DTMF digits ``person`` sent on the call (also after it ended), concatenated
        """
        with self._world.lock:
            owner_id, sent = self._dtmf.get(call_id, (person.id, []))
            return ''.join(sent) if owner_id == person.id else ''

    def pushed(self, person: Person) -> list[str]:
        """
        :return: ids of the calls ``person`` pushed, in order
        """
        with self._world.lock:
            return list(self._pushed.get(person.id, []))

    def parked(self) -> list[dict]:
        """
        :return: calls waiting to be retrieved, see :meth:`CallMoves.parked`
        """
        with self._world.lock:
            return self.moves.parked()
