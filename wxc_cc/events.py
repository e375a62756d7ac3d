"""
Every kind of event the bot serves, in one table (:data:`KINDS`): where it arrives, how it is read, whether and as
which task it is queued, and which part of the bot does it. The door (:class:`~wxc_cc.core.BotCore`, while Webex
waits) and the worker (:class:`~wxc_cc.runner.TaskRunner`, after the answer) both find a notification's kind here,
and nowhere else.

A kind's :attr:`~EventKind.admit` decides at the door, without a Webex request, from what the notification says:
the bot's own message, a group message that does not mention it, a membership of somebody else are answered at
once; anything else becomes a task of the person (or space) it is for, under an id that is queued once. What the
notification claims is checked against Webex later, by whoever does the task.

A timed task arrives from no webhook (:data:`TIMED`): the bot queued it itself (a setting's end, :mod:`wxc_cc.ends`),
and the worker reads it from the task itself, not from a notification.
"""
import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional, Union

from .ends import End
from .notifications import Notification, action_created, call_event, membership_created, message_created
from .task import CALL_EVENT, END, MEMBERSHIP, MESSAGE, PRESS, VOICEMAIL, Task

__all__ = ['EventKind', 'Door', 'Accepted', 'KINDS', 'BOT', 'USER', 'TIMED', 'kind_of', 'by_name']

#: where a notification arrives: the bot's webhooks (``POST /``), or a monitored user's (``POST /callevent/<id>``);
#: where a timed task comes from: the bot itself, at its due time
BOT, USER, TIMED = 'bot', 'user', 'timed'


@dataclass(frozen=True)
class Door:
    """What the door knows of a notification besides the notification: who the bot is, whose URL it came to."""
    #: the bot's person id
    bot_id: str
    #: the monitored user of ``/callevent/<user id>``; empty for the bot's own webhooks
    user_id: str
    #: the raw body (its hash names a voicemail event, which carries no id)
    body: bytes


@dataclass(frozen=True)
class Accepted:
    """The task a notification becomes."""
    #: whose it is: one key's tasks run one at a time, in order
    key: str
    #: what identifies the notification: queued once
    id: str
    #: when Webex created what it is about; now when it does not say
    created: Optional[datetime.datetime] = None
    #: the monitored user it is for
    user_id: str = ''


#: the door's decision: the task, or why the notification is answered without one
Decision = Union[Accepted, str]


def _notification(task: Task) -> Notification:
    return Notification.from_envelope(task.notification)


@dataclass(frozen=True)
class EventKind:
    """
    One kind of event: a row of :data:`KINDS`.
    """
    #: the kind of task it becomes (:mod:`wxc_cc.task`)
    name: str
    #: where it arrives: :data:`BOT` or :data:`USER`; :data:`TIMED` for a task the bot queued itself
    route: str
    #: the notification's ``resource`` (empty for a timed task)
    resource: str
    #: the notification's ``event``; ``None``: any
    event: Optional[str]
    #: what the task keeps (see :attr:`source`), typed; raises :class:`~wxc_cc.notifications.BadNotification` (or
    #: :class:`~wxc_cc.task.UnreadableTask`)
    read: Callable[[Any], Any]
    #: at the door: the task it becomes, or why not (``None`` for a timed task, which comes to no door)
    admit: Optional[Callable[[Any, Door], Decision]]
    #: the :class:`~wxc_cc.runner.TaskRunner` method that does it: ``(event, source, task)``
    does: str
    #: what of the task :attr:`read` reads: its notification, or (a timed task) the task itself
    source: Callable[[Task], Any] = _notification
    #: a task taken over while it was acting is run again (it reads before it changes anything, so that a second
    #: run does nothing twice), rather than told as of unknown outcome
    repeatable: bool = False

    def matches(self, route: str, notification: Notification) -> bool:
        """Whether a notification arriving at ``route`` is of this kind."""
        return (self.route, self.resource) == (route, notification.resource) and self.event in (None,
                                                                                                notification.event)


def _message(message: Any, door: Door) -> Decision:
    if message.person_id == door.bot_id:
        return 'own message ignored'
    if message.room_type != 'direct' and door.bot_id not in message.mentioned_people:
        # Webex sends bots only the group messages that mention them; anything else is not for us
        return 'group message without mention ignored'
    return Accepted(message.person_id, f'message:{message.message_id}', message.created)


def _press(action: Any, door: Door) -> Decision:
    return Accepted(action.person_id, f'action:{action.id}', action.created)


def _membership(joined: Any, door: Door) -> Decision:
    if joined.person_id != door.bot_id:
        return 'membership of another ignored'
    return Accepted(joined.room_id, f'membership:{joined.id}', joined.created)


def _call_event(event: Any, door: Door) -> Decision:
    return Accepted(door.user_id, f'call:{door.user_id}:{event.call_id}:{event.event_type}:'
                                  f'{event.event_timestamp.isoformat()}', event.event_timestamp, door.user_id)


def _voicemail(data: dict, door: Door) -> Decision:
    # a voicemail event carries no id of its own
    return Accepted(door.user_id, f'mwi:{door.user_id}:{hashlib.sha256(door.body).hexdigest()[:32]}',
                    user_id=door.user_id)


def _data(notification: Notification) -> dict:
    return notification.data


def _itself(task: Task) -> Task:
    return task


#: every kind of event the bot serves
KINDS = (
    EventKind(MESSAGE, BOT, 'messages', 'created', read=message_created, admit=_message, does='message'),
    EventKind(PRESS, BOT, 'attachmentActions', 'created', read=action_created, admit=_press, does='press'),
    EventKind(MEMBERSHIP, BOT, 'memberships', 'created', read=membership_created, admit=_membership,
              does='membership'),
    EventKind(CALL_EVENT, USER, 'telephony_calls', None, read=call_event, admit=_call_event, does='call_event'),
    EventKind(VOICEMAIL, USER, 'telephony_mwi', None, read=_data, admit=_voicemail, does='voicemail'),
    EventKind(END, TIMED, '', None, read=End.of, admit=None, does='end', source=_itself, repeatable=True),
)

_BY_NAME = {kind.name: kind for kind in KINDS}


def kind_of(route: str, notification: Notification) -> Optional[EventKind]:
    """The kind of a notification arriving at ``route``, or ``None`` for one the bot does not serve."""
    return next((kind for kind in KINDS if kind.matches(route, notification)), None)


def by_name(name: str) -> Optional[EventKind]:
    """The kind of a task, or ``None`` for one this version does not know."""
    return _BY_NAME.get(name)
