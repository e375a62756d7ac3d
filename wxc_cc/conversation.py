"""
The chat side of the bot: a message becomes a command and a reply; a button press becomes an action.
Runs after the webhook is answered (see :mod:`wxc_cc.dispatch`).
"""
import datetime
import logging
from collections.abc import Callable
from typing import Optional, Union

import requests
from wxc_sdk.attachment_actions import AttachmentAction
from wxc_sdk.base import enum_str
from wxc_sdk.messages import Message
from wxc_sdk.rest import RestError

from . import replies
from .cardactions import CardActions
from .commands import Context, Request, Services, parse_command
from .commands.help import help_reply
from .errors import BotError, webex_reason
from .gate import Gate
from .locales import t
from .notifications import ActionCreated, MessageCreated
from .webex import BotApi

__all__ = ['Conversation']

log = logging.getLogger(__name__)


Send = Callable[..., Optional[str]]


def _message_disagrees(notification: MessageCreated, message: Message, bot_id: Callable[[], Optional[str]]
                       ) -> Optional[str]:
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
    if actual['roomType'] != 'direct' and bot_id() not in (message.mentioned_people or ()):
        wrong.append('mentionedPeople')
    return ', '.join(wrong) or None


def _action_disagrees(notification: ActionCreated, action: AttachmentAction) -> Optional[str]:
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

    :param services: what commands use
    :param bot: the bot's API clients
    :param send: posts a reply (``BotCore.send``)
    :param card_actions: serves button presses
    :param mention: the bot's display name, removed from the start of messages
    :param gate: who may talk to the bot, how often
    :param bot_id: the bot's person id (messages in group spaces must mention it)
    :param max_age: seconds after which a command is too old to act on
    """

    def __init__(self, *, services: Services, bot: BotApi, send: Send, card_actions: CardActions,
                 mention: Callable[[], str], gate: Gate, bot_id: Callable[[], Optional[str]], max_age: float):
        self.bot_id = bot_id
        self.max_age = max_age
        self.services = services
        self.bot = bot
        self.send = send
        self.card_actions = card_actions
        self.mention = mention
        self.gate = gate

    def message(self, notification: MessageCreated) -> None:
        """
        Serve a chat message: read it from Webex, check who sent it and when, run the command, reply.

        Who sent it, where, and when are what ``GET /messages/{id}`` says; a notification that claims otherwise is
        logged and not acted on.
        """
        try:
            message = self.bot.messages.details(notification.message_id)
            if disagreement := _message_disagrees(notification, message, self.bot_id):
                log.warning('notification of message %s disagrees with Webex on %s: not acted on',
                            notification.message_id, disagreement)
                return
            person_id, email, room_id = message.person_id, message.person_email, message.room_id
            if not self.gate.admit(person_id, email, room_id, 'message'):
                return
            if self._too_old(message.created, 'message', message.id, person_id, room_id):
                return
            if not self.gate.within_rate(person_id, email, room_id):
                return
            if enum_str(message.room_type) != 'direct':
                self.send(t('group_pointer'), room_id=room_id)
                return
            command, argument = parse_command(message.text or '', self.mention())
            markdown = parse_command(message.markdown, self.mention())[1] if message.markdown else None
            request = Request(command=command, argument=argument, person_id=person_id, person_email=email,
                              room_id=room_id, markdown=markdown, files=tuple(message.files or ()))
            self.send(self.execute(request), room_id=room_id)
        except BotError as error:
            log.warning('message %s: %s', notification.message_id, error.log_message)
            self._tell(error.user_message, notification.room_id)
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
            self.send(t('too_old'), room_id=room_id)
            return True
        return False

    def execute(self, request: Request) -> Union[str, replies.Reply]:
        """
        Run a command and return the reply. Anything the bot does not understand gets the help.
        """
        command = self.services.commands.get(request.command)
        if command is None:
            log.info('help for %r from %s', request.command[:20], request.person_id)
            return help_reply(self.services)
        log.info('%s from %s in %s', command.name, request.person_id, request.room_id)
        if command.call_control and self.services.settings.government:
            return t('policy.government', command=command.name)
        context = Context(request=request, services=self.services)
        try:
            if command.needs_user:
                context.user = self.services.store.get_user_context_and_refresh(request.person_id)
                if context.user is None:
                    return replies.not_authenticated(request.person_email)
            return command.run(context)
        except BotError as error:
            log.info('%s from %s: %s', command.name, request.person_id, error.log_message)
            return error.user_message
        except Exception:
            log.exception('%s from %s failed', command.name, request.person_id)
            # TRANSLATORS: {command} is the command as typed, e.g. /dial
            return t('unexpected', command=command.name)

    def press(self, notification: ActionCreated) -> None:
        """
        Serve a button press: read the submission from Webex, check who pressed and when, act, and say something
        only when there is something to say.
        """
        action_id = notification.action_id
        try:
            action = self.bot.attachment_actions.details(action_id)
            if disagreement := _action_disagrees(notification, action):
                log.warning('notification of card press %s disagrees with Webex on %s: not acted on', action_id,
                            disagreement)
                return
            if not self.gate.admit(action.person_id, None, action.room_id, 'card press'):
                return
            if self._too_old(action.created, 'card press', action_id, action.person_id, action.room_id):
                return
            reply = self.card_actions.press(action)
            if reply:
                self.send(reply, room_id=action.room_id)
        except BotError as error:
            log.warning('press %s: %s', action_id, error.log_message)
            self._tell(error.user_message, notification.room_id)
        except (RestError, requests.RequestException) as error:
            log.error('press %s not served: %s', action_id, webex_reason(error))

    def _tell(self, markdown: str, room_id: str) -> None:
        try:
            self.send(markdown, room_id=room_id)
        except (RestError, requests.RequestException) as error:
            log.error('reply to %s failed: %s', room_id, webex_reason(error))
