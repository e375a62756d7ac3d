"""
Doing a task (:mod:`wxc_cc.task`): :class:`TaskRunner` parses its notification again and hands it to the part of
the bot that serves it.
"""
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Optional

import requests
from wxc_sdk.rest import RestError

from .errors import StoreUnavailable, webex_reason
from .logcontext import PersonKeys, log_context
from .notifications import Notification, action_created, call_event, membership_created, message_created
from .task import CALL_EVENT, MEMBERSHIP, MESSAGE, PRESS, VOICEMAIL, Task

if TYPE_CHECKING:
    from .conversation import Conversation
    from .membership import MembershipGuard
    from .monitoring import CallMonitor
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
        notification = Notification.from_envelope(task.notification)
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
