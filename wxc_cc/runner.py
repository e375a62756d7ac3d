"""
Doing a task (:mod:`wxc_cc.task`): :class:`TaskRunner` finds its kind in the table of event kinds
(:data:`wxc_cc.events.KINDS`), which reads the notification the task keeps (or, for a setting's end, the task itself)
and names the runner's method that hands it to the part of the bot that serves it.
"""
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Optional

import requests
from wxc_sdk.attachment_actions import AttachmentActionData
from wxc_sdk.memberships import MembershipsData
from wxc_sdk.rest import RestError
from wxc_sdk.telephony.calls import TelephonyEventData

from .ends import End
from .errors import StoreUnavailable, webex_reason
from .logcontext import PersonKeys, log_context
from .events import KINDS, by_name
from .notifications import MessageCreated, Notification
from .task import END, MEMBERSHIP, MESSAGE, PRESS, Task, UnreadableTask

if TYPE_CHECKING:
    from .conversation import Conversation
    from .membership import MembershipGuard
    from .monitoring import CallMonitor
    from .restorer import Restorer
    from .stores import TokenManager, UserContext

__all__ = ['TaskRunner']

log = logging.getLogger(__name__)


class TaskRunner:
    """
    Does tasks.

    :param conversation: serves messages and card presses
    :param memberships: serves the bot's new memberships
    :param monitor: shows call events and new voicemail to monitored users
    :param tokens: the monitored users' tokens
    :param person_keys: the people's pseudonyms in the log
    :param restorer: puts settings back when their time is up
    """

    def __init__(self, *, conversation: 'Conversation', memberships: 'MembershipGuard', monitor: 'CallMonitor',
                 tokens: 'TokenManager', person_keys: PersonKeys, restorer: 'Restorer'):
        if missing := [kind.does for kind in KINDS if not callable(getattr(self, kind.does, None))]:
            raise TypeError(f'no method of the task runner does {", ".join(missing)}')
        self.conversation = conversation
        self.memberships = memberships
        self.monitor = monitor
        self.tokens = tokens
        self.person_keys = person_keys
        self.restorer = restorer

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
        Do a task: its kind (:data:`wxc_cc.events.KINDS`) reads the notification it keeps (or the task itself) and
        names the method that does it. Webex's failures and an unavailable store are logged: the person was told, or
        cannot be.
        """
        kind = by_name(task.kind)
        if kind is None:
            raise UnreadableTask(f'kind {task.kind!r} unknown to this version')
        source = kind.source(task)
        getattr(self, kind.does)(kind.read(source), source, task)

    def repeatable(self, task: Task) -> bool:
        """Whether a task taken over while it was acting is run again (its kind says so), not told as unknown."""
        kind = by_name(task.kind)
        return kind is not None and kind.repeatable

    # --- what each kind of task does

    def message(self, message: MessageCreated, notification: Notification, task: Task) -> None:
        """A chat message: the command it holds, and the reply."""
        self.conversation.message(message)

    def press(self, action: AttachmentActionData, notification: Notification, task: Task) -> None:
        """A button pressed on one of the bot's cards."""
        self.conversation.press(action)

    def membership(self, joined: MembershipsData, notification: Notification, task: Task) -> None:
        """The bot was added to a space."""
        self._safely(task, lambda: self.memberships.added(joined.id, joined.room_id, joined.person_id,
                                                          notification.actor_id))

    def call_event(self, event: TelephonyEventData, notification: Notification, task: Task) -> None:
        """A monitored user's call changed."""
        self._for_user(task, lambda user: self.monitor.call_event(user, event, notification.data))

    def voicemail(self, data: dict, notification: Notification, task: Task) -> None:
        """A monitored user's voicemail changed."""
        self._for_user(task, lambda user: self.monitor.voicemail_event(user, data))

    def end(self, end: End, source: Task, task: Task) -> None:
        """
        A setting's time is up: it goes back to what it was. An unavailable store is not caught: the task is tried
        again, and set aside after that (:meth:`set_aside`).
        """
        self.restorer.restore(end)

    def unknown_outcome(self, task: Task) -> None:
        """
        A task was taken over after it began to change something at Webex: it is not repeated; the person hears
        that the outcome is unknown, and what can be seen now.
        """
        if task.kind in (MESSAGE, PRESS):
            self.conversation.unknown_outcome(task.key)

    def set_aside(self, task: Task) -> None:
        """A task failed too often and was set aside: the person hears it, once (of an end: which setting)."""
        if task.kind == END:
            self.restorer.gave_up(End.of(task))
        elif task.kind != MEMBERSHIP and task.person_id:
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
