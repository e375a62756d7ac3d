"""
Parsing of webhook notifications. Pure functions: bytes in, typed values out, :class:`BadNotification` for
anything malformed.

The envelope is checked here; its ``data`` is parsed with wxc_sdk's webhook event models
(:class:`~wxc_sdk.messages.MessagesData`, :class:`~wxc_sdk.attachment_actions.AttachmentActionData`,
:class:`~wxc_sdk.memberships.MembershipsData`, :class:`~wxc_sdk.telephony.calls.TelephonyEventData`). What a
notification says of who, where and when is a claim: the bot acts only on what Webex says when asked.
"""
import datetime
import json
from dataclasses import dataclass
from typing import Any, Optional, TypeVar

from pydantic import BaseModel, ValidationError
from wxc_sdk.attachment_actions import AttachmentActionData
from wxc_sdk.base import enum_str
from wxc_sdk.memberships import MembershipsData
from wxc_sdk.messages import MessagesData
from wxc_sdk.telephony.calls import TelephonyEventData

__all__ = ['BadNotification', 'Notification', 'MessageCreated', 'parse_notification', 'message_created',
           'action_created', 'membership_created', 'call_event']

Model = TypeVar('Model', bound=BaseModel)


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

    def envelope(self) -> dict:
        """What a task keeps of it (:attr:`wxc_cc.task.Task.notification`): the envelope without ``createdBy``."""
        return {'id': self.webhook_id, 'resource': self.resource, 'event': self.event, 'data': self.data,
                'actorId': self.actor_id}

    @classmethod
    def from_envelope(cls, envelope: dict) -> 'Notification':
        """
        The notification a task kept (:meth:`envelope`).

        :raises BadNotification: the envelope lacks what every notification has
        """
        if not isinstance(envelope.get('resource'), str) or not isinstance(envelope.get('data'), dict):
            raise BadNotification('the task keeps no notification')
        return cls(webhook_id=envelope.get('id') or '', resource=envelope['resource'],
                   event=envelope.get('event') or '', data=envelope['data'], actor_id=envelope.get('actorId'))


@dataclass(frozen=True)
class MessageCreated:
    """
    A ``messages``/``created`` notification: which message, where, by whom (not the text), as the notification
    claims it. The bot acts only on what ``GET /messages/{id}`` says; these fields must agree.
    """
    message_id: str
    room_id: str
    room_type: str
    person_id: str
    person_email: Optional[str]
    #: person ids the message mentions (wxc_sdk's model keeps the field as an extra)
    mentioned_people: tuple[str, ...] = ()
    #: when Webex says the message was created
    created: Optional[datetime.datetime] = None


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


def _data(notification: Notification, model: type[Model], what: str) -> Model:
    """
    The notification's data as a wxc_sdk model.

    :raises BadNotification: naming the fields that are missing or wrong
    """
    try:
        return model.model_validate(notification.data)
    except ValidationError as error:
        fields = sorted({'.'.join(map(str, item['loc'])) for item in error.errors()})
        raise BadNotification(f'invalid {what}, fields: {", ".join(fields)}') from None


def _non_empty(value: Optional[str], name: str) -> str:
    if not value:
        raise BadNotification(f'field {name!r} missing or not a str')
    return value


def message_created(notification: Notification) -> MessageCreated:
    """
    The message reference in a ``messages`` notification.

    :raises BadNotification: fields missing
    """
    data = _data(notification, MessagesData, 'message')
    mentioned = (data.model_extra or {}).get('mentionedPeople') or []
    if not isinstance(mentioned, list):
        raise BadNotification('field \'mentionedPeople\' not a list')
    return MessageCreated(message_id=_non_empty(data.id, 'id'), room_id=_non_empty(data.room_id, 'roomId'),
                          room_type=enum_str(data.room_type) if data.room_type else 'direct',
                          person_id=_non_empty(data.person_id, 'personId'), person_email=data.person_email,
                          mentioned_people=tuple(person for person in mentioned if isinstance(person, str)),
                          created=data.created)


def action_created(notification: Notification) -> AttachmentActionData:
    """
    The reference to a card submission (a button pressed; not the inputs).

    :raises BadNotification: fields missing
    """
    data = _data(notification, AttachmentActionData, 'card press')
    for name, value in (('id', data.id), ('messageId', data.message_id), ('personId', data.person_id),
                        ('roomId', data.room_id)):
        _non_empty(value, name)
    return data


def membership_created(notification: Notification) -> MembershipsData:
    """
    The new membership: who joined which space.

    :raises BadNotification: fields missing
    """
    data = _data(notification, MembershipsData, 'membership')
    for name, value in (('id', data.id), ('roomId', data.room_id), ('personId', data.person_id)):
        _non_empty(value, name)
    return data


def call_event(notification: Notification) -> TelephonyEventData:
    """
    The call in a ``telephony_calls`` notification.

    :raises BadNotification: not a call event, or fields missing
    """
    if notification.resource != 'telephony_calls':
        raise BadNotification(f'resource {notification.resource!r} is not telephony_calls')
    return _data(notification, TelephonyEventData, 'call event')
