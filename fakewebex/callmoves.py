"""
Call control that moves a remote party: divert (and forwarding when a call rings out), transfer, park and
retrieve, pickup, barge-in, and pull, which moves the call to another of the person's devices (no HTTP here).

Each action takes the JSON body wxc_sdk's ``CallsApi`` sends and returns ``(status, body)``. The user's leg ends
through a row of :data:`~fakewebex.legs.TRANSITIONS` (``deleted``/``disconnected``); when the remote party is a
person of the fake, their leg stays and is re-linked. ``eventType`` values Webex does not document that the fake
uses for that remote leg: ``forwarded`` (divert), ``transferred`` (transfer), ``remoteHeld`` while parked,
``remoteResumed`` when retrieved.
"""
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from .errors import WebexError, optional_str, require_str
from .ids import new_id
from .legs import ANSWERED_STATES, Call, external_party, party
from .models import Person
from .telephony import Telephony

if TYPE_CHECKING:
    from .world import World

__all__ = ['Result', 'ParkedCall', 'CallMoves']

log = logging.getLogger(__name__)

#: HTTP status and JSON body (None: no content) of a call control action
Result = tuple[int, Optional[dict]]


@dataclass
class ParkedCall:
    """
    A call parked against a person, waiting to be retrieved.
    """
    against_id: str
    parked_by_id: str
    #: the remote party as the parking user saw it
    remote_party: dict[str, Any]
    session_id: str
    #: the remote party's leg, when the remote party is a person of the fake
    peer_id: Optional[str]


class CallMoves:
    """
    Divert, transfer, park/retrieve, pickup and barge-in for a :class:`~fakewebex.world.World`; call with the
    world lock held (as :class:`~fakewebex.callcontrol.CallControl` does).
    """

    #: duration (seconds) of the voice message a call diverted to voicemail leaves
    voicemail_duration = 12

    def __init__(self, world: 'World'):
        """
        :param world: owner; provides lock, people, telephony and voicemail
        """
        self._world = world
        #: people id -> call parked against them
        self._parked: dict[str, ParkedCall] = {}

    @property
    def _tel(self) -> Telephony:
        return self._world.telephony

    def _peer(self, call: Call) -> tuple[Optional[Call], Optional[Person]]:
        peer = self._tel.find(call.peer_id)
        return peer, self._world.person(peer.owner_id) if peer else None

    def _announce(self, leg: Call, event_type: str) -> None:
        """Tell the owner of a remote leg that its remote party changed (resuming it if it was on hold)."""
        if leg.state == 'remoteHeld':
            self._tel.apply(leg, 'remote_resume', propagate=False)
        else:
            self._tel.fire(leg, 'updated', event_type)

    # --- divert and transfer

    def divert(self, person: Person, body: dict) -> Result:
        """``divert {callId, destination?, toVoicemail?}``: the call leaves the user for a destination or voicemail."""
        call = self._tel.owned(person, require_str(body, 'callId'))
        destination, to_voicemail = optional_str(body, 'destination'), body.get('toVoicemail') is True
        if not (destination or to_voicemail):
            raise WebexError(400, description='destination is required unless toVoicemail is true')
        self.forward(person, call, destination, to_voicemail, reason='divert')
        return 204, None

    def ring_out(self, person: Person, call_id: str) -> None:
        """
        An incoming call of ``person`` rang out unanswered: no-answer forwarding sends it on (redirection reason
        ``noAnswer``); without it the caller gives up.

        :raises WebexError: 404 if it is not a call of ``person``, 400 if it is not ringing for them
        """
        call = self._tel.owned(person, call_id)
        if (call.state, call.personality) != ('alerting', 'terminator'):
            raise WebexError(400, description='Call is not ringing')
        forwarding = self._world.call_settings.no_answer(person)
        if forwarding is None:
            self._tel.apply(call, 'remote_hangup', propagate=True)
            return
        self.forward(person, call, forwarding.destination, forwarding.voicemail, reason='noAnswer')

    def forward(self, person: Person, call: Call, destination: Optional[str], to_voicemail: bool,
                reason: str) -> None:
        """
        The call leaves ``person`` for a destination, or for voicemail: the destination's mailbox, or without a
        destination the person's own.

        :param reason: the ``redirections`` reason the destination sees, e.g. ``divert``
        :raises WebexError: 404 for voicemail at a destination outside the fake, 400 if the call's state does not
            allow it
        """
        mailbox = None
        if to_voicemail:
            mailbox = self._tel.match(destination) if destination else person
            if mailbox is None:
                raise WebexError(404, description=f'No voicemail for destination {destination!r}')
        self._tel.check(call, 'divert')
        self._tel.apply(call, 'divert', propagate=False)
        if mailbox is None:
            self._redirect(person, call, destination, reason=reason, event_type='forwarded')
            return
        remote = call.remote_party
        self._world.voicemail.leave(mailbox, remote.get('name') or '', remote.get('number') or '',
                                    self.voicemail_duration, person_id=remote.get('personId'))
        peer, _ = self._peer(call)
        if peer is not None:
            # the caller hangs up after leaving the message
            self._tel.apply(peer, 'hangup', propagate=False)

    def _redirect(self, user: Person, call: Call, destination: str, *, reason: Optional[str],
                  event_type: str) -> None:
        """The remote party of ``call`` (already ended for ``user``) now calls ``destination``."""
        peer, peer_owner = self._peer(call)
        callee = self._tel.match(destination, exclude=user)
        if peer is not None:
            peer.peer_id = None
            peer.remote_party = party(callee, peer_owner) if callee else external_party(destination, destination)
        if callee is not None:
            redirections = [{'reason': reason, 'redirectingParty': party(user, callee)}] if reason else []
            remote = party(peer_owner, callee) if peer_owner else call.remote_party
            leg = self._tel.new_leg(callee, 'terminator', 'alerting', remote, call.session_id,
                                    redirections=redirections)
            if peer is not None:
                self._tel.link(leg, peer)
        if peer is not None:
            self._announce(peer, event_type)

    def transfer(self, person: Person, body: dict) -> Result:
        """
        ``transfer {callId1?, callId2?, destination?}``: attended (two calls, or none given and exactly two
        exist; 204) or mute/blind (``callId1`` and ``destination``; 201 with the transferred call's ids).
        """
        id1, id2 = optional_str(body, 'callId1'), optional_str(body, 'callId2')
        destination = optional_str(body, 'destination')
        if id1 and destination and not id2:
            call = self._tel.owned(person, id1)
            self._tel.check(call, 'transfer')
            self._tel.apply(call, 'transfer', propagate=False)
            self._redirect(person, call, destination, reason=None, event_type='transferred')
            return 201, call.info()
        if not (id1 or id2 or destination):
            calls = self._tel.legs(person)
            if len(calls) != 2:
                raise WebexError(400, description='callId1 and callId2 are required unless there are exactly '
                                                  'two calls')
        elif id1 and id2 and not destination and id1 != id2:
            calls = [self._tel.owned(person, id1), self._tel.owned(person, id2)]
        else:
            raise WebexError(400, description='Give callId1 and callId2, or callId1 and destination')
        for call in calls:
            self._tel.check(call, 'transfer')
        for call in calls:
            self._tel.apply(call, 'transfer', propagate=False)
        ends = [self._peer(c) for c in calls]
        for i, (peer, owner) in enumerate(ends):
            if peer is None:
                continue
            other, other_owner = ends[1 - i]
            peer.peer_id = None
            peer.remote_party = party(other_owner, owner) if other_owner else dict(calls[1 - i].remote_party)
            if other is not None:
                self._tel.link(peer, other)
        for peer, _ in ends:
            if peer is not None:
                self._announce(peer, 'transferred')
        return 204, None

    # --- park and retrieve

    def park(self, person: Person, body: dict) -> Result:
        """``park {callId, destination?, isGroupPark?}``: the call ends for the user, parked against someone."""
        call = self._tel.owned(person, require_str(body, 'callId'))
        destination = optional_str(body, 'destination')
        # the fake has no call park groups: a group park parks against the user
        target = person if body.get('isGroupPark') is True or not destination else self._tel.match(destination)
        if target is None:
            raise WebexError(404, description=f'Park destination {destination!r} not found')
        if self._live_parked(target.id) is not None:
            raise WebexError(409, description=f'A call is already parked against {target.display_name}')
        self._tel.check(call, 'park')
        self._tel.apply(call, 'park', propagate=False)
        peer, _ = self._peer(call)
        if peer is not None:
            peer.peer_id = None
            if peer.state == 'connected':
                self._tel.apply(peer, 'remote_hold', propagate=False)
        self._parked[target.id] = ParkedCall(target.id, person.id, dict(call.remote_party), call.session_id,
                                             peer.id if peer else None)
        return 200, {'parkedAgainst': party(target, person)}

    def _live_parked(self, person_id: str) -> Optional[ParkedCall]:
        """The call parked against a person, forgetting it if its remote party hung up meanwhile."""
        parked = self._parked.get(person_id)
        if parked is not None and parked.peer_id and self._tel.find(parked.peer_id) is None:
            del self._parked[person_id]
            parked = None
        return parked

    def retrieve(self, person: Person, body: dict) -> Result:
        """
        ``retrieve {destination?, endpointId?}``: a new connected call with the party parked there (default: the
        user), on the device ``endpointId`` names (see :meth:`~fakewebex.devices.Devices.answering`).
        """
        devices = self._answering(person, body)
        destination = optional_str(body, 'destination')
        target = self._tel.match(destination) if destination else person
        parked = self._live_parked(target.id) if target else None
        if parked is None:
            raise WebexError(404, description=f'No call is parked against {destination or "you"}')
        del self._parked[target.id]
        peer = self._tel.find(parked.peer_id)
        peer_owner = self._world.person(peer.owner_id) if peer else None
        remote = party(peer_owner, person) if peer_owner else parked.remote_party
        leg = self._tel.new_connected_leg(person, remote, parked.session_id, devices)
        if peer is not None:
            peer.remote_party = party(person, peer_owner)
            self._tel.link(leg, peer)
            self._announce(peer, 'connected')
        return 201, leg.info()

    def parked(self) -> list[dict]:
        """
        :return: calls waiting to be retrieved: ``{parkedAgainst, parkedBy, remoteParty, callSessionId}``
        """
        live = [p for p in map(self._live_parked, list(self._parked)) if p is not None]
        return [{'parkedAgainst': p.against_id, 'parkedBy': p.parked_by_id, 'remoteParty': dict(p.remote_party),
                 'callSessionId': p.session_id} for p in live]

    # --- pickup and barge-in

    def pickup(self, person: Person, body: dict) -> Result:
        """
        ``pickup {target?, endpointId?}``: answer an alerting call of the target, or of anyone else in the user's
        org, on the device ``endpointId`` names.
        """
        devices = self._answering(person, body)
        target = optional_str(body, 'target')
        if target is not None:
            owner = self._tel.match(target, exclude=person)
            if owner is None:
                raise WebexError(404, description=f'Pickup target {target!r} not found')
            owners = [owner]
        else:
            owners = [p for p in self._world.people()
                      if p.id != person.id and p.org_id == person.org_id and not p.is_bot]
        alerting = [c for p in owners for c in self._tel.legs(p)
                    if c.state == 'alerting' and c.personality == 'terminator']
        if not alerting:
            raise WebexError(404, description='No call to pick up')
        victim = min(alerting, key=lambda c: c.created)
        self._tel.apply(victim, 'picked_up', propagate=False)
        peer, peer_owner = self._peer(victim)
        remote = party(peer_owner, person) if peer_owner else victim.remote_party
        leg = self._tel.new_connected_leg(person, remote, victim.session_id, devices)
        if peer is not None:
            peer.remote_party = party(person, peer_owner)
            self._tel.link(leg, peer)
            if peer.state in ('connecting', 'alerting') and peer.personality == 'originator':
                self._tel.apply(peer, 'remote_answer', propagate=False)
            else:
                self._tel.fire(peer, 'updated', 'connected')
        return 201, leg.info()

    def barge_in(self, person: Person, body: dict) -> Result:
        """``bargeIn {target, endpointId?}``: a new connected call into the target's answered call."""
        devices = self._answering(person, body)
        target = require_str(body, 'target')
        owner = self._tel.match(target, exclude=person)
        if owner is None:
            raise WebexError(404, description=f'Barge-in target {target!r} not found')
        answered = [c for c in self._tel.legs(owner) if c.state in ANSWERED_STATES]
        if not answered:
            raise WebexError(404, description=f'{owner.display_name} has no answered call')
        call = answered[0]
        return 201, self._tel.new_connected_leg(person, call.remote_party, call.session_id, devices).info()

    def _answering(self, person: Person, body: dict) -> tuple[str, ...]:
        """The device a new call of ``person`` connects on: the body's ``endpointId`` (checked), else the default."""
        return self._world.devices.answering(person, optional_str(body, 'endpointId'))

    # --- pull

    def pull(self, person: Person, body: dict) -> Result:
        """
        ``pull {endpointId?}``: the person's answered call (the connected one, else the first) moves to a device of
        theirs (see :meth:`~fakewebex.devices.Devices.pull_target`). Webex rings that device with a temporary call
        and connects it to the pulled call when answered; the person's own device answers at once here, so the
        call is on it when the request returns. The answer names the temporary call.
        """
        endpoint_id = optional_str(body, 'endpointId')
        answered = [c for c in self._tel.legs(person) if c.state in ANSWERED_STATES]
        if not answered:
            raise WebexError(404, description='There is no call to pull')
        call = next((c for c in answered if c.state == 'connected'), answered[0])
        call.devices = (self._world.devices.pull_target(person, call.devices, endpoint_id),)
        log.debug('call %s of %s pulled to %s', call.id, person.id, call.devices[0])
        return 201, {'callId': new_id('CALL'), 'callSessionId': call.session_id}
