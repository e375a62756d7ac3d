"""
Webex Calling call legs at work: starting and ending legs, applying :data:`~fakewebex.legs.TRANSITIONS`,
``telephony_calls`` notifications, call history (no HTTP here).

The call control features built on these legs (reject, divert, transfer, park, recording, ...) live in
:mod:`~fakewebex.callcontrol` and :mod:`~fakewebex.callmoves`.
"""
import logging
import re
from typing import TYPE_CHECKING, Any, Iterable, Optional

from .clock import iso
from .errors import WebexError, require_str
from .ids import new_id, new_session_id
from .legs import TRANSITIONS, Call, external_party, party
from .models import Person

if TYPE_CHECKING:
    from .world import World

__all__ = ['API_ACTIONS', 'HISTORY_TYPES', 'Telephony']

log = logging.getLogger(__name__)

HISTORY_TYPES = frozenset({'placed', 'missed', 'received'})

#: actions the REST API exposes as ``POST /telephony/calls/{action}`` with only ``callId``, by table row
API_ACTIONS = frozenset({'answer', 'hangup', 'hold', 'resume'})


def _digits(text: Optional[str]) -> str:
    return re.sub(r'\D', '', text or '')


class Telephony:
    """
    Call legs and call history of a :class:`~fakewebex.world.World`.

    Besides the API-level methods, the leg primitives (:meth:`new_leg`, :meth:`apply`, :meth:`fire`, ...)
    are public for :class:`~fakewebex.callcontrol.CallControl`; call them with the world lock held.
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
            callee = self.match(destination, exclude=caller)
            session_id = new_session_id()
            remote = party(callee, caller) if callee else external_party(destination, destination)
            leg = self.new_leg(caller, 'originator', 'connecting', remote, session_id)
            if callee is not None:
                self.link(leg, self.new_leg(callee, 'terminator', 'alerting', party(caller, callee), session_id))
            return leg

    def ring(self, person: Person, from_name: str = 'Henry Green', from_number: str = '7101',
             from_person: Optional[Person] = None, mute_capable: Optional[bool] = None) -> Call:
        """
        An incoming call for ``person``.

        :param person: who is called
        :param from_name: caller name shown for an external caller
        :param from_number: caller number shown for an external caller
        :param from_person: a person of the fake calling; gets the outgoing leg, and name and number are theirs
        :param mute_capable: ``muteCapable`` of the incoming leg; default :attr:`Person.mute_capable`
        :return: the incoming (alerting) leg
        """
        with self._world.lock:
            session_id = new_session_id()
            origin = None
            if from_person is not None:
                origin = self.new_leg(from_person, 'originator', 'connecting', party(person, from_person),
                                      session_id)
            remote = party(from_person, person) if from_person else external_party(from_name, from_number)
            leg = self.new_leg(person, 'terminator', 'alerting', remote, session_id, mute_capable=mute_capable)
            if origin is not None:
                self.link(origin, leg)
            return leg

    def match(self, destination: str, exclude: Optional[Person] = None) -> Optional[Person]:
        """
        :param destination: extension, number, ``tel:``/``sip:`` URI or email
        :param exclude: never this person (the one dialing)
        :return: the person (not a bot) the destination reaches, None if none
        """
        target = re.sub(r'^(tel|sip):', '', destination.strip(), flags=re.I)
        for person in self._world.people():
            if person.is_bot or (exclude is not None and person.id == exclude.id):
                continue
            if '@' in target and target.lower() == person.email.lower():
                return person
            if _digits(target) and _digits(target) in (_digits(person.extension), _digits(person.number)):
                return person
        return None

    def new_leg(self, owner: Person, personality: str, state: str, remote: dict, session_id: str, *,
                mute_capable: Optional[bool] = None, redirections: Iterable[dict] = ()) -> Call:
        """
        Create a leg and fire its ``created`` event (``originated`` or ``received``).

        :param mute_capable: default :attr:`Person.mute_capable` of ``owner``
        """
        now = self._world.now()
        used = {c.appearance for c in self._calls.values() if c.owner_id == owner.id}
        appearance = next(i for i in range(1, len(used) + 2) if i not in used)
        call = Call(new_id('CALL'), session_id, owner.id, personality, state, dict(remote), appearance, now,
                    mute_capable=owner.mute_capable if mute_capable is None else mute_capable,
                    redirections=list(redirections))
        self._calls[call.id] = call
        self.fire(call, 'created', 'originated' if personality == 'originator' else 'received')
        return call

    def new_connected_leg(self, owner: Person, remote: dict, session_id: str) -> Call:
        """
        A leg started by an action that works like dial (retrieve, pickup, barge-in) and is connected at once:
        ``created``/``originated``, then ``updated``/``connected``.
        """
        call = self.new_leg(owner, 'originator', 'connecting', remote, session_id)
        self.apply(call, 'remote_answer', propagate=False)
        return call

    @staticmethod
    def link(a: Call, b: Call) -> None:
        """Make two legs peers."""
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
            call = self.owned(person, call_id)
            self.apply(call, action, propagate=True)
            return call

    @staticmethod
    def check(call: Call, action: str) -> None:
        """
        :raises WebexError: 400 if ``action`` is not possible for the leg in its state
        """
        rule = TRANSITIONS[action]
        if call.state not in rule.sources or rule.personality not in (None, call.personality):
            raise WebexError(400, description=rule.error)

    def apply(self, call: Call, action: str, propagate: bool) -> None:
        """
        Apply a row of :data:`TRANSITIONS` to a leg, fire its event and, with ``propagate``, mirror it on the
        peer leg (if the peer is in a state that allows the mirrored action).

        :raises WebexError: 400 if the action is not possible in the leg's state
        """
        self.check(call, action)
        rule = TRANSITIONS[action]
        now = self._world.now()
        call.state = rule.target
        if rule.target == 'connected' and call.answered is None:
            call.answered = now
        if rule.target == 'disconnected':
            self._end(call, now)
        self.fire(call, 'deleted' if rule.target == 'disconnected' else 'updated', rule.event_type)
        peer = self._calls.get(call.peer_id or '') if propagate and rule.peer else None
        if peer is None:
            return
        peer_rule = TRANSITIONS[rule.peer]
        if peer.state in peer_rule.sources and peer_rule.personality in (None, peer.personality):
            self.apply(peer, rule.peer, propagate=False)
        else:
            log.debug('peer %s in state %s: %s not mirrored', peer.id, peer.state, rule.peer)

    def _end(self, call: Call, now: float) -> None:
        call.disconnected = now
        del self._calls[call.id]
        if call.personality == 'originator':
            kind = 'placed'
        else:
            kind = 'received' if call.answered is not None else 'missed'
        remote = call.remote_party
        self._history.setdefault(call.owner_id, []).append(
            {'type': kind, 'name': remote.get('name'), 'number': remote.get('number'),
             'privacyEnabled': remote.get('privacyEnabled', False), 'time': iso(call.created)})

    def fire(self, call: Call, event: str, event_type: str) -> None:
        """
        Fire a ``telephony_calls`` notification for a leg to its owner's webhooks.
        """
        self._world.hooks.fire('telephony_calls', event, call.event_data(event_type, self._world.now()),
                               actor_id=call.owner_id, audience=[call.owner_id])

    # --- reading

    def owned(self, person: Person, call_id: str) -> Call:
        """
        :return: the active leg ``call_id`` of ``person``
        :raises WebexError: 404 if unknown or someone else's
        """
        call = self._calls.get(call_id)
        if call is None or call.owner_id != person.id:
            raise WebexError(404, description='Call not found')
        return call

    def find(self, call_id: Optional[str]) -> Optional[Call]:
        """
        :return: the active leg with this id (anyone's), None if there is none
        """
        return self._calls.get(call_id or '')

    def legs(self, person: Person) -> list[Call]:
        """
        :return: active legs of ``person``, oldest first
        """
        with self._world.lock:
            return [c for c in self._calls.values() if c.owner_id == person.id]

    def get(self, person: Person, call_id: str) -> dict:
        """
        :return: JSON of an active call of ``person``
        :raises WebexError: 404 otherwise
        """
        with self._world.lock:
            return self.owned(person, call_id).to_json()

    def calls(self, person: Person) -> list[dict]:
        """
        :return: JSON of the active calls of ``person``, oldest first
        """
        with self._world.lock:
            return [c.to_json() for c in self.legs(person)]

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
