"""
The people's devices (Webex's "endpoints": desk phones and apps) and which of them a call uses: the list
``GET /telephony/config/people/me/settings/availablePreferredAnswerEndpoints`` shows, the preferred answer device
``PUT .../settings/preferredAnswerEndpoint`` sets (``{"id": ...}``, ``null`` clears it), and the ``endpointId`` of
call control (no HTTP here).

What the emulator does with them (Webex's documented behaviour, simplified):

- a new call for a person rings all their devices; ``POST /telephony/calls/dial`` rings all the caller's devices,
  or only the one its ``endpointId`` names (any other ``endpointId`` is refused, 400);
- a call is answered on the device ``endpointId`` names, else on the preferred answer device, else on the first;
  the person's own devices answer at once (as the emulator's dial does), so a call that connects is on that one
  device;
- retrieve, pickup and barge-in connect on the device their ``endpointId`` names, else as an answer does;
- ``POST /telephony/calls/pull`` moves the person's answered call to the device its ``endpointId`` names (else
  the preferred one, else the first other one): that device answers at once and the call is on it.
"""
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional

from .errors import WebexError
from .ids import new_id
from .models import Person

if TYPE_CHECKING:
    from .world import World

__all__ = ['DEVICE_TYPES', 'Device', 'Devices']

log = logging.getLogger(__name__)

#: the types of ``availablePreferredAnswerEndpoints`` (the document's ``DeviceType``)
DEVICE_TYPES = frozenset({'DEVICE', 'APPLICATION'})


@dataclass(frozen=True)
class Device:
    """One device (endpoint) of a person."""
    id: str
    #: ``DEVICE`` or ``APPLICATION``
    type: str
    #: e.g. ``Cisco 8865 (Desk)`` or ``Webex Desktop Application``
    name: str


class Devices:
    """
    The devices of the people of a :class:`~fakewebex.world.World`, and each person's preferred answer device.
    """

    def __init__(self, world: 'World'):
        """
        :param world: owner; provides the lock
        """
        self._world = world
        self._devices: dict[str, list[Device]] = {}
        self._preferred: dict[str, str] = {}

    # --- the test API's side

    def set(self, person: Person, devices: Iterable[tuple[str, str]]) -> list[Device]:
        """
        Give ``person`` these devices (replacing any before, and the preferred one).

        :param devices: ``(name, type)`` of each, in the order Webex lists them; type ``DEVICE`` or
            ``APPLICATION``
        :return: the devices with their new ids
        :raises ValueError: for another type
        """
        made = []
        for name, kind in devices:
            if kind not in DEVICE_TYPES:
                raise ValueError(f'device type {kind!r} is not one of {sorted(DEVICE_TYPES)}')
            made.append(Device(new_id('CALLING_DEVICE'), kind, name))
        with self._world.lock:
            self._devices[person.id] = made
            self._preferred.pop(person.id, None)
        return list(made)

    def of(self, person: Person) -> list[Device]:
        """:return: the devices of ``person``, in order"""
        with self._world.lock:
            return list(self._devices.get(person.id, ()))

    def preferred(self, person: Person) -> Optional[Device]:
        """:return: the preferred answer device of ``person``, if any"""
        with self._world.lock:
            chosen = self._preferred.get(person.id)
            return next((device for device in self.of(person) if device.id == chosen), None)

    def name(self, person: Person, device_id: str) -> str:
        """:return: the name of a device of ``person`` (its id when it is not theirs)"""
        return next((device.name for device in self.of(person) if device.id == device_id), device_id)

    # --- the API

    def available(self, person: Person) -> dict[str, Any]:
        """:return: ``GET .../settings/availablePreferredAnswerEndpoints``"""
        with self._world.lock:
            preferred = self._preferred.get(person.id)
            return {'endpoints': [{'id': device.id, 'type': device.type, 'name': device.name,
                                   'isPreferredAnswerEndpoint': device.id == preferred}
                                  for device in self.of(person)]}

    def prefer(self, person: Person, body: Mapping) -> None:
        """
        ``PUT .../settings/preferredAnswerEndpoint``: ``{"id": <a device of the person>}``, or ``{"id": null}``.

        :raises WebexError: 400 without ``id``, 404 for an id that is not one of the person's devices
        """
        if 'id' not in body:
            raise WebexError(400, description='id is required')
        chosen = body['id']
        with self._world.lock:
            if chosen is None:
                self._preferred.pop(person.id, None)
                return
            self.require(person, chosen, status=404)
            self._preferred[person.id] = chosen

    # --- what calls use

    def require(self, person: Person, device_id: Any, status: int = 400) -> str:
        """
        :return: ``device_id``, a device of ``person``
        :raises WebexError: ``status`` otherwise
        """
        if not isinstance(device_id, str) or device_id not in {device.id for device in self.of(person)}:
            raise WebexError(status, description=f'Endpoint {device_id!r} is not a device of the user')
        return device_id

    def ringing(self, person: Person, endpoint_id: Optional[str] = None) -> tuple[str, ...]:
        """
        :param endpoint_id: the ``endpointId`` of the request, if any (checked)
        :return: the devices a call of ``person`` rings: that one, else all
        :raises WebexError: 400 for an ``endpointId`` that is not one of the person's devices
        """
        if endpoint_id is not None:
            return (self.require(person, endpoint_id),)
        return tuple(device.id for device in self.of(person))

    def answering(self, person: Person, endpoint_id: Optional[str] = None) -> tuple[str, ...]:
        """
        :param endpoint_id: the ``endpointId`` of the request, if any (checked)
        :return: the device a call of ``person`` is answered on: that one, else the preferred one, else the first
            (none when the person has no devices)
        :raises WebexError: 400 for an ``endpointId`` that is not one of the person's devices
        """
        if endpoint_id is not None:
            return (self.require(person, endpoint_id),)
        chosen = self.preferred(person) or next(iter(self.of(person)), None)
        return (chosen.id,) if chosen else ()

    def pull_target(self, person: Person, current: tuple[str, ...], endpoint_id: Optional[str]) -> str:
        """
        :param current: the device(s) the call is on
        :param endpoint_id: the ``endpointId`` of the pull, if any
        :return: the device a pull moves the call to: ``endpoint_id``, else the preferred device, else the first
            device the call is not on
        :raises WebexError: 400 for an ``endpointId`` that is not the person's or that the call is already on, or
            when the person has no other device
        """
        if endpoint_id is not None:
            target = self.require(person, endpoint_id)
            if current == (target,):
                raise WebexError(400, description='The call is already on that device')
            return target
        preferred = self.preferred(person)
        others = [device.id for device in self.of(person) if (device.id,) != current]
        if preferred is not None and preferred.id in others:
            return preferred.id
        if not others:
            raise WebexError(400, description='There is no other device to pull the call to')
        return others[0]
