"""
Call legs: the state-transition table, the :class:`Call` record and remote-party JSON.

Every call a person sees is a *leg*. A call between two people of the fake has two legs (originator and
terminator) in one call session, linked as peers: an action on one leg applies the mirrored action to the
other (``answer`` <-> ``remote_answer``, ``hold`` <-> ``remote_hold``, ...). New states or features are added
as rows of :data:`TRANSITIONS`.
"""
import logging
from dataclasses import dataclass, field
from typing import Any, Optional

from .clock import iso
from .models import Person

__all__ = ['ACTIVE_STATES', 'ANSWERED_STATES', 'Transition', 'TRANSITIONS', 'Call', 'party', 'external_party']

log = logging.getLogger(__name__)

ACTIVE_STATES = frozenset({'connecting', 'alerting', 'connected', 'held', 'remoteHeld'})
#: states of a call that has been answered and not ended
ANSWERED_STATES = frozenset({'connected', 'held', 'remoteHeld'})


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
    # the caller hears busy/unavailable: the peer ends too (the 'ignore' action does not propagate)
    'reject': Transition(frozenset({'alerting'}), 'disconnected', 'disconnected',
                         'Only an alerting incoming call can be rejected', 'terminator', 'remote_hangup'),
    # the leg ends here, the remote party continues elsewhere (see fakewebex.callmoves)
    'divert': Transition(frozenset({'alerting'}) | ANSWERED_STATES, 'disconnected', 'disconnected',
                         'Call cannot be diverted in its state'),
    'transfer': Transition(ANSWERED_STATES, 'disconnected', 'disconnected',
                           'Only answered calls can be transferred'),
    'park': Transition(frozenset({'connected', 'held'}), 'disconnected', 'disconnected', 'Call is not connected'),
    # an alerting call of someone else answered by a pickup
    'picked_up': Transition(frozenset({'alerting'}), 'disconnected', 'disconnected', 'Call is not alerting',
                            'terminator'),
}


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
    mute_capable: bool = True
    muted: bool = False
    #: ``started``, ``paused``, ``stopped``; None until recording is first invoked
    recording_state: Optional[str] = None
    #: redirections of an incoming call, most recent first (shown while alerting)
    redirections: list[dict[str, Any]] = field(default_factory=list)
    #: ids of the owner's devices the call rings (alerting, connecting) or is on (answered): Webex's call JSON does
    #: not show them, the emulator's inspection does (see :mod:`fakewebex.devices`)
    devices: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """
        :return: the call as ``GET /telephony/calls/{id}`` returns it
        """
        data = {'id': self.id, 'callSessionId': self.session_id, 'personality': self.personality,
                'state': self.state, 'remoteParty': dict(self.remote_party), 'appearance': self.appearance,
                'created': iso(self.created)}
        if self.answered is not None:
            data['answered'] = iso(self.answered)
        if self.redirections and self.state == 'alerting':
            data['redirections'] = [dict(r) for r in self.redirections]
        if self.recording_state is not None:
            data['recordingState'] = self.recording_state
        data.update(muteCapable=self.mute_capable, muted=self.muted)
        if self.disconnected is not None:
            data['disconnected'] = iso(self.disconnected)
        return data

    def info(self) -> dict[str, str]:
        """
        :return: ``{callId, callSessionId}`` as dial and other call-starting actions answer
        """
        return {'callId': self.id, 'callSessionId': self.session_id}

    def event_data(self, event_type: str, timestamp: float) -> dict[str, Any]:
        """
        :return: ``data`` of a ``telephony_calls`` notification
        """
        call = self.to_json()
        return {'eventType': event_type, 'eventTimestamp': iso(timestamp), 'callId': call.pop('id'), **call}


def external_party(name: str, number: str) -> dict[str, Any]:
    """
    :return: ``remoteParty`` JSON of a caller outside the fake
    """
    return {'name': name, 'number': number, 'privacyEnabled': False, 'callType': 'external'}


def party(person: Person, seen_by: Person) -> dict[str, Any]:
    """
    :return: ``remoteParty`` JSON of ``person`` as ``seen_by`` sees them
    """
    return {'name': person.display_name, 'number': person.dial_string or '', 'personId': person.id,
            'privacyEnabled': False, 'callType': 'location' if person.org_id == seen_by.org_id else 'external'}
