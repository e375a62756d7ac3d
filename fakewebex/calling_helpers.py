"""
The Webex Calling conveniences of :class:`~fakewebex.server.FakeWebex`: simulate the far end of calls, leave
voicemail, change and read a person's call settings, give people devices, call queues and caller IDs, inspect what
call control did.
"""
import logging
from typing import TYPE_CHECKING, Iterable, Optional

from .models import Person

if TYPE_CHECKING:
    from .world import World

__all__ = ['CallingHelpers']

log = logging.getLogger(__name__)


class CallingHelpers:
    """
    Mixin of :class:`~fakewebex.server.FakeWebex` for calls, call settings and voicemail; needs :attr:`world`.
    """
    world: 'World'

    # --- calls

    def ring(self, person: Person, from_name: str = 'Henry Green', from_number: str = '7101',
             from_person: Optional[Person] = None, *, mute_capable: Optional[bool] = None) -> Optional[str]:
        """
        An incoming call for ``person``, alerting where their call settings send it (their own phone unless
        forwarded; see :mod:`fakewebex.callsettings`); ``from_person`` gets the outgoing leg.

        :param mute_capable: ``muteCapable`` of the call; default ``person.mute_capable`` (True unless changed)
        :return: id of the call that rings: ``person``'s, or that of the person the call is forwarded to; None
            when no phone rings (Do Not Disturb, voicemail, a number outside the fake)
        """
        leg = self.world.telephony.ring(person, from_name, from_number, from_person, mute_capable)
        return leg.id if leg is not None else None

    def ring_out(self, person: Person, call_id: str) -> None:
        """
        ``person``'s ringing incoming call goes unanswered: their no-answer forwarding sends it on, else the caller
        gives up (a missed call).
        """
        with self.world.lock:
            self.world.call_control.moves.ring_out(person, call_id)

    def remote_answer(self, person: Person, call_id: str) -> None:
        """The far end answers an outgoing call of ``person``."""
        self.world.telephony.act(person, 'remote_answer', call_id)

    def remote_hangup(self, person: Person, call_id: str) -> None:
        """The far end hangs up a call of ``person``."""
        self.world.telephony.act(person, 'remote_hangup', call_id)

    def remote_hold(self, person: Person, call_id: str) -> None:
        """The far end puts a connected call of ``person`` on hold."""
        self.world.telephony.act(person, 'remote_hold', call_id)

    def remote_resume(self, person: Person, call_id: str) -> None:
        """The far end resumes a call it held."""
        self.world.telephony.act(person, 'remote_resume', call_id)

    def calls(self, person: Person) -> list[dict]:
        """
        :return: active calls of ``person`` as the API shows them
        """
        return self.world.telephony.calls(person)

    def call(self, person: Person, call_id: str) -> dict:
        """
        :return: an active call of ``person`` as ``GET /telephony/calls/{id}`` shows it
        :raises WebexError: 404 if it is not an active call of ``person``
        """
        return self.world.telephony.get(person, call_id)

    def history(self, person: Person) -> list[dict]:
        """
        :return: call history of ``person``, newest first
        """
        return self.world.telephony.history(person)

    def dtmf_sent(self, person: Person, call_id: str) -> str:
        """
        :return: the DTMF digits ``person`` sent on the call with ``transmitDtmf``, concatenated (``''`` if none)
        """
        return self.world.call_control.dtmf_sent(person, call_id)

    def pushed_calls(self, person: Person) -> list[str]:
        """
        :return: ids of the calls ``person`` pushed (``POST /telephony/calls/push``), in order
        """
        return self.world.call_control.pushed(person)

    def parked_calls(self) -> list[dict]:
        """
        :return: calls parked and not yet retrieved: ``{parkedAgainst (people id), parkedBy (people id),
            remoteParty, callSessionId}``
        """
        return self.world.call_control.parked()

    # --- call settings

    def set_dnd(self, person: Person, enabled: bool = True) -> None:
        """Turn Do Not Disturb of ``person`` on or off, as they would in their settings."""
        self.world.call_settings.set_dnd(person, {'enabled': enabled})

    def dnd_of(self, person: Person) -> bool:
        """
        :return: whether Do Not Disturb of ``person`` is on
        """
        return self.world.call_settings.dnd(person)['enabled']

    def set_forwarding(self, person: Person, kind: str, destination: Optional[str] = None, *,
                       enabled: bool = True, voicemail: bool = False) -> None:
        """
        Set one kind of call forwarding of ``person``, as they would in their settings.

        :param kind: ``always``, ``busy`` or ``noAnswer``
        :param destination: the number or extension calls go to
        :param voicemail: to the destination's voicemail (``destinationVoicemailEnabled``)
        :raises WebexError: 400 as ``PUT .../callForwarding`` refuses it (no destination, not a number)
        """
        value: dict = {'enabled': enabled, 'destinationVoicemailEnabled': voicemail}
        if destination is not None:
            value['destination'] = destination
        self.world.call_settings.set_forwarding(person, {'callForwarding': {kind: value}})

    def forwarding_of(self, person: Person) -> dict:
        """
        :return: the call forwarding of ``person`` as ``GET /telephony/config/people/me/settings/callForwarding``
            shows it
        """
        return self.world.call_settings.forwarding(person)

    # --- devices, call queues, caller IDs

    def set_devices(self, person: Person, *devices: tuple[str, str]) -> list[str]:
        """
        Give ``person`` these devices (replacing any before; none is preferred).

        :param devices: ``(name, type)`` of each, type ``DEVICE`` or ``APPLICATION``, in the order Webex lists them
        :return: their ids (Webex's ``endpointId``)
        """
        return [device.id for device in self.world.devices.set(person, devices)]

    def devices_of(self, person: Person) -> list[dict]:
        """
        :return: the devices of ``person`` as ``GET .../settings/availablePreferredAnswerEndpoints`` lists them (with
            ``isPreferredAnswerEndpoint``)
        """
        return self.world.devices.available(person)['endpoints']

    def call_devices(self, person: Person, call_id: str) -> list[str]:
        """
        :return: the names of the devices of ``person`` a call rings (alerting, connecting) or is on (answered);
            Webex's call JSON does not show them
        :raises WebexError: 404 if it is not an active call of ``person``
        """
        with self.world.lock:
            call = self.world.telephony.owned(person, call_id)
            return [self.world.devices.name(person, device_id) for device_id in call.devices]

    def add_call_queue(self, name: str, extension: Optional[str] = None, number: Optional[str] = None, *,
                       allow_log_off: bool = True) -> str:
        """
        A call queue of the organisation.

        :param allow_log_off: its agents may leave it (``allowLogOffEnabled``)
        :return: its id
        """
        return self.world.call_queues.add(name, extension, number, allow_log_off=allow_log_off).id

    def call_queue_name(self, queue_id: str) -> str:
        """
        :return: the name of a call queue (the agent's view of ``.../settings/queues`` does not show it)
        """
        return self.world.call_queues.queue(queue_id).name

    def make_agent(self, person: Person, queue_ids: Iterable[str], *, joined: Iterable[str] = (),
                   state: str = 'AVAILABLE') -> None:
        """
        Give ``person`` the call-centre service as an agent of these call queues (without it,
        ``.../settings/queues`` answers 404).

        :param joined: the queues they have joined
        :param state: their ``agentACDState``
        """
        self.world.call_queues.make_agent(person, list(queue_ids), joined, state)

    def agent_of(self, person: Person) -> Optional[dict]:
        """
        :return: ``{agentACDState, queues}`` of ``person`` as ``GET .../settings/queues`` shows them; None without the
            call-centre service
        """
        return self.world.call_queues.agent_of(person)

    def add_caller_id(self, person: Person, kind: str, name: str, number: Optional[str] = None,
                      extension: Optional[str] = None) -> dict:
        """
        One more caller ID ``person`` may choose (``CALL_QUEUE``, ``HUNT_GROUP``, ``ADDITIONAL_CLID`` with a number,
        or ``DEFAULT_CLID``).

        :return: it as ``GET .../settings/availableCallerIds`` lists it (a queue or hunt group with a new ``id``)
        """
        return self.world.caller_ids.add(person, kind, name, number, extension)

    def caller_id_of(self, person: Person) -> dict:
        """
        :return: the selected caller ID of ``person`` as ``GET .../settings/selectedCallerId`` shows it (without the
            ``selected`` wrapper)
        """
        return self.world.caller_ids.selected(person)['selected']

    # --- voicemail

    def leave_voicemail(self, person: Person, from_name: str = 'Henry Green', from_number: str = '7101',
                        duration: int = 12, *, from_person: Optional[Person] = None, urgent: bool = False,
                        confidential: bool = False) -> str:
        """
        A caller leaves a new voice message for ``person``; fires ``telephony_mwi``/``updated``.

        :param from_person: a person of the fake as caller; name, number and personId are theirs
        :return: id of the voice message
        """
        if from_person is not None:
            from_name, from_number = from_person.display_name, from_person.dial_string or ''
        return self.world.voicemail.leave(person, from_name, from_number, duration,
                                          person_id=from_person.id if from_person else None, urgent=urgent,
                                          confidential=confidential)['id']

    def voicemails(self, person: Person) -> list[dict]:
        """
        :return: voice messages of ``person`` as ``GET /telephony/voiceMessages`` lists them, newest first
        """
        return self.world.voicemail.list(person)
