"""
Plain records shared by the modules of the fake: people, notifications, deliveries, recorded requests.
"""
import logging
from dataclasses import dataclass, field
from typing import Any, Optional

__all__ = ['Person', 'Notification', 'Delivery', 'Recorded', 'Violation']

log = logging.getLogger(__name__)


@dataclass
class Person:
    """
    A user or bot known to the fake.
    """
    #: Webex people id
    id: str
    #: the (single) email address
    email: str
    display_name: str
    org_id: str
    #: ``'person'`` or ``'bot'``
    type: str = 'person'
    #: Webex Calling extension, if any
    extension: Optional[str] = None
    #: E.164 phone number, if any
    number: Optional[str] = None
    #: non-expiring access token of a bot; None for persons (they get tokens via OAuth)
    token: Optional[str] = None
    #: creation time, Webex wire format
    created: str = ''
    #: whether new calls of this person report ``muteCapable: true`` (mute/unmute allowed)
    mute_capable: bool = True
    #: job title, as the people directory shows it
    title: Optional[str] = None
    #: the person's time zone (``timezone`` of ``GET /people/{id}``), e.g. ``Asia/Tokyo``; None: not configured
    timezone: Optional[str] = None

    @property
    def is_bot(self) -> bool:
        """
        :return: True for bots
        """
        return self.type == 'bot'

    @property
    def has_calling(self) -> bool:
        """
        :return: True for a Webex Calling user: a person with an extension or a number (a calling licence)
        """
        return not self.is_bot and bool(self.extension or self.number)

    @property
    def dial_string(self) -> Optional[str]:
        """
        :return: what other users see as this person's number: the extension, else the number
        """
        return self.extension or self.number


@dataclass
class Notification:
    """
    A webhook notification waiting to be delivered.
    """
    webhook_id: str
    resource: str
    event: str
    target_url: str
    #: HMAC key of the webhook, None if the webhook has none
    secret: Optional[str]
    #: the JSON envelope to POST
    envelope: dict[str, Any]


@dataclass
class Delivery:
    """
    The outcome of one attempt to deliver a notification.
    """
    webhook_id: str
    resource: str
    event: str
    target_url: str
    #: HTTP status of the receiver's answer; None if no answer (connection error, timeout)
    status_code: Optional[int]
    #: text of the exception when there was no answer
    error: Optional[str]
    #: the envelope as delivered
    body: dict[str, Any]
    #: time of the attempt (seconds since the epoch)
    at: float = 0.0
    duration_ms: float = 0.0
    #: what was delivered, for :meth:`fakewebex.FakeWebex.redeliver`
    notification: Optional[Notification] = field(default=None, repr=False)


@dataclass
class Recorded:
    """
    One API request as the fake saw it.
    """
    method: str
    #: path after ``/v1``, e.g. ``/telephony/calls/dial``
    path: str
    query: dict[str, str]
    #: parsed JSON or form body with secrets masked, None without body
    body: Any
    status: int
    #: email of the token's owner, ``'anonymous'`` without a valid token
    identity: str
    duration_ms: float
    #: time the request arrived (seconds since the epoch)
    at: float
    #: position in the request log, see :meth:`fakewebex.FakeWebex.mark`
    seq: int = 0


@dataclass(frozen=True)
class Violation:
    """
    One way a request to the fake or its response left Webex's published documents (see :mod:`fakewebex.contract`).
    """
    #: ``'request'`` (the client sent something undocumented) or ``'response'`` (the fake answered so)
    direction: str
    method: str
    #: path after ``/v1``, e.g. ``/telephony/calls/dial``
    path: str
    #: what is wrong, e.g. ``body: Additional properties are not allowed ('bogus' was unexpected)``
    detail: str
