"""
Parsing of webhook notifications. Pure functions: bytes in, typed values out, :class:`BadNotification` for
anything malformed.
"""
import json
from dataclasses import dataclass
from typing import Any, Optional

from pydantic import ValidationError
from wxc_sdk.telephony.calls import TelephonyEventData

__all__ = ['BadNotification', 'Notification', 'MessageCreated', 'ActionCreated', 'MembershipCreated',
           'parse_notification',
           'message_created', 'action_created', 'membership_created', 'call_event']


class BadNotification(ValueError):
    """
    The body is not a notification the bot understands. The message says why, without echoing the body.
    """


@dataclass(frozen=True)
class Notification:
    """
    The envelope Webex posts for every webhook event.
    """
    #: id of the webhook (not of the delivery: Webex reuses it for every event of that webhook)
    webhook_id: str
    resource: str
    event: str
    data: dict
    actor_id: Optional[str] = None
    created_by: Optional[str] = None


@dataclass(frozen=True)
class MessageCreated:
    """
    The ``data`` of a ``messages``/``created`` notification: which message, where, by whom (not the text), as the
    notification claims it. The bot acts only on what ``GET /messages/{id}`` says; these fields must agree.
    """
    message_id: str
    room_id: str
    room_type: str
    person_id: str
    person_email: Optional[str]
    #: person ids the message mentions, as the notification claims
    mentioned_people: tuple[str, ...] = ()


def _field(data: dict, name: str, kind: type = str, required: bool = True) -> Any:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, kind) or (kind is str and not value):
        raise BadNotification(f'field {name!r} missing or not a {kind.__name__}')
    return value


def parse_notification(body: bytes) -> Notification:
    """
    Parse the envelope of a notification.

    :param body: the raw request body
    :raises BadNotification: empty, not JSON, or not a webhook envelope
    """
    if not body:
        raise BadNotification('empty body')
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadNotification(f'not JSON ({type(error).__name__})') from None
    if not isinstance(payload, dict):
        raise BadNotification('not a JSON object')
    return Notification(webhook_id=_field(payload, 'id'), resource=_field(payload, 'resource'),
                        event=_field(payload, 'event'), data=_field(payload, 'data', dict),
                        actor_id=_field(payload, 'actorId', required=False),
                        created_by=_field(payload, 'createdBy', required=False))


def message_created(notification: Notification) -> MessageCreated:
    """
    The message reference in a ``messages`` notification.

    :raises BadNotification: fields missing
    """
    data = notification.data
    return MessageCreated(message_id=_field(data, 'id'), room_id=_field(data, 'roomId'),
                          room_type=_field(data, 'roomType', required=False) or 'direct',
                          person_id=_field(data, 'personId'),
                          person_email=_field(data, 'personEmail', required=False),
                          mentioned_people=tuple(_field(data, 'mentionedPeople', list, required=False) or ()))


@dataclass(frozen=True)
class ActionCreated:
    """
    The ``data`` of an ``attachmentActions``/``created`` notification: a button pressed on a card (not the inputs).
    """
    action_id: str
    message_id: str
    person_id: str
    room_id: str


def action_created(notification: Notification) -> ActionCreated:
    """
    The reference to a card submission.

    :raises BadNotification: fields missing
    """
    data = notification.data
    return ActionCreated(action_id=_field(data, 'id'), message_id=_field(data, 'messageId'),
                         person_id=_field(data, 'personId'), room_id=_field(data, 'roomId'))


@dataclass(frozen=True)
class MembershipCreated:
    """
    The ``data`` of a ``memberships``/``created`` notification: who joined which space.
    """
    membership_id: str
    room_id: str
    person_id: str
    is_moderator: bool


def membership_created(notification: Notification) -> MembershipCreated:
    """
    The new membership.

    :raises BadNotification: fields missing
    """
    data = notification.data
    return MembershipCreated(membership_id=_field(data, 'id'), room_id=_field(data, 'roomId'),
                             person_id=_field(data, 'personId'),
                             is_moderator=bool(_field(data, 'isModerator', bool, required=False)))


def call_event(notification: Notification) -> TelephonyEventData:
    """
    The call in a ``telephony_calls`` notification, as wxc_sdk's typed model.

    :raises BadNotification: not a call event, or fields missing
    """
    if notification.resource != 'telephony_calls':
        raise BadNotification(f'resource {notification.resource!r} is not telephony_calls')
    try:
        return TelephonyEventData.model_validate(notification.data)
    except ValidationError as error:
        fields = sorted({'.'.join(map(str, item['loc'])) for item in error.errors()})
        raise BadNotification(f'invalid call event, fields: {", ".join(fields)}') from None
