"""
Parsing of webhook notifications. Pure functions: bytes in, typed values out, :class:`BadNotification` for
anything malformed, and nothing else: a notification answered 500 is delivered again and again.

The body must be UTF-8 JSON nested at most :data:`MAX_DEPTH` deep (counted before it is parsed: Python's parser
recurses) and hold valid Unicode only. The envelope is checked here; its ``data`` is parsed with wxc_sdk's webhook
event models (:class:`~wxc_sdk.messages.MessagesData`, :class:`~wxc_sdk.attachment_actions.AttachmentActionData`,
:class:`~wxc_sdk.memberships.MembershipsData`, :class:`~wxc_sdk.telephony.calls.TelephonyEventData`), but only
after every field a model reads has been checked against the model's types (:func:`check_shape`): a string where a
string belongs, and for wxc_sdk's enums only the values they know. wxc_sdk adds any other value to an enum, for the
whole process (and fails on a number or a list); a notification's value never gets that far. What a notification
says of who, where and when is a claim: the bot acts only on what Webex says when asked.
"""
import datetime
import enum
import json
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Optional, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from wxc_sdk.attachment_actions import AttachmentActionData
from wxc_sdk.base import enum_str
from wxc_sdk.memberships import MembershipsData
from wxc_sdk.messages import MessagesData
from wxc_sdk.telephony.calls import TelephonyEventData

__all__ = ['BadNotification', 'Notification', 'MessageCreated', 'parse_notification', 'message_created',
           'action_created', 'membership_created', 'call_event', 'check_shape', 'MAX_DEPTH']

Model = TypeVar('Model', bound=BaseModel)

#: the deepest nesting of arrays and objects a notification may have; Webex's are four deep
MAX_DEPTH = 32
#: what the depth count looks at: brackets, quotes and backslashes
_STRUCTURE = re.compile(rb'[\[\]{}"\\]')


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


def _nesting(body: bytes, limit: int = MAX_DEPTH) -> int:
    """
    How deep the arrays and objects of a JSON text nest (brackets in strings do not count), without parsing it;
    counting stops once past ``limit``.
    """
    depth = deepest = 0
    in_string, escaped = False, -1
    for match in _STRUCTURE.finditer(body):
        at, char = match.start(), body[match.start():match.end()]
        if in_string:
            if at == escaped:
                continue
            if char == b'\\':
                escaped = at + 1
            elif char == b'"':
                in_string = False
        elif char == b'"':
            in_string = True
        elif char in b'[{':
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        elif char in b']}':
            depth -= 1
    return deepest


def parse_notification(body: bytes) -> Notification:
    """
    Parse the envelope of a notification.

    :param body: the raw request body
    :raises BadNotification: empty, not JSON, nested too deep, not valid Unicode, or not a webhook envelope
    """
    if not body:
        raise BadNotification('empty body')
    if _nesting(body) > MAX_DEPTH:
        raise BadNotification(f'nested deeper than {MAX_DEPTH}')
    try:
        payload = json.loads(body)
        # a lone surrogate (\ud800) is JSON but no text: no store could keep it
        json.dumps(payload, ensure_ascii=False).encode()
    except UnicodeError as error:
        raise BadNotification(f'not valid Unicode ({type(error).__name__})') from None
    except ValueError as error:  # JSONDecodeError, and integers longer than Python converts
        raise BadNotification(f'not JSON ({type(error).__name__})') from None
    if not isinstance(payload, dict):
        raise BadNotification('not a JSON object')
    return Notification(webhook_id=_field(payload, 'id'), resource=_field(payload, 'resource'),
                        event=_field(payload, 'event'), data=_field(payload, 'data', dict),
                        actor_id=_field(payload, 'actorId', required=False),
                        created_by=_field(payload, 'createdBy', required=False))


def _unwrap(kind: Any) -> tuple[Any, ...]:
    """The types a field's annotation allows, ``Optional`` and unions taken apart."""
    if get_origin(kind) in (Union, types.UnionType):
        return tuple(inner for option in get_args(kind) for inner in _unwrap(option))
    return (kind,)


def _fits(kind: Any, value: Any, where: str) -> Optional[str]:
    """Why a JSON value does not fit a type, or ``None`` when it does; ``where`` is its path."""
    origin = get_origin(kind)
    if kind is Any:
        return None
    if kind is type(None):
        return None if value is None else f"'{where}' not null"
    if origin is Literal:
        return None if isinstance(value, str) and value in get_args(kind) else f"'{where}' not one of {get_args(kind)}"
    if origin in (list, tuple, set, frozenset):
        if not isinstance(value, list):
            return f"'{where}' not a list"
        item = (get_args(kind) or (Any,))[0]
        return next((why for index, element in enumerate(value)
                     if (why := _first_misfit(item, element, f'{where}[{index}]'))), None)
    if origin is dict or kind is dict:
        return None if isinstance(value, dict) else f"'{where}' not an object"
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        # only values the enum has: wxc_sdk would add any other to it, for the whole process
        known = isinstance(value, str) and value in kind._value2member_map_
        return None if known else f"'{where}' not one of the values the bot knows"
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return _misfit(kind, value, f'{where}.') if isinstance(value, dict) else f"'{where}' not an object"
    # Webex writes times as ISO 8601 strings
    expected = {str: str, bool: bool, int: int, float: (int, float), datetime.datetime: str}.get(kind)
    if expected is None:
        return None
    if not isinstance(value, expected) or (kind is not bool and isinstance(value, bool)):
        return f"'{where}' not a {'time' if kind is datetime.datetime else kind.__name__}"
    return None


def _first_misfit(kind: Any, value: Any, where: str) -> Optional[str]:
    """Why a value fits none of the types an annotation allows, or ``None``."""
    reasons = [_fits(option, value, where) for option in _unwrap(kind)]
    return None if None in reasons else reasons[0]


def _misfit(model: type[BaseModel], data: Mapping, prefix: str = '') -> Optional[str]:
    """Why some field of ``data`` does not fit ``model``, or ``None``; fields are found by alias and by name."""
    for name, field in model.model_fields.items():
        for key in dict.fromkeys((field.alias or name, name)):
            if key in data and (why := _first_misfit(field.annotation, data[key], f'{prefix}{key}')):
                return why
    return None


def check_shape(model: type[BaseModel], data: Mapping) -> None:
    """
    Check a notification's data against a wxc_sdk model before the model reads it: every field the model reads
    (by its alias or its name, nested models and lists included) holds a JSON value of the field's type, and a
    field of an enum only one of the enum's values.

    :raises BadNotification: naming the first field that does not fit (not its value)
    """
    if why := _misfit(model, data):
        raise BadNotification(f'field {why}')


def _data(notification: Notification, model: type[Model], what: str) -> Model:
    """
    The notification's data as a wxc_sdk model, its shape checked first (:func:`check_shape`).

    :raises BadNotification: naming the fields that are missing or wrong
    """
    check_shape(model, notification.data)
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
    if not isinstance(mentioned, list) or not all(isinstance(person, str) for person in mentioned):
        raise BadNotification('field \'mentionedPeople\' not a list of strings')
    return MessageCreated(message_id=_non_empty(data.id, 'id'), room_id=_non_empty(data.room_id, 'roomId'),
                          room_type=enum_str(data.room_type) if data.room_type else 'direct',
                          person_id=_non_empty(data.person_id, 'personId'), person_email=data.person_email,
                          mentioned_people=tuple(mentioned), created=data.created)


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
    event = _data(notification, TelephonyEventData, 'call event')
    _non_empty(event.call_id, 'callId')
    return event
