"""
The chat side of the bot: a message becomes a command and a reply; a button press becomes an action. Runs after
the webhook is answered (see :mod:`wxc_cc.runner`).

Who sent a message or pressed a button, where and when are what Webex says when asked (``GET /messages/{id}``,
``GET /attachment/actions/{id}``); then both go through the same checks (:mod:`wxc_cc.checks`): the notification
agrees with Webex, the sender is allowed, the command is not too old, the person is within the rate limit, the space
is a 1:1 space.
"""
import logging
from collections.abc import Callable
from typing import Optional, Union

import requests
from wxc_sdk.attachment_actions import AttachmentActionData
from wxc_sdk.rest import RestError

from .checks import Check, Incoming, first_stop
from .commands import Command, Context, Need, Request, Services, parse_command
from .commands.account import help_reply
from .errors import BotError, webex_reason
from .journal import replied
from .logcontext import log_context
from .messenger import Messenger
from .metrics import NOT_READ, PRESS, UNKNOWN, Metrics
from .presses import Presses
from .notifications import MessageCreated
from .replies import Reply

__all__ = ['Conversation', 'Route']

log = logging.getLogger(__name__)

#: runs a request (the command it names) and returns the reply
Route = Callable[[Request], Union[str, Reply]]


class Conversation:
    """
    Serves chat messages and card presses.

    :param services: what commands use (the registry, the catalogue, the stores, ...)
    :param checks: what a message or press goes through before it is acted on, in order
        (:func:`wxc_cc.checks.checks`)
    :param presses: serves button presses
    :param messenger: posts the replies
    :param metrics: counts commands by outcome (default: off)
    :param route: how a request reaches its command; default :meth:`execute`. The Flask adapter routes through
        the callbacks it registered with :meth:`webexteamsbot.TeamsBot.add_command`, which end in :meth:`run`.
    """

    def __init__(self, *, services: Services, checks: tuple[Check, ...], presses: Presses,
                 messenger: Messenger, metrics: Optional[Metrics] = None, route: Optional[Route] = None):
        self.services = services
        self.bot = services.clients.bot
        self.identity = services.identity
        self.checks = checks
        self.presses = presses
        self.messenger = messenger
        self.metrics = metrics or Metrics()
        self.route = route or self.execute

    # --- messages

    def message(self, notification: MessageCreated) -> None:
        """
        Serve a chat message: read it from Webex, check who sent it and when, run the command, reply.
        """
        try:
            message = self.bot.messages.details(notification.message_id)
            if stop := first_stop(self.checks, Incoming.of_message(notification, message, self.identity.person_id)):
                self.metrics.command(NOT_READ, stop.outcome)
                return
            person_id, email, room_id = message.person_id, message.person_email, message.room_id
            mention = self.identity.display_name
            command, argument = parse_command(message.text or '', mention)
            markdown = parse_command(message.markdown, mention)[1] if message.markdown else None
            request = Request(command=command, argument=argument, person_id=person_id, person_email=email,
                              room_id=room_id, markdown=markdown, files=tuple(message.files or ()))
            self.messenger.send(self.route(request), room_id=room_id)
            replied()
        except BotError as error:
            log.warning('message %s: %s', notification.message_id, error.log_message)
            self.messenger.tell(error.message(self.services.catalogue), room_id=notification.room_id)
        except (RestError, requests.RequestException) as error:
            log.error('message %s not served: %s', notification.message_id, webex_reason(error))

    # --- commands

    def execute(self, request: Request) -> Union[str, Reply]:
        """
        Run the command a request names; anything the bot does not understand gets the help.
        """
        command = self.services.commands.get(request.command)
        if command is None:
            return self.unknown(request)
        return self.run(command, request)

    def unknown(self, request: Request) -> Reply:
        """The answer to a command the bot does not know: the help."""
        log.info('help for %r from %s', request.command[:20], request.person_id)
        self.metrics.command(UNKNOWN, 'ok')
        return help_reply(self.services)

    def run(self, command: Command, request: Request) -> Union[str, Reply]:
        """
        Run a command: what it needs first (the person's tokens, and their time zone read again when the reading
        is a day old; an API this deployment offers), then its handler.
        A failure becomes what to tell the person. What is logged meanwhile names the command.
        """
        with log_context(command=command.name):
            outcome, reply = self._run(command, request)
        self.metrics.command(command.name, outcome)
        return reply

    def _run(self, command: Command, request: Request) -> tuple[str, Union[str, Reply]]:
        """The outcome (see :data:`~wxc_cc.metrics.COMMAND_OUTCOMES`) and the reply."""
        services, t = self.services, self.services.catalogue.t
        log.info('%s from %s in %s', command.name, request.person_id, request.room_id)
        if reason := command.unavailable(services):
            return 'unavailable', t(reason, command=command.name)
        try:
            user = None
            if Need.USER in command.needs:
                user = services.stores.tokens.get_user_context_and_refresh(request.person_id)
                if user is None:
                    return 'not_authenticated', services.replies.not_authenticated(request.person_email)
                if Need.OWN_ZONE_READ not in command.needs:
                    user = services.zones.fresh(user, services.user_api)
            return 'ok', command.handler(Context(request=request, command=command, services=services, user=user))
        except BotError as error:
            log.info('%s from %s: %s', command.name, request.person_id, error.log_message)
            return 'failed', error.message(services.catalogue)
        except Exception:
            log.exception('%s from %s failed', command.name, request.person_id)
            return 'error', t('unexpected', command=command.name)

    # --- tasks that could not be carried out as usual

    def unknown_outcome(self, person_id: str) -> None:
        """
        Tell a person that their command was interrupted while acting, so its outcome is unknown, and show their
        calls as Webex has them now.
        """
        t = self.services.catalogue.t
        request = Request(command='/calls', argument='', person_id=person_id, person_email=None, room_id='')
        shown = self.run(self.services.commands.get('/calls'), request)
        self.messenger.tell(t('task.outcome_unknown') + '\n\n' + shown, to_person_id=person_id)
        replied()

    def set_aside(self, person_id: str) -> None:
        """Tell a person that their command failed too often and was set aside."""
        self.messenger.tell(self.services.catalogue.t('task.set_aside'), to_person_id=person_id)

    # --- card presses

    def press(self, notification: AttachmentActionData) -> None:
        """
        Serve a button press: read the submission from Webex, check who pressed and when, count it against the
        person's rate limit (with their messages), act, and say something only when there is something to say.
        """
        action_id = notification.id
        try:
            action = self.bot.attachment_actions.details(action_id)
            if stop := first_stop(self.checks, Incoming.of_press(notification, action)):
                self.metrics.command(PRESS, stop.outcome)
                return
            self.metrics.command(PRESS, 'ok')
            reply = self.presses.press(action)
            if reply:
                self.messenger.send(reply, room_id=action.room_id)
                replied()
        except BotError as error:
            log.warning('press %s: %s', action_id, error.log_message)
            self.messenger.tell(error.message(self.services.catalogue), room_id=notification.room_id)
        except (RestError, requests.RequestException) as error:
            log.error('press %s not served: %s', action_id, webex_reason(error))
