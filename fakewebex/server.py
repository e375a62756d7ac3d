"""
:class:`FakeWebex`: the fake Webex cloud as a local HTTP server plus helpers for tests.
"""
import dataclasses
import logging
import time
from typing import Any, Callable, Iterable, Optional

from .api import API_PREFIX, create_app
from .calling_helpers import CallingHelpers
from .contract import Contract, contract as webex_contract
from .delivery import DeliveryWorker
from .httpserver import ServerThread
from .ids import new_id
from .inspection import Hold
from .models import Delivery, Notification, Person, Recorded, Violation
from .world import World

__all__ = ['FakeWebex']

log = logging.getLogger(__name__)


class _Setting:
    """
    An attribute of :class:`FakeWebex` stored on a component of its world.
    """

    def __init__(self, component: str, name: str, doc: str):
        self.component, self.name, self.__doc__ = component, name, doc

    def __get__(self, obj: Optional['FakeWebex'], objtype: type = None) -> Any:
        if obj is None:
            return self
        return getattr(getattr(obj.world, self.component), self.name)

    def __set__(self, obj: 'FakeWebex', value: Any) -> None:
        setattr(getattr(obj.world, self.component), self.name, value)


class FakeWebex(CallingHelpers):
    """
    A local fake of the Webex REST API (``/v1``) that also delivers signed webhook notifications.

    Nothing runs until :meth:`start` (or ``with FakeWebex() as fake:``). The state lives in :attr:`world`;
    the methods here and those of :class:`~fakewebex.calling_helpers.CallingHelpers` (calls, voicemail) are the
    conveniences tests use.
    """

    access_token_lifetime = _Setting('auth', 'access_token_lifetime', 'seconds an access token is valid')
    refresh_token_lifetime = _Setting('auth', 'refresh_token_lifetime', 'seconds a refresh token is valid')
    rotate_refresh_tokens = _Setting('auth', 'rotate_refresh_tokens',
                                     'True: refresh grants replace the refresh token (default False, as Webex)')
    consent_as = _Setting('auth', 'consent_as', 'Person signed in to the browser visiting /authorize')
    consent_decision = _Setting('auth', 'consent_decision', "'allow' or 'deny' on the consent page")
    consent_page = _Setting('auth', 'consent_page',
                            'True: GET /authorize shows a consent page to a real browser (person, scopes, Allow, '
                            'Deny) instead of deciding at once as consent_as (default False)')
    latency = _Setting('faults', 'latency', 'seconds added to every API request')

    def __init__(self, *, delivery_timeout: float = 10.0, clock: Callable[[], float] = time.time,
                 delivery_threads: int = 1, contract: Optional[Contract] = None, server_threads: int = 32):
        """
        :param delivery_timeout: HTTP timeout of a webhook delivery, seconds
        :param clock: time source of the world (seconds since the epoch)
        :param delivery_threads: notifications delivered in parallel; with more than one, order is not kept
        :param contract: Webex's documents every request and response is checked against; default: the vendored
            ones (:func:`fakewebex.contract.contract`, loaded once per process)
        :param server_threads: API requests served at once; with ``latency`` set, each holds a thread that long
        """
        self.world = World(clock)
        self._delivery = DeliveryWorker(timeout=delivery_timeout, threads=delivery_threads)
        #: how often each notification is delivered (Webex sometimes delivers one twice)
        self.deliver_copies = 1
        self.world.on_notification = self._submit
        self._http = ServerThread(create_app(self.world, contract or webex_contract()), name='fakewebex-http',
                                 threads=server_threads)

    # --- lifecycle

    def start(self) -> 'FakeWebex':
        """
        Start the HTTP server (127.0.0.1, free port) and the delivery thread.

        :return: self
        """
        self._delivery.start()
        self._http.start()
        log.info('fake Webex at %s', self.base_url)
        return self

    def stop(self) -> None:
        """Stop the server and the delivery thread."""
        self._http.stop()
        self._delivery.stop()

    def __enter__(self) -> 'FakeWebex':
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """
        :return: ``http://127.0.0.1:PORT/v1``, the value for ``WEBEX_API_BASE_URL``
        """
        return self._http.url + API_PREFIX

    # --- people and OAuth

    def add_bot(self, email: str = 'bot@webex.bot', display_name: str = 'Bot') -> Person:
        """
        :return: a new bot; :attr:`Person.token` is its non-expiring access token
        """
        return self.world.add_bot(email, display_name)

    def add_person(self, email: str, display_name: str, *, extension: Optional[str] = None,
                   number: Optional[str] = None, org_id: Optional[str] = None, title: Optional[str] = None,
                   timezone: Optional[str] = None) -> Person:
        """
        :param extension: Webex Calling extension; a person with neither extension nor number has no Webex Calling
        :param title: job title, shown by ``/people``
        :param timezone: time zone (an IANA name, e.g. ``Asia/Tokyo``), shown by ``/people``; None: not configured
        :return: a new person (without token: use OAuth or :meth:`issue_tokens`)
        """
        return self.world.add_person(email, display_name, extension=extension, number=number, org_id=org_id,
                                     title=title, timezone=timezone)

    def set_timezone(self, person: Person, timezone: Optional[str]) -> None:
        """
        Change a person's time zone, as their administrator or they themselves do in Control Hub.

        :param timezone: an IANA name, e.g. ``Asia/Tokyo``; None: none configured (``timezone`` absent)
        """
        with self.world.lock:
            person.timezone = timezone

    @staticmethod
    def new_org_id() -> str:
        """
        :return: a new organization id for :meth:`add_person`
        """
        return new_id('ORGANIZATION')

    def person(self, key: str) -> Person:
        """
        :param key: people id or email
        :return: the person
        """
        return self.world.person(key)

    def add_integration(self, client_id: str, client_secret: str, *, redirect_uris: Iterable[str] = (),
                        scopes: str = '', name: str = '') -> None:
        """
        Register an OAuth client.

        :param client_id: client id
        :param client_secret: client secret
        :param redirect_uris: allowed redirect URIs; empty: any
        :param scopes: scopes granted when the authorize request names none
        :param name: the integration's name, shown on the consent page
        """
        self.world.auth.add_integration(client_id, client_secret, tuple(redirect_uris), scopes, name)

    def issue_tokens(self, person: Person, client_id: Optional[str] = None, scope: Optional[str] = None) -> dict:
        """
        Tokens for ``person`` without the browser part of the OAuth flow.

        :param person: token owner
        :param client_id: integration; may be omitted if only one is registered
        :param scope: scopes; default those of the integration
        :return: the token response as ``POST /access_token`` returns it
        """
        return self.world.auth.issue(person, client_id, scope)

    def issued_tokens(self) -> list[str]:
        """
        :return: every access and refresh token the fake ever issued, bot tokens included, and every
            authorization code
        """
        with self.world.lock:
            return list(self.world.auth.issued)

    def expire_access_tokens(self, person: Person) -> int:
        """
        Let all current access tokens of ``person`` expire now (refresh tokens stay valid).

        :return: number of tokens expired
        """
        return self.world.auth.expire_access_tokens(person)

    # --- rooms and messages

    def direct_room(self, a: Person, b: Optional[Person] = None) -> str:
        """
        :param a: one person
        :param b: the other; default: the bot
        :return: id of their 1:1 room (created on first use)
        """
        return self.world.messaging.direct_room(a, b or self.world.the_bot()).id

    def add_group_room(self, title: str, members: Iterable[Person], *, owner_id: Optional[str] = None,
                       announcement: bool = False, moderators: Iterable[Person] = ()) -> str:
        """
        :param owner_id: organisation owning the room; default: that of the first member
        :param announcement: only moderators may post
        :param moderators: the room's moderators
        :return: id of a new group room
        """
        return self.world.messaging.add_group_room(title, members, owner_id=owner_id, announcement=announcement,
                                                   moderators=moderators).id

    def send_message(self, person: Person, text: str, room_id: Optional[str] = None,
                     mentions: Optional[Iterable[Person]] = None, *, markdown: Optional[str] = None) -> dict:
        """
        ``person`` writes a message, by default in the 1:1 room with the bot; fires webhooks.

        :return: the stored message
        """
        messaging = self.world.messaging
        with self.world.lock:
            room = messaging.room(room_id) if room_id else messaging.direct_room(person, self.world.the_bot())
            return messaging.send(person, room, text=text, markdown=markdown,
                                  mention_ids=[p.id for p in mentions or ()])

    def messages(self, room_id: Optional[str] = None, *, person: Optional[Person] = None,
                 author: Optional[Person] = None) -> list[dict]:
        """
        :param room_id: only this room
        :param person: only the 1:1 room of this person with the bot
        :param author: only messages written by this person
        :return: stored messages, oldest first
        """
        if person is not None:
            room_id = self.direct_room(person)
        return self.world.messaging.messages(room_id, author.id if author else None)

    def cards(self, person: Person) -> list[dict]:
        """
        :return: the messages with attachments (cards) in the 1:1 room of ``person`` with the bot that are not
            deleted, oldest first
        """
        return [m for m in self.messages(person=person) if m.get('attachments')]

    def press(self, person: Person, message_id: str, inputs: Optional[dict] = None) -> dict:
        """
        ``person`` submits the card of a message (``Action.Submit``); if a bot posted the card, its
        ``attachmentActions`` webhooks are notified.

        :param inputs: the card's input values, e.g. ``{'action': 'hold', 'callId': ...}``
        :return: the attachment action ``{id, type, messageId, inputs, personId, roomId, created}``
        :raises WebexError: 404 if the message is deleted, unknown or not in a room of ``person``; 400 if it
            carries no card
        """
        return self.world.cards.submit(person, message_id, inputs or {})

    def on_message(self, listener: Callable[[dict], None]) -> None:
        """
        Call ``listener`` with every new message (a copy), right when it is stored.

        :param listener: quick callable; it runs in the thread that stored the message
        """
        self.world.messaging.listeners.append(listener)

    def wait_for_message(self, predicate: Callable[[dict], bool], timeout: float = 5.0) -> dict:
        """
        Wait until a stored message (old or new) satisfies ``predicate``.

        :return: the first such message
        :raises AssertionError: on timeout
        """
        return self.world.messaging.wait_for(predicate, timeout)

    def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """
        Wait until ``condition()`` holds: asked now and again whenever the fake's state may have changed (an API
        request answered, a message stored). For conditions on what the fake holds, e.g.
        ``lambda: len(fake.cards(alice)) == 1`` or ``lambda: len(fake.requests_since(mark)) >= 2``.

        :raises AssertionError: on timeout
        """
        if not self.world.wait_until(condition, timeout):
            raise AssertionError(f'condition not met within {timeout} s')

    # --- webhooks and deliveries

    def webhooks(self, owner: Optional[Person] = None) -> list[dict]:
        """
        :return: webhooks (of ``owner`` if given)
        """
        return self.world.hooks.list(owner)

    def set_webhook_status(self, webhook_id: str, status: str) -> None:
        """Set the status of any webhook: ``'active'`` or ``'inactive'``."""
        self.world.hooks.set_status(webhook_id, status)

    @property
    def deliveries(self) -> list[Delivery]:
        """
        :return: outcomes of all delivery attempts, in order
        """
        return self._delivery.records

    def _submit(self, notification: Notification) -> None:
        for _ in range(self.deliver_copies):
            self._delivery.submit(notification)

    def redeliver(self, delivery: Delivery, target_url: Optional[str] = None) -> None:
        """
        Deliver a notification again, byte for byte (the same signature), to where it went or elsewhere.

        :param delivery: a recorded delivery
        :param target_url: another receiver, e.g. a second instance of the bot
        """
        notification = delivery.notification
        if target_url:
            notification = dataclasses.replace(notification, target_url=target_url)
        self._delivery.submit(notification)

    @property
    def connections_accepted(self) -> int:
        """
        :return: TCP connections the API server accepted (it keeps connections alive, HTTP/1.1)
        """
        return self._http.connections_accepted

    def wait_deliveries_idle(self, timeout: float = 5.0) -> None:
        """
        Wait until no notification is queued or in flight.

        :raises AssertionError: on timeout
        """
        self._delivery.wait_idle(timeout)

    # --- inspection and fault injection

    @property
    def requests(self) -> list[Recorded]:
        """
        :return: all API requests so far, in order of completion
        """
        return self.world.requests.all()

    def mark(self) -> int:
        """
        :return: a mark to pass to :meth:`requests_since`
        """
        return self.world.requests.mark()

    def requests_since(self, mark: int) -> list[Recorded]:
        """
        :return: API requests completed after :meth:`mark` returned ``mark``
        """
        return self.world.requests.since(mark)

    def clear_requests(self) -> None:
        """Empty the request log."""
        self.world.requests.clear()

    @property
    def contract_violations(self) -> list[Violation]:
        """
        :return: every way a request to the fake or its response left Webex's published documents, in order
            (requests are refused, see :mod:`fakewebex.api`; responses are the fake's own bugs)
        """
        return self.world.violations.all()

    def clear_contract_violations(self) -> None:
        """Forget the recorded contract violations (after a test has looked at those it caused on purpose)."""
        self.world.violations.clear()

    def hold_next(self, method: str, path_regex: str, timeout: float = 60.0) -> Hold:
        """
        Hold the next request matching ``method`` and ``path_regex`` (full match against the path after ``/v1``)
        before it is processed, until the test calls :meth:`Hold.release <fakewebex.inspection.Hold.release>`:
        Webex slow for one request. ``hold.arrived`` is set when the request is waiting.

        :param timeout: seconds after which the request goes on anyway
        """
        return self.world.faults.hold_next(method, path_regex, timeout)

    def fail_next(self, method: str, path_regex: str, status: int, *, count: int = 1,
                  description: Optional[str] = None, headers: Optional[dict[str, str]] = None) -> None:
        """
        Answer the next ``count`` requests matching ``method`` and ``path_regex`` (full match against the path
        after ``/v1``) with ``status`` and the Webex error shape instead of processing them.
        """
        self.world.faults.fail_next(method, path_regex, status, count=count, description=description,
                                    headers=headers)
