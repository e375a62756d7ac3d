"""
Webex Calling call control: call legs, a state-transition table, call history (no HTTP here).

Every call a person sees is a *leg*. A call between two people of the fake has two legs (originator and
terminator) in one call session, linked as peers: an action on one leg applies the mirrored action to the
other (``answer`` <-> ``remote_answer``, ``hold`` <-> ``remote_hold``, ...). New states or features are added
as rows of :data:`TRANSITIONS`.
"""
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from .clock import iso
from .errors import WebexError, require_str
from .ids import new_id, new_session_id
from .models import Person

if TYPE_CHECKING:
    from .world import World

__all__ = ['ACTIVE_STATES', 'Transition', 'TRANSITIONS', 'API_ACTIONS', 'HISTORY_TYPES', 'Call', 'Telephony']

log = logging.getLogger(__name__)

ACTIVE_STATES = frozenset({'connecting', 'alerting', 'connected', 'held', 'remoteHeld'})
HISTORY_TYPES = frozenset({'placed', 'missed', 'received'})


@dataclass(frozen=True)
class Transition:
    """
    One row of the state machine of a call leg.
    """
    #: states the leg may be in
    sources: frozenset
    #: state afterwards
    target: str
    #: ``eventType`` of the ``telephony_calls`` notification
    event_type: str
    #: error description when the leg is in another state
    error: str
    #: required personality of the leg, if any
    personality: Optional[str] = None
    #: action applied to the peer leg, if any
    peer: Optional[str] = None


TRANSITIONS: dict[str, Transition] = {
    'answer': Transition(frozenset({'alerting'}), 'connected', 'connected', 'Call is not alerting',
                         'terminator', 'remote_answer'),
    'remote_answer': Transition(frozenset({'connecting', 'alerting'}), 'connected', 'connected',
                                'Call is not connecting', 'originator', 'answer'),
    'hold': Transition(frozenset({'connected'}), 'held', 'held', 'Call is not connected', peer='remote_hold'),
    'resume': Transition(frozenset({'held'}), 'connected', 'resumed', 'Call is not held', peer='remote_resume'),
    'remote_hold': Transition(frozenset({'connected'}), 'remoteHeld', 'remoteHeld', 'Call is not connected',
                              peer='hold'),
    'remote_resume': Transition(frozenset({'remoteHeld'}), 'connected', 'remoteResumed',
                                'Call is not held by the remote party', peer='resume'),
    'hangup': Transition(ACTIVE_STATES, 'disconnected', 'disconnected', 'Call is not active',
                         peer='remote_hangup'),
    'remote_hangup': Transition(ACTIVE_STATES, 'disconnected', 'disconnected', 'Call is not active',
                                peer='hangup'),
}

#: actions the REST API exposes as ``POST /telephony/calls/{action}``
API_ACTIONS = frozenset({'answer', 'hangup', 'hold', 'resume'})


@dataclass
class Call:
    """
    One call leg of one person.
    """
    id: str
    session_id: str
    owner_id: str
    personality: str
    state: str
    remote_party: dict[str, Any]
    appearance: int
    created: float
    answered: Optional[float] = None
    disconnected: Optional[float] = None
    #: id of the other leg when both ends are people of the fake
    peer_id: Optional[str] = None

    def to_json(self) -> dict[str, Any]:
        """
        :return: the call as ``GET /telephony/calls/{id}`` returns it
        """
        data = {'id': self.id, 'callSessionId': self.session_id, 'personality': self.personality,
                'state': self.state, 'remoteParty': dict(self.remote_party), 'appearance': self.appearance,
                'created': iso(self.created)}
        data.update({k: iso(v) for k, v in (('answered', self.answered), ('disconnected', self.disconnected))
                     if v is not None})
        return data

    def event_data(self, event_type: str, timestamp: float) -> dict[str, Any]:
        """
        :return: ``data`` of a ``telephony_calls`` notification
        """
        call = self.to_json()
        return {'eventType': event_type, 'eventTimestamp': iso(timestamp), 'callId': call.pop('id'), **call}


def _digits(text: Optional[str]) -> str:
    return re.sub(r'\D', '', text or '')


def _external_party(name: str, number: str) -> dict[str, Any]:
    return {'name': name, 'number': number, 'privacyEnabled': False, 'callType': 'external'}


def _party(person: Person, seen_by: Person) -> dict[str, Any]:
    return {'name': person.display_name, 'number': person.dial_string or '', 'personId': person.id,
            'privacyEnabled': False, 'callType': 'location' if person.org_id == seen_by.org_id else 'external'}


class Telephony:
    """
    Calls and call history of a :class:`~fakewebex.world.World`.
    """

    def __init__(self, world: 'World'):
        """
        :param world: owner; provides lock, clock, people and webhooks
        """
        self._world = world
        self._calls: dict[str, Call] = {}
        self._history: dict[str, list[dict]] = {}

    # --- starting calls

    def dial(self, caller: Person, destination: Any) -> Call:
        """
        ``POST /telephony/calls/dial``: an outgoing call; a person of the fake as destination gets an
        incoming leg.

        :param caller: token owner
        :param destination: extension, number, ``tel:``/``sip:`` URI or email
        :return: the caller's leg
        """
        destination = require_str({'destination': destination}, 'destination').strip()
        with self._world.lock:
            callee = self._match(destination, caller)
            session_id = new_session_id()
            remote = _party(callee, caller) if callee else _external_party(destination, destination)
            leg = self._new_leg(caller, 'originator', 'connecting', remote, session_id)
            if callee is not None:
                self._link(leg, self._new_leg(callee, 'terminator', 'alerting', _party(caller, callee), session_id))
            return leg

    def ring(self, person: Person, from_name: str = 'Henry Green', from_number: str = '7101',
             from_person: Optional[Person] = None) -> Call:
        """
        An incoming call for ``person``.

        :param person: who is called
        :param from_name: caller name shown for an external caller
        :param from_number: caller number shown for an external caller
        :param from_person: a person of the fake calling; gets the outgoing leg, and name and number are theirs
        :return: the incoming (alerting) leg
        """
        with self._world.lock:
            session_id = new_session_id()
            origin = None
            if from_person is not None:
                origin = self._new_leg(from_person, 'originator', 'connecting', _party(person, from_person),
                                       session_id)
            remote = _party(from_person, person) if from_person else _external_party(from_name, from_number)
            leg = self._new_leg(person, 'terminator', 'alerting', remote, session_id)
            if origin is not None:
                self._link(origin, leg)
            return leg

    def _match(self, destination: str, caller: Person) -> Optional[Person]:
        target = re.sub(r'^(tel|sip):', '', destination, flags=re.I)
        for person in self._world.people():
            if person.id == caller.id or person.is_bot:
                continue
            if '@' in target and target.lower() == person.email.lower():
                return person
            if _digits(target) and _digits(target) in (_digits(person.extension), _digits(person.number)):
                return person
        return None

    def _new_leg(self, owner: Person, personality: str, state: str, remote: dict, session_id: str) -> Call:
        now = self._world.now()
        used = {c.appearance for c in self._calls.values() if c.owner_id == owner.id}
        appearance = next(i for i in range(1, len(used) + 2) if i not in used)
        call = Call(new_id('CALL'), session_id, owner.id, personality, state, remote, appearance, now)
        self._calls[call.id] = call
        self._fire(call, 'created', 'originated' if personality == 'originator' else 'received', now)
        return call

    @staticmethod
    def _link(a: Call, b: Call) -> None:
        a.peer_id, b.peer_id = b.id, a.id

    # --- acting on calls

    def act(self, person: Person, action: str, call_id: Any) -> Call:
        """
        Apply an action (a key of :data:`TRANSITIONS`) to a call of ``person`` and mirror it on the peer leg.

        :raises WebexError: 404 if the call is not an active call of ``person``, 400 if the action is not
            possible in the call's state
        """
        call_id = require_str({'callId': call_id}, 'callId')
        with self._world.lock:
            call = self._owned(person, call_id)
            self._apply(call, action, propagate=True)
            return call

    def _apply(self, call: Call, action: str, propagate: bool) -> None:
        rule = TRANSITIONS[action]
        if call.state not in rule.sources or rule.personality not in (None, call.personality):
            raise WebexError(400, description=rule.error)
        now = self._world.now()
        call.state = rule.target
        if rule.target == 'connected' and call.answered is None:
            call.answered = now
        if rule.target == 'disconnected':
            self._end(call, now)
        self._fire(call, 'deleted' if rule.target == 'disconnected' else 'updated', rule.event_type, now)
        peer = self._calls.get(call.peer_id or '') if propagate and rule.peer else None
        if peer is None:
            return
        peer_rule = TRANSITIONS[rule.peer]
        if peer.state in peer_rule.sources and peer_rule.personality in (None, peer.personality):
            self._apply(peer, rule.peer, propagate=False)
        else:
            log.debug('peer %s in state %s: %s not mirrored', peer.id, peer.state, rule.peer)

    def _end(self, call: Call, now: float) -> None:
        call.disconnected = now
        del self._calls[call.id]
        if call.personality == 'originator':
            kind = 'placed'
        else:
            kind = 'received' if call.answered is not None else 'missed'
        party = call.remote_party
        self._history.setdefault(call.owner_id, []).append(
            {'type': kind, 'name': party.get('name'), 'number': party.get('number'),
             'privacyEnabled': party.get('privacyEnabled', False), 'time': iso(call.created)})

    def _fire(self, call: Call, event: str, event_type: str, now: float) -> None:
        self._world.hooks.fire('telephony_calls', event, call.event_data(event_type, now),
                               actor_id=call.owner_id, audience=[call.owner_id])

    # --- reading

    def _owned(self, person: Person, call_id: str) -> Call:
        call = self._calls.get(call_id)
        if call is None or call.owner_id != person.id:
            raise WebexError(404, description='Call not found')
        return call

    def get(self, person: Person, call_id: str) -> dict:
        """
        :return: JSON of an active call of ``person``
        :raises WebexError: 404 otherwise
        """
        with self._world.lock:
            return self._owned(person, call_id).to_json()

    def calls(self, person: Person) -> list[dict]:
        """
        :return: JSON of the active calls of ``person``, oldest first
        """
        with self._world.lock:
            return [c.to_json() for c in self._calls.values() if c.owner_id == person.id]

    def history(self, person: Person, kind: Optional[str] = None) -> list[dict]:
        """
        :param person: whose history
        :param kind: ``placed``, ``missed`` or ``received``; all if None
        :return: history records, newest first
        :raises WebexError: 400 for an unknown type
        """
        if kind is not None and kind not in HISTORY_TYPES:
            raise WebexError(400, description=f'Invalid type {kind!r}')
        with self._world.lock:
            return [dict(r) for r in reversed(self._history.get(person.id, [])) if kind in (None, r['type'])]
