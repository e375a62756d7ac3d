"""
Webex Calling call legs at work: starting and ending legs (where the callee's call settings send a new call),
applying :data:`~fakewebex.legs.TRANSITIONS`, ``telephony_calls`` notifications, call history (no HTTP here).

The call control features built on these legs (reject, divert, transfer, park, recording, ...) live in
:mod:`~fakewebex.callcontrol` and :mod:`~fakewebex.callmoves`.
"""
import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Optional

from .clock import iso
from .errors import WebexError, require_str
from .ids import new_id, new_session_id
from .legs import TRANSITIONS, Call, external_party, party
from .models import Person

if TYPE_CHECKING:
    from .world import World

__all__ = ['API_ACTIONS', 'HISTORY_TYPES', 'MAX_HOPS', 'Route', 'Telephony']

log = logging.getLogger(__name__)

HISTORY_TYPES = frozenset({'placed', 'missed', 'received'})

#: actions the REST API exposes as ``POST /telephony/calls/{action}`` with only ``callId``, by table row (answer
#: also takes ``endpointId``: :meth:`Telephony.answer`)
API_ACTIONS = frozenset({'hangup', 'hold', 'resume'})

#: most forwardings a new call follows (a loop of forwardings ends at the person reached last)
MAX_HOPS = 5


@dataclass(frozen=True)
class Route:
    """
    Where a new call for a person ends up: whose phone rings, or else a voicemail box, or else a number outside
    the fake; none of them is a busy treatment.
    """
    person: Optional[Person]
    #: the forwardings on the way, most recent first, as the ringing call's ``redirections``
    redirections: list[dict]
    mailbox: Optional[Person] = None
    number: Optional[str] = None


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

    def dial(self, caller: Person, destination: Any, endpoint_id: Optional[str] = None) -> Call:
        """
        ``POST /telephony/calls/dial``: an outgoing call; a person of the fake as destination is offered the call
        (see :meth:`offer`: it rings them, or where their settings send it).

        :param caller: token owner
        :param destination: extension, number, ``tel:``/``sip:`` URI or email
        :param endpoint_id: the caller's device that rings (``endpointId``); default all of them
        :return: the caller's leg (already ended when the call met a busy treatment)
        :raises WebexError: 400 for an ``endpointId`` that is not one of the caller's devices
        """
        destination = require_str({'destination': destination}, 'destination').strip()
        with self._world.lock:
            devices = self._world.devices.ringing(caller, endpoint_id)
            callee = self.match(destination, exclude=caller)
            if callee is None:
                return self.new_leg(caller, 'originator', 'connecting', external_party(destination, destination),
                                    new_session_id(), devices=devices)
            origin, _ = self.offer(callee, functools.partial(party, caller), origin_owner=caller,
                                   origin_devices=devices)
            return origin

    def ring(self, person: Person, from_name: str = 'Henry Green', from_number: str = '7101',
             from_person: Optional[Person] = None, mute_capable: Optional[bool] = None) -> Optional[Call]:
        """
        An incoming call for ``person``, who is offered it (see :meth:`offer`).

        :param person: who is called
        :param from_name: caller name shown for an external caller
        :param from_number: caller number shown for an external caller
        :param from_person: a person of the fake calling; gets the outgoing leg, and name and number are theirs
        :param mute_capable: ``muteCapable`` of the incoming leg; default :attr:`Person.mute_capable`
        :return: the leg that rings: ``person``'s, or that of the person the call is forwarded to; None when no
            phone rings (busy, a voice message, a number outside the fake)
        """
        def remote(seen_by: Person) -> dict:
            return party(from_person, seen_by) if from_person else external_party(from_name, from_number)

        with self._world.lock:
            _, leg = self.offer(person, remote, origin_owner=from_person, mute_capable=mute_capable)
            return leg

    def route(self, callee: Person) -> Route:
        """
        Where a new call for ``callee`` ends up, following the call settings of each person on the way
        (:meth:`fakewebex.callsettings.CallSettings.treatment`), at most :data:`MAX_HOPS` forwardings.
        """
        redirections: list[dict] = []
        person = callee
        for _ in range(MAX_HOPS):
            treatment = self._world.call_settings.treatment(person)
            if treatment.kind == 'ring':
                break
            if treatment.kind == 'busy':
                return Route(None, redirections)
            target = self.match(treatment.destination or '')
            redirections.insert(0, {'reason': treatment.reason, 'redirectingParty': party(person, target or person)})
            if target is None:
                return Route(None, redirections, number=treatment.destination)
            if treatment.voicemail:
                return Route(None, redirections, mailbox=target)
            person = target
        return Route(person, redirections)

    def offer(self, callee: Person, remote: Callable[[Person], dict], *, origin_owner: Optional[Person] = None,
              mute_capable: Optional[bool] = None,
              origin_devices: Optional[tuple[str, ...]] = None) -> tuple[Optional[Call], Optional[Call]]:
        """
        A new call for ``callee``, where their settings send it (:meth:`route`): the phone that rings gets an
        alerting leg (with the redirections on the way); a busy treatment ends the caller's leg at once; a
        forwarding to voicemail leaves a voice message, after which the caller hangs up; a forwarding to a number
        outside the fake leaves the caller's leg connecting to that number.

        :param remote: the caller as a person sees them, e.g. ``lambda seen_by: party(caller, seen_by)``
        :param origin_owner: the person of the fake calling, who gets the outgoing leg
        :param mute_capable: ``muteCapable`` of the alerting leg
        :param origin_devices: the devices of ``origin_owner`` the outgoing leg rings; default all of them
        :return: the caller's leg (or None) and the alerting leg (or None)
        """
        route = self.route(callee)
        session_id = new_session_id()
        origin = None
        if origin_owner is not None:
            reached = route.person or route.mailbox
            seen = (party(reached, origin_owner) if reached else
                    external_party(route.number, route.number) if route.number else party(callee, origin_owner))
            origin = self.new_leg(origin_owner, 'originator', 'connecting', seen, session_id, devices=origin_devices)
        if route.person is not None:
            leg = self.new_leg(route.person, 'terminator', 'alerting', remote(route.person), session_id,
                               mute_capable=mute_capable, redirections=route.redirections)
            if origin is not None:
                self.link(origin, leg)
            return origin, leg
        if route.mailbox is not None:
            caller = remote(route.mailbox)
            self._world.voicemail.leave(route.mailbox, caller.get('name') or '', caller.get('number') or '',
                                        person_id=caller.get('personId'))
        if origin is not None and route.number is None:
            self.apply(origin, 'remote_hangup', propagate=False)
        return origin, None

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
                mute_capable: Optional[bool] = None, redirections: Iterable[dict] = (),
                devices: Optional[tuple[str, ...]] = None) -> Call:
        """
        Create a leg and fire its ``created`` event (``originated`` or ``received``).

        :param mute_capable: default :attr:`Person.mute_capable` of ``owner``
        :param devices: the devices of ``owner`` it rings; default all of them
        """
        now = self._world.now()
        used = {c.appearance for c in self._calls.values() if c.owner_id == owner.id}
        appearance = next(i for i in range(1, len(used) + 2) if i not in used)
        call = Call(new_id('CALL'), session_id, owner.id, personality, state, dict(remote), appearance, now,
                    mute_capable=owner.mute_capable if mute_capable is None else mute_capable,
                    redirections=list(redirections),
                    devices=self._world.devices.ringing(owner) if devices is None else devices)
        self._calls[call.id] = call
        self.fire(call, 'created', 'originated' if personality == 'originator' else 'received')
        return call

    def new_connected_leg(self, owner: Person, remote: dict, session_id: str, devices: tuple[str, ...]) -> Call:
        """
        A leg started by an action that works like dial (retrieve, pickup, barge-in) and is connected at once:
        ``created``/``originated``, then ``updated``/``connected``.

        :param devices: the device of ``owner`` it connects on (see
            :meth:`~fakewebex.devices.Devices.answering`)
        """
        call = self.new_leg(owner, 'originator', 'connecting', remote, session_id, devices=devices)
        self.apply(call, 'remote_answer', propagate=False)
        return call

    @staticmethod
    def link(a: Call, b: Call) -> None:
        """Make two legs peers."""
        a.peer_id, b.peer_id = b.id, a.id

    # --- acting on calls

    def answer(self, person: Person, call_id: Any, endpoint_id: Optional[str] = None) -> Call:
        """
        ``POST /telephony/calls/answer``: answer an alerting incoming call, on the device ``endpoint_id`` names
        (it must be alerting for the call), else as :meth:`~fakewebex.devices.Devices.answering` says.

        :raises WebexError: 404 if the call is not an active call of ``person``, 400 if it is not alerting or the
            device is not alerting for it
        """
        call_id = require_str({'callId': call_id}, 'callId')
        with self._world.lock:
            call = self.owned(person, call_id)
            if endpoint_id is not None:
                self._world.devices.require(person, endpoint_id)
                if endpoint_id not in call.devices:
                    raise WebexError(400, description='The device is not alerting for the call')
            self.check(call, 'answer')
            call.devices = self._world.devices.answering(person, endpoint_id)
            self.apply(call, 'answer', propagate=True)
            return call

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
        if rule.target == 'connected' and len(call.devices) > 1:
            # the person's own devices answer at once: the call is on the one that answers
            call.devices = self._world.devices.answering(self._world.person(call.owner_id))
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
