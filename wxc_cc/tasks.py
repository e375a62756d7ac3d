"""
Work accepted from Webex and done after the webhook is answered, as data: a :class:`Task` names what to do (its
kind), for whom (its key: one key's tasks run in order), and carries the notification it came from. Tasks are
plain JSON, so that they can wait in a queue and be taken up by any worker.

:class:`TaskRunner` does a task: it parses the notification again and hands it to the part of the bot that
serves it.
"""
import datetime
import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Optional

import requests
from wxc_sdk.rest import RestError

from .errors import StoreUnavailable, webex_reason
from .logcontext import PersonKeys, log_context
from .notifications import Notification, action_created, call_event, membership_created, message_created

if TYPE_CHECKING:
    from .conversation import Conversation
    from .membership import MembershipGuard
    from .monitoring import CallMonitor
    from .stores import TokenManager, UserContext

__all__ = ['Task', 'TaskRunner', 'MESSAGE', 'PRESS', 'MEMBERSHIP', 'CALL_EVENT', 'VOICEMAIL']

log = logging.getLogger(__name__)

#: the kinds of task
MESSAGE, PRESS, MEMBERSHIP, CALL_EVENT, VOICEMAIL = 'message', 'press', 'membership', 'call_event', 'voicemail'


@dataclass(frozen=True)
class Task:
    """
    One piece of accepted work.
    """
    #: what to do: one of :data:`MESSAGE`, :data:`PRESS`, :data:`MEMBERSHIP`, :data:`CALL_EVENT`, :data:`VOICEMAIL`
    kind: str
    #: whose it is (a person id, or a space for memberships): one key's tasks run one at a time, in order
    key: str
    #: what identifies the notification, e.g. ``'message:<id>'`` (it is acted on once)
    id: str
    #: the notification's envelope: ``resource``, ``event``, ``data``, ``actorId``
    notification: dict = field(default_factory=dict)
    #: the monitored user a call event or voicemail event is for
    user_id: str = ''
    #: when Webex created what the notification is about (seconds since the epoch): one key's tasks run in this
    #: order
    created: float = 0.0
    #: when the bot accepted the notification (seconds since the epoch)
    accepted: float = 0.0

    @classmethod
    def of(cls, kind: str, key: str, task_id: str, notification: Notification, user_id: str = '',
           created: Optional[datetime.datetime] = None) -> 'Task':
        """
        A task for a notification.

        :param created: when Webex created it (default: now)
        """
        now = datetime.datetime.now(datetime.timezone.utc)
        return cls(kind=kind, key=key, id=task_id, user_id=user_id, created=(created or now).timestamp(),
                   accepted=now.timestamp(),
                   notification={'id': notification.webhook_id, 'resource': notification.resource,
                                 'event': notification.event, 'data': notification.data,
                                 'actorId': notification.actor_id})

    def to_json(self) -> str:
        """The task as JSON."""
        return json.dumps(asdict(self), separators=(',', ':'))

    @classmethod
    def from_json(cls, text: str) -> 'Task':
        """A task from :meth:`to_json`."""
        return cls(**json.loads(text))

    @property
    def person_id(self) -> str:
        """
        The person the task is about: who sent the message or pressed the button, the monitored user, or who
        added the bot to a space.
        """
        if self.kind == MEMBERSHIP:
            return self.notification.get('actorId') or ''
        return self.user_id or self.key

    def envelope(self) -> Notification:
        """The notification, parsed again."""
        raw = self.notification
        return Notification(webhook_id=raw.get('id') or '', resource=raw['resource'], event=raw['event'],
                            data=raw['data'], actor_id=raw.get('actorId'))


class TaskRunner:
    """
    Does tasks.

    :param conversation: serves messages and card presses
    :param memberships: serves the bot's new memberships
    :param monitor: shows call events and new voicemail to monitored users
    :param tokens: the monitored users' tokens
    :param person_keys: the people's pseudonyms in the log
    """

    def __init__(self, *, conversation: 'Conversation', memberships: 'MembershipGuard', monitor: 'CallMonitor',
                 tokens: 'TokenManager', person_keys: PersonKeys):
        self.conversation = conversation
        self.memberships = memberships
        self.monitor = monitor
        self.tokens = tokens
        self.person_keys = person_keys

    def run(self, task: Task) -> None:
        """
        Do a task; what is logged meanwhile names the notification and, by its key, the person (see
        :mod:`wxc_cc.logcontext`).
        """
        person_id, person_key = task.person_id, self.person_keys(task.person_id)
        # a call's or a voicemail's id names the monitored user: the log shows the key instead
        notification_id = task.id.replace(person_id, person_key) if person_id else task.id
        with log_context(notification_id=notification_id, person_key=person_key):
            self._run(task)

    def _run(self, task: Task) -> None:
        """
        Do a task. Webex's failures and an unavailable store are logged: the person was told, or cannot be.
        """
        notification = task.envelope()
        if task.kind == MESSAGE:
            self.conversation.message(message_created(notification))
        elif task.kind == PRESS:
            self.conversation.press(action_created(notification))
        elif task.kind == MEMBERSHIP:
            joined = membership_created(notification)
            self._safely(task, lambda: self.memberships.added(joined.id, joined.room_id, joined.person_id,
                                                              notification.actor_id))
        elif task.kind == CALL_EVENT:
            event = call_event(notification)
            self._for_user(task, lambda user: self.monitor.call_event(user, event, notification.data))
        elif task.kind == VOICEMAIL:
            self._for_user(task, lambda user: self.monitor.voicemail_event(user, notification.data))
        else:
            log.error('task %s of unknown kind %r dropped', task.id, task.kind)

    def unknown_outcome(self, task: Task) -> None:
        """
        A task was taken over after it began to change something at Webex: it is not repeated; the person hears
        that the outcome is unknown, and what can be seen now.
        """
        if task.kind in (MESSAGE, PRESS):
            self.conversation.unknown_outcome(task.key)

    def set_aside(self, task: Task) -> None:
        """A task failed too often and was set aside: the person hears it, once."""
        if task.kind != MEMBERSHIP and task.person_id:
            self.conversation.set_aside(task.person_id)

    @staticmethod
    def _safely(task: Task, work: Callable[[], None]) -> None:
        try:
            work()
        except StoreUnavailable as error:
            log.error('task %s dropped: %s', task.id, error.log_message)
        except (RestError, requests.RequestException) as error:
            log.warning('task %s failed: %s', task.id, webex_reason(error))

    def _for_user(self, task: Task, show: Callable[['UserContext'], None]) -> None:
        """Show an event to a monitored user; users the bot has forgotten are not told."""
        def for_user() -> None:
            user: Optional['UserContext'] = self.tokens.get_user_context(task.user_id)
            if user is None:
                log.info('event for unknown user %s ignored', task.user_id)
                return
            show(user)

        self._safely(task, for_user)
