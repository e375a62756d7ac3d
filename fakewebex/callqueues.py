"""
Call queues and their agents, as a person sees them with Webex's "call settings for me":
``GET /telephony/config/people/me/settings/queues`` (the agent's state, ``agentACDState``, and every call queue
they belong to, joined or not) and ``PUT`` of the same (join or leave queues, change the state). No HTTP here.

What the emulator keeps (Webex's documented behaviour, simplified): a person has the call-centre service once the
tests make them an agent (:meth:`CallQueues.make_agent`); without it, both operations answer 404. A queue whose
``allowLogOffEnabled`` is false may not be left: a ``PUT`` that leaves it is refused (400) and changes nothing. The
emulator does not route calls through the queues.
"""
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional

from .errors import WebexError, flag
from .ids import new_id
from .models import Person

if TYPE_CHECKING:
    from .world import World

__all__ = ['AGENT_STATES', 'NO_CALL_CENTER', 'CallQueue', 'Agent', 'CallQueues']

log = logging.getLogger(__name__)

#: the values of ``agentACDState``
AGENT_STATES = frozenset({'SIGN_IN', 'SIGN_OUT', 'AVAILABLE', 'UNAVAILABLE', 'WRAP_UP'})

#: description of the 404 a person without the call-centre service gets
NO_CALL_CENTER = 'The user is not a call queue agent: the call center service is not assigned.'


@dataclass(frozen=True)
class CallQueue:
    """A call queue of the organisation."""
    id: str
    #: the queue's name (Webex's agent view does not show it; the sandbox does)
    name: str
    extension: Optional[str] = None
    number: Optional[str] = None
    #: ``allowLogOffEnabled``: agents may leave the queue
    allow_log_off: bool = True


@dataclass
class Agent:
    """A person with the call-centre service: their state and the queues they belong to."""
    state: str = 'AVAILABLE'
    #: queue id -> joined (``available``), in the order Webex lists them
    joined: dict[str, bool] = field(default_factory=dict)


class CallQueues:
    """
    The call queues of a :class:`~fakewebex.world.World` and their agents.
    """

    def __init__(self, world: 'World'):
        """
        :param world: owner; provides the lock
        """
        self._world = world
        self._queues: dict[str, CallQueue] = {}
        self._agents: dict[str, Agent] = {}

    # --- the test API's side

    def add(self, name: str, extension: Optional[str] = None, number: Optional[str] = None, *,
            allow_log_off: bool = True) -> CallQueue:
        """
        A new call queue.

        :param allow_log_off: agents may leave it (``allowLogOffEnabled``)
        """
        queue = CallQueue(new_id('CALL_QUEUE'), name, extension, number, allow_log_off)
        with self._world.lock:
            self._queues[queue.id] = queue
        return queue

    def make_agent(self, person: Person, queue_ids: Iterable[str], joined: Iterable[str] = (),
                   state: str = 'AVAILABLE') -> None:
        """
        Give ``person`` the call-centre service as an agent of these queues (replacing what they had).

        :param queue_ids: the queues they belong to, in the order Webex lists them
        :param joined: those of them they have joined
        :param state: their ``agentACDState``
        :raises ValueError: an unknown queue or state
        """
        joined = set(joined)
        with self._world.lock:
            unknown = [queue_id for queue_id in [*queue_ids, *joined] if queue_id not in self._queues]
            if unknown or state not in AGENT_STATES:
                raise ValueError(f'unknown call queues {unknown} or agent state {state!r}')
            self._agents[person.id] = Agent(state, {queue_id: queue_id in joined for queue_id in queue_ids})

    def queue(self, queue_id: str) -> CallQueue:
        """:return: the call queue of that id"""
        with self._world.lock:
            return self._queues[queue_id]

    # --- the API

    def _agent(self, person: Person) -> Agent:
        agent = self._agents.get(person.id)
        if agent is None:
            raise WebexError(404, description=NO_CALL_CENTER)
        return agent

    def agent_of(self, person: Person) -> Optional[dict[str, Any]]:
        """:return: the person's call queues as ``GET .../settings/queues`` shows them; None without the service"""
        with self._world.lock:
            return self.settings(person) if person.id in self._agents else None

    def settings(self, person: Person) -> dict[str, Any]:
        """
        :return: ``GET .../settings/queues``
        :raises WebexError: 404 without the call-centre service
        """
        with self._world.lock:
            agent = self._agent(person)
            queues = []
            for queue_id, joined in agent.joined.items():
                queue = self._queues[queue_id]
                shown: dict[str, Any] = {'id': queue.id, 'hasCxEssentials': False, 'available': joined,
                                         'skillLevel': 1}
                if queue.number:
                    shown['phoneNumber'] = queue.number
                if queue.extension:
                    shown['extension'] = queue.extension
                queues.append({**shown, 'allowLogOffEnabled': queue.allow_log_off})
            return {'agentACDState': agent.state, 'queues': queues}

    def change(self, person: Person, body: Mapping) -> None:
        """
        ``PUT .../settings/queues``: ``agentACDState`` and ``queues: [{id, available}]``, those given change;
        nothing changes when any of them is refused.

        :raises WebexError: 404 without the call-centre service, 400 for a queue the person does not belong to,
            an ``available`` that is not a boolean, or leaving a queue that may not be left
        """
        with self._world.lock:
            agent = self._agent(person)
            state = body.get('agentACDState', agent.state)
            changes = {}
            for entry in body.get('queues') or ():
                queue_id = entry.get('id')
                if queue_id not in agent.joined:
                    raise WebexError(400, description=f'The user is not an agent of call queue {queue_id!r}')
                available = flag(entry, 'available', agent.joined[queue_id])
                queue = self._queues[queue_id]
                if not available and agent.joined[queue_id] and not queue.allow_log_off:
                    raise WebexError(400, description=f'Agents may not leave call queue '
                                                      f'{queue.extension or queue.number or queue.name}')
                changes[queue_id] = available
            agent.state = state
            agent.joined.update(changes)
