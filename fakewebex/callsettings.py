"""
The settings a person changes for themselves with Webex's "call settings for me" API: Do Not Disturb and call
forwarding, as ``/telephony/config/people/me/settings/...`` reads and writes them, the person's own calling
details (``GET /telephony/config/people/me``), and what the settings do to a call offered to the person
(:meth:`CallSettings.treatment`, which :class:`~fakewebex.telephony.Telephony` asks). No HTTP here.

What the emulator does with the settings (Webex's priorities, simplified):

- forwarding **always** sends every new call to its destination, whatever else is set;
- **Do Not Disturb** gives a new call the busy treatment: forwarding **busy** sends it to its destination, else the
  caller's call ends (busy). The emulator has call waiting on, so a call in progress alone does not make a person
  busy;
- forwarding **no answer** applies when a ringing call rings out unanswered (the test helper
  :meth:`~fakewebex.calling_helpers.CallingHelpers.ring_out`);
- with ``destinationVoicemailEnabled`` and a destination that is a person of the emulator, the caller leaves a
  message in that person's mailbox (forwarding to one's own extension with it is "forward to my voicemail").
"""
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Optional

from .errors import WebexError, flag
from .ids import new_id
from .models import Person

if TYPE_CHECKING:
    from .world import World

__all__ = ['FORWARDING_KINDS', 'NOT_CALLING', 'Forwarding', 'PersonSettings', 'Treatment', 'CallSettings']

log = logging.getLogger(__name__)

#: the kinds of call forwarding, as the API names them
FORWARDING_KINDS = ('always', 'busy', 'noAnswer')
#: ``numberOfRings`` of no-answer forwarding: the default and the documented range
DEFAULT_RINGS, MIN_RINGS, MAX_RINGS = 3, 2, 20

#: description of the 404 a person without Webex Calling gets from the "call settings for me" API
NOT_CALLING = 'The user is not a Webex Calling user: no calling license is assigned.'

_DESTINATION = re.compile(r'^\+?[0-9*#]{1,30}$')


@dataclass
class Forwarding:
    """One kind of call forwarding of one person."""
    enabled: bool = False
    destination: Optional[str] = None
    #: ``destinationVoicemailEnabled``: calls go to the destination's voicemail
    voicemail: bool = False

    def to_json(self, **extra: Any) -> dict[str, Any]:
        """:return: the kind as ``GET .../callForwarding`` shows it (``extra`` fields added)"""
        data: dict[str, Any] = {'enabled': self.enabled}
        if self.destination:
            data['destination'] = self.destination
        return {**data, **extra, 'destinationVoicemailEnabled': self.voicemail}


@dataclass
class PersonSettings:
    """The call settings of one person."""
    dnd: bool = False
    ring_splash: bool = False
    webex_go_override: bool = False
    always: Forwarding = field(default_factory=Forwarding)
    busy: Forwarding = field(default_factory=Forwarding)
    no_answer: Forwarding = field(default_factory=Forwarding)
    business_continuity: Forwarding = field(default_factory=Forwarding)
    #: ``ringReminderEnabled`` of forwarding always
    ring_reminder: bool = False
    #: ``numberOfRings`` of forwarding no answer
    rings: int = DEFAULT_RINGS

    def kind(self, name: str) -> Forwarding:
        """:return: the forwarding of a kind of :data:`FORWARDING_KINDS`, or ``businessContinuity``"""
        return {'always': self.always, 'busy': self.busy, 'noAnswer': self.no_answer,
                'businessContinuity': self.business_continuity}[name]


@dataclass(frozen=True)
class Treatment:
    """What happens to a new call offered to a person."""
    #: ``'ring'`` (the person's phone rings), ``'busy'`` (the caller hears busy) or ``'forward'``
    kind: str
    #: why it is forwarded, as a call's ``redirections`` say it: ``unconditional`` or ``busy``
    reason: Optional[str] = None
    destination: Optional[str] = None
    #: to the destination's voicemail
    voicemail: bool = False


_RING = Treatment('ring')
_BUSY = Treatment('busy')


class CallSettings:
    """
    Do Not Disturb and call forwarding of the people of a :class:`~fakewebex.world.World`, and their calling
    details.
    """

    def __init__(self, world: 'World'):
        """
        :param world: owner; provides the lock
        """
        self._world = world
        self._settings: dict[str, PersonSettings] = {}
        #: the one location every calling user of the emulator is in
        self.location = {'id': new_id('LOCATION'), 'name': 'Headquarters'}

    def of(self, person: Person) -> PersonSettings:
        """
        :return: the settings of ``person`` (the defaults until changed); call with the world lock held
        """
        return self._settings.setdefault(person.id, PersonSettings())

    @staticmethod
    def require_calling(person: Person) -> Person:
        """
        :return: ``person``, a Webex Calling user
        :raises WebexError: 404 for a person without calling (no extension and no number)
        """
        if not person.has_calling:
            raise WebexError(404, description=NOT_CALLING)
        return person

    # --- Do Not Disturb

    def dnd(self, person: Person) -> dict[str, Any]:
        """:return: ``GET .../settings/doNotDisturb``"""
        with self._world.lock:
            settings = self.of(person)
            return {'enabled': settings.dnd, 'ringSplashEnabled': settings.ring_splash,
                    'webexGoOverrideEnabled': settings.webex_go_override}

    def set_dnd(self, person: Person, body: Mapping) -> None:
        """
        ``PUT .../settings/doNotDisturb``: the fields given change.

        :raises WebexError: 400 for a field that is not a boolean
        """
        with self._world.lock:
            settings = self.of(person)
            values = (flag(body, 'enabled', settings.dnd), flag(body, 'ringSplashEnabled', settings.ring_splash),
                      flag(body, 'webexGoOverrideEnabled', settings.webex_go_override))
            settings.dnd, settings.ring_splash, settings.webex_go_override = values

    # --- call forwarding

    def forwarding(self, person: Person) -> dict[str, Any]:
        """:return: ``GET .../settings/callForwarding``"""
        with self._world.lock:
            settings = self.of(person)
            return {'callForwarding': {
                'always': settings.always.to_json(ringReminderEnabled=settings.ring_reminder),
                'busy': settings.busy.to_json(),
                'noAnswer': settings.no_answer.to_json(numberOfRings=settings.rings, systemMaxNumberOfRings=MAX_RINGS)},
                'businessContinuity': settings.business_continuity.to_json()}

    def set_forwarding(self, person: Person, body: Mapping) -> None:
        """
        ``PUT .../settings/callForwarding``: the kinds and fields given change; nothing changes when any of them
        is refused.

        :raises WebexError: 400 for a destination that is not a number, a kind enabled without a destination, or
            ``numberOfRings`` outside 2-20
        """
        kinds = dict(body.get('callForwarding') or {})
        if 'businessContinuity' in body:
            kinds['businessContinuity'] = body['businessContinuity']
        with self._world.lock:
            settings = self.of(person)
            changed = {name: self._forwarding(settings.kind(name), name, value) for name, value in kinds.items()}
            always, no_answer = kinds.get('always') or {}, kinds.get('noAnswer') or {}
            ring_reminder = flag(always, 'ringReminderEnabled', settings.ring_reminder)
            rings = no_answer.get('numberOfRings', settings.rings)
            if isinstance(rings, bool) or not isinstance(rings, (int, float)) or rings != int(rings) \
                    or not MIN_RINGS <= rings <= MAX_RINGS:
                raise WebexError(400, description=f'numberOfRings must be between {MIN_RINGS} and {MAX_RINGS}')
            for name, value in changed.items():
                current = settings.kind(name)
                current.enabled, current.destination, current.voicemail = value.enabled, value.destination, \
                    value.voicemail
            settings.ring_reminder, settings.rings = ring_reminder, int(rings)

    @staticmethod
    def _forwarding(current: Forwarding, name: str, body: Any) -> Forwarding:
        """The forwarding of one kind after a PUT, checked."""
        if not isinstance(body, Mapping):
            raise WebexError(400, description=f'{name} must be an object')
        destination = body.get('destination', current.destination)
        if destination is not None and not isinstance(destination, str):
            raise WebexError(400, description=f'{name}.destination must be a string')
        destination = re.sub(r'[\s()-]', '', destination or '') or None
        if destination is not None and not _DESTINATION.match(destination):
            raise WebexError(400, description=f'Invalid phone number or extension for {name}.destination')
        value = Forwarding(flag(body, 'enabled', current.enabled), destination,
                           flag(body, 'destinationVoicemailEnabled', current.voicemail))
        if value.enabled and not value.destination:
            raise WebexError(400, description=f'{name}.destination is required when {name} forwarding is enabled')
        return value

    # --- what the settings do to calls

    def treatment(self, person: Person) -> Treatment:
        """
        :return: what happens to a new call offered to ``person`` (see the module's documentation); call with the
            world lock held
        """
        settings = self._settings.get(person.id)
        if settings is None:
            return _RING
        if settings.always.enabled:
            return Treatment('forward', 'unconditional', settings.always.destination, settings.always.voicemail)
        if not settings.dnd:
            return _RING
        if settings.busy.enabled:
            return Treatment('forward', 'busy', settings.busy.destination, settings.busy.voicemail)
        return _BUSY

    def no_answer(self, person: Person) -> Optional[Forwarding]:
        """
        :return: the no-answer forwarding of ``person`` when it is on, else None; call with the world lock held
        """
        settings = self._settings.get(person.id)
        return settings.no_answer if settings is not None and settings.no_answer.enabled else None

    # --- the person's own details

    def details(self, person: Person) -> dict[str, Any]:
        """
        :return: ``GET /telephony/config/people/me``: name, email, numbers, location. The emulator's location has
            no routing prefix, so a number has no ``enterprise`` or ``routingPrefix`` and its ``esn`` is the
            extension; the emulator knows no devices and no consoles (their URLs are empty)
        """
        first, _, last = person.display_name.partition(' ')
        number: dict[str, Any] = {}
        if person.number:
            number['directNumber'] = person.number
        if person.extension:
            number.update(extension=person.extension, esn=person.extension)
        return {'id': person.id, 'lastName': last, 'firstName': first, 'email': person.email,
                'announcementLanguage': 'English', 'locationDialingCode': '', 'supportMobility': False,
                'emergencyCallBackNumber': person.number or '',
                'phoneNumbers': [{**number, 'primary': True}] if number else [], 'devices': [],
                'location': dict(self.location), 'receptionistUrl': '', 'callingHostUrl': '',
                'attendantConsoleUrl': ''}
