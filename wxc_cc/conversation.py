"""
The chat side of the bot: a message becomes a command and a reply; a button press becomes an action. Runs after
the webhook is answered (see :mod:`wxc_cc.runner`).

Who sent a message or pressed a button, where and when are what Webex says when asked (``GET /messages/{id}``,
``GET /attachment/actions/{id}``); a notification that claims otherwise is logged and not acted on, and a command
older than ``WXC_CC_MAX_COMMAND_AGE`` is not acted on either.
"""
import datetime
import logging
from collections.abc import Callable
from typing import Optional, Union

import requests
from wxc_sdk.attachment_actions import AttachmentAction, AttachmentActionData
from wxc_sdk.base import enum_str
from wxc_sdk.messages import Message
from wxc_sdk.rest import RestError

from .cardactions import CardActions
from .commands import Command, Context, Need, Request, Services, parse_command
from .commands.account import help_reply
from .errors import BotError, webex_reason
from .gate import Gate
from .journal import replied
from .logcontext import log_context
from .messenger import Messenger
from .metrics import NOT_READ, PRESS, UNKNOWN, Metrics
from .notifications import MessageCreated
from .replies import Reply

__all__ = ['Conversation', 'Route']

log = logging.getLogger(__name__)

#: runs a request (the command it names) and returns the reply
Route = Callable[[Request], Union[str, Reply]]


def _message_disagrees(notification: MessageCreated, message: Message, bot_id: str) -> Optional[str]:
    """
    The fields in which a ``messages`` notification disagrees with the message Webex returned, or ``None``; in a
    group space the message must mention the bot.
    """
    claimed = {'personId': notification.person_id, 'roomId': notification.room_id,
               'roomType': notification.room_type}
    actual = {'personId': message.person_id, 'roomId': message.room_id, 'roomType': enum_str(message.room_type)}
    if notification.person_email is not None:
        claimed['personEmail'], actual['personEmail'] = notification.person_email, message.person_email
    wrong = [name for name in claimed if claimed[name] != actual[name]]
    if actual['roomType'] != 'direct' and bot_id not in (message.mentioned_people or ()):
        wrong.append('mentionedPeople')
    return ', '.join(wrong) or None


def _action_disagrees(notification: AttachmentActionData, action: AttachmentAction) -> Optional[str]:
    """
    The fields in which an ``attachmentActions`` notification disagrees with the submission Webex returned.
    """
    claimed = {'personId': notification.person_id, 'roomId': notification.room_id,
               'messageId': notification.message_id}
    actual = {'personId': action.person_id, 'roomId': action.room_id, 'messageId': action.message_id}
    return ', '.join(name for name in claimed if claimed[name] != actual[name]) or None


class Conversation:
    """
    Serves chat messages and card presses.

    :param services: what commands use (the registry, the catalogue, the stores, ...)
    :param gate: who may talk to the bot, how often
    :param card_actions: serves button presses
    :param messenger: posts the replies
    :param max_age: seconds after which a command is too old to act on (``WXC_CC_MAX_COMMAND_AGE``)
    :param metrics: counts commands by outcome (default: off)
    :param route: how a request reaches its command; default :meth:`execute`. The Flask adapter routes through
        the callbacks it registered with :meth:`webexteamsbot.TeamsBot.add_command`, which end in :meth:`run`.
    """

    def __init__(self, *, services: Services, gate: Gate, card_actions: CardActions, messenger: Messenger,
                 max_age: float, metrics: Optional[Metrics] = None, route: Optional[Route] = None):
        self.services = services
        self.bot = services.clients.bot
        self.identity = services.identity
        self.gate = gate
        self.card_actions = card_actions
        self.messenger = messenger
        self.max_age = max_age
        self.metrics = metrics or Metrics()
        self.route = route or self.execute

    # --- messages

    def message(self, notification: MessageCreated) -> None:
        """
        Serve a chat message: read it from Webex, check who sent it and when, run the command, reply.
        """
        try:
            message = self.bot.messages.details(notification.message_id)
            if disagreement := _message_disagrees(notification, message, self.identity.person_id):
                log.warning('notification of message %s disagrees with Webex on %s: not acted on',
                            notification.message_id, disagreement)
                self.metrics.command(NOT_READ, 'ignored')
                return
            person_id, email, room_id = message.person_id, message.person_email, message.room_id
            if not self.gate.admit(person_id, email, room_id, 'message'):
                self.metrics.command(NOT_READ, 'refused')
                return
            if self._too_old(message.created, 'message', message.id, person_id, room_id):
                self.metrics.command(NOT_READ, 'too_old')
                return
            if not self.gate.within_rate(person_id, email, room_id, 'message'):
                self.metrics.command(NOT_READ, 'rate_limited')
                return
            if enum_str(message.room_type) != 'direct':
                self.messenger.send(self.services.catalogue.t('group_pointer'), room_id=room_id)
                self.metrics.command(NOT_READ, 'ignored')
                return
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

    def _too_old(self, created: Optional[datetime.datetime], what: str, item_id: str, person_id: str,
                 room_id: str) -> bool:
        """
        True (and the person told to send it again) when a command is older than ``WXC_CC_MAX_COMMAND_AGE``,
        by Webex's clock: a notification replayed later never repeats an action.
        """
        age = (datetime.datetime.now(datetime.timezone.utc) - created).total_seconds() if created else None
        if age is None or age > self.max_age:
            log.warning('%s %s from %s is %s s old: not acted on', what, item_id, person_id,
                        'an unknown number of' if age is None else f'{age:.0f}')
            self.messenger.send(self.services.catalogue.t('too_old'), room_id=room_id)
            return True
        return False

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
                    return 'not_authenticated', services.say.not_authenticated(request.person_email)
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
            if disagreement := _action_disagrees(notification, action):
                log.warning('notification of card press %s disagrees with Webex on %s: not acted on', action_id,
                            disagreement)
                self.metrics.command(PRESS, 'ignored')
                return
            if not self.gate.admit(action.person_id, None, action.room_id, 'card press'):
                self.metrics.command(PRESS, 'refused')
                return
            if self._too_old(action.created, 'card press', action_id, action.person_id, action.room_id):
                self.metrics.command(PRESS, 'too_old')
                return
            if not self.gate.within_rate(action.person_id, None, action.room_id, 'card press'):
                self.metrics.command(PRESS, 'rate_limited')
                return
            self.metrics.command(PRESS, 'ok')
            reply = self.card_actions.press(action)
            if reply:
                self.messenger.send(reply, room_id=action.room_id)
                replied()
        except BotError as error:
            log.warning('press %s: %s', action_id, error.log_message)
            self.messenger.tell(error.message(self.services.catalogue), room_id=notification.room_id)
        except (RestError, requests.RequestException) as error:
            log.error('press %s not served: %s', action_id, webex_reason(error))
