"""
The in-memory state of the fake Webex cloud: people plus the components holding everything else.

All state is guarded by :attr:`World.lock` (one re-entrant lock shared by all components), so the threaded
HTTP server, the delivery thread and the test thread can use it concurrently. Nothing here knows about HTTP.
"""
import logging
import threading
import time
from typing import Callable, Optional

from .attachments import AttachmentActions
from .auth import TokenAuthority
from .callcontrol import CallControl
from .callerids import CallerIds
from .callqueues import CallQueues
from .callsettings import CallSettings
from .clock import iso
from .devices import Devices
from .errors import WebexError
from .ids import new_id
from .inspection import FaultInjector, RequestLog, ViolationLog
from .messaging import Messaging
from .models import Notification, Person
from .spaces import Spaces
from .telephony import Telephony
from .voicemail import Voicemail
from .webhooks import WebhookRegistry

__all__ = ['World']

log = logging.getLogger(__name__)


class World:
    """
    Everything the fake knows.

    Components: :attr:`auth` (OAuth and tokens), :attr:`hooks` (webhooks), :attr:`spaces` (rooms and memberships
    as the API shows them), :attr:`messaging` (rooms and messages), :attr:`cards` (attachment actions),
    :attr:`telephony` (call legs), :attr:`call_control` (call control features), :attr:`call_settings` (Do Not
    Disturb, call forwarding), :attr:`devices` (the people's devices), :attr:`call_queues` (call queues and their
    agents), :attr:`caller_ids` (caller IDs), :attr:`voicemail` (mailboxes), :attr:`requests` (request log),
    :attr:`violations` (what left Webex's documents) and :attr:`faults` (fault injection).
    """

    def __init__(self, clock: Callable[[], float] = time.time):
        """
        :param clock: source of the current time (seconds since the epoch)
        """
        self.lock = threading.RLock()
        #: notified whenever the state may have changed (:meth:`touch`): a message stored, an API request answered
        self.changed = threading.Condition(self.lock)
        #: counts the calls of :meth:`touch`
        self.version = 0
        self._clock = clock
        #: the org people are created in unless told otherwise
        self.org_id = new_id('ORGANIZATION')
        #: receives every notification to deliver; set by the server
        self.on_notification: Optional[Callable[[Notification], None]] = None
        self._people: dict[str, Person] = {}
        self.auth = TokenAuthority(self)
        self.hooks = WebhookRegistry(self)
        self.messaging = Messaging(self)
        self.spaces = Spaces(self)
        self.cards = AttachmentActions(self)
        self.telephony = Telephony(self)
        self.call_settings = CallSettings(self)
        self.devices = Devices(self)
        self.call_queues = CallQueues(self)
        self.caller_ids = CallerIds(self)
        self.call_control = CallControl(self)
        self.voicemail = Voicemail(self)
        self.requests = RequestLog(self.lock, on_add=self.touch)
        self.violations = ViolationLog(self.lock)
        self.faults = FaultInjector(self.lock)

    def now(self) -> float:
        """
        :return: current time, seconds since the epoch
        """
        return self._clock()

    def touch(self) -> None:
        """Tell those waiting on :attr:`changed` that the state may have changed."""
        with self.changed:
            self.version += 1
            self.changed.notify_all()

    def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """
        Wait until ``condition()`` holds: asked now and after every :meth:`touch`, without the world lock held (so
        it may ask the fake over HTTP).

        :param timeout: seconds
        :return: whether it held in time
        """
        deadline = time.monotonic() + timeout
        while True:
            with self.changed:
                version = self.version
            if condition():
                return True
            with self.changed:
                while self.version == version:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return False
                    self.changed.wait(remaining)

    def emit(self, notification: Notification) -> None:
        """
        Hand a notification to the delivery machinery.

        :param notification: what to deliver
        """
        if self.on_notification is None:
            log.debug('no delivery configured, dropping notification for %s', notification.target_url)
            return
        self.on_notification(notification)

    # --- people

    def add_person(self, email: str, display_name: str, *, extension: Optional[str] = None,
                   number: Optional[str] = None, org_id: Optional[str] = None,
                   person_type: str = 'person', title: Optional[str] = None,
                   timezone: Optional[str] = None) -> Person:
        """
        Create a person (or, with ``person_type='bot'``, a bot without token; see :meth:`add_bot`).

        :param email: unique email address
        :param display_name: display name
        :param extension: Webex Calling extension
        :param number: phone number
        :param org_id: organization; default :attr:`org_id`
        :param person_type: ``'person'`` or ``'bot'``
        :param title: job title
        :param timezone: time zone, e.g. ``Asia/Tokyo``; None: not configured
        :return: the person
        :raises ValueError: if the email is taken
        """
        with self.lock:
            if self.find_person(email) is not None:
                raise ValueError(f'{email} exists already')
            person = Person(new_id('PEOPLE'), email, display_name, org_id or self.org_id, person_type, extension,
                            number, created=iso(self.now()), title=title, timezone=timezone)
            self._people[person.id] = person
            return person

    def add_bot(self, email: str, display_name: str) -> Person:
        """
        Create a bot with a non-expiring access token (:attr:`Person.token`).

        :param email: bot email, e.g. ``ccbot@webex.bot``
        :param display_name: bot name
        :return: the bot
        """
        with self.lock:
            bot = self.add_person(email, display_name, person_type='bot')
            bot.token = self.auth.bot_token(bot, new_id('APPLICATION'))
            return bot

    def find_person(self, key: str) -> Optional[Person]:
        """
        :param key: people id or email (case-insensitive)
        :return: the person or None
        """
        with self.lock:
            if key in self._people:
                return self._people[key]
            return next((p for p in self._people.values() if p.email.lower() == key.lower()), None)

    def person(self, key: str) -> Person:
        """
        :param key: people id or email
        :return: the person
        :raises WebexError: 404 if unknown
        """
        person = self.find_person(key)
        if person is None:
            raise WebexError(404, description='Person not found')
        return person

    def people(self) -> list[Person]:
        """
        :return: all people and bots, in creation order
        """
        with self.lock:
            return list(self._people.values())

    def the_bot(self) -> Person:
        """
        :return: the only bot
        :raises ValueError: if there is not exactly one bot
        """
        bots = [p for p in self.people() if p.is_bot]
        if len(bots) != 1:
            raise ValueError(f'expected exactly one bot, found {len(bots)}; pass a room id')
        return bots[0]

    @staticmethod
    def person_json(person: Person, calling_data: bool = False) -> dict:
        """
        A person as ``GET /people/{id}`` returns it.

        :param person: the person
        :param calling_data: add ``extension`` (as with ``callingData=true``)
        :return: JSON
        """
        first, _, last = person.display_name.partition(' ')
        data = {'id': person.id, 'emails': [person.email], 'displayName': person.display_name,
                'nickName': first, 'firstName': first, 'lastName': last, 'orgId': person.org_id,
                'type': person.type, 'created': person.created}
        if person.title:
            data['title'] = person.title
        if person.timezone:
            # absent when the account has none configured
            data['timezone'] = person.timezone
        if person.number:
            data['phoneNumbers'] = [{'type': 'work', 'value': person.number}]
        if calling_data and person.extension:
            data['extension'] = person.extension
        return data
