"""
The chat side of the bot: a message becomes a command and a reply; a button press becomes an action.
Runs after the webhook is answered (see :mod:`wxc_cc.dispatch`).
"""
import logging
from collections.abc import Callable
from typing import Optional, Union

import requests
from wxc_sdk.rest import RestError

from . import replies
from .cardactions import CardActions
from .commands import Context, Request, Services, parse_command
from .commands.help import help_reply
from .errors import BotError, webex_reason
from .gate import Gate
from .locales import t
from .notifications import MessageCreated
from .webex import BotApi

__all__ = ['Conversation']

log = logging.getLogger(__name__)


Send = Callable[..., Optional[str]]


class Conversation:
    """
    Serves chat messages and card presses.

    :param services: what commands use
    :param bot: the bot's API clients
    :param send: posts a reply (``BotCore.send``)
    :param card_actions: serves button presses
    :param mention: the bot's display name, removed from the start of messages
    :param gate: who may talk to the bot, how often
    """

    def __init__(self, *, services: Services, bot: BotApi, send: Send, card_actions: CardActions,
                 mention: Callable[[], str], gate: Gate):
        self.services = services
        self.bot = bot
        self.send = send
        self.card_actions = card_actions
        self.mention = mention
        self.gate = gate

    def message(self, message: MessageCreated) -> None:
        """
        Serve a chat message: read it, run the command, reply.
        """
        try:
            if not self.gate.admit(message.person_id, message.person_email, message.room_id, 'message'):
                return
            if not self.gate.within_rate(message.person_id, message.person_email, message.room_id):
                return
            if message.room_type != 'direct':
                self.send(t('group_pointer'), room_id=message.room_id)
                return
            details = self.bot.messages.details(message.message_id)
            command, argument = parse_command(details.text or '', self.mention())
            markdown = parse_command(details.markdown, self.mention())[1] if details.markdown else None
            request = Request(command=command, argument=argument, person_id=message.person_id,
                              person_email=message.person_email, room_id=message.room_id, markdown=markdown,
                              files=tuple(details.files or ()))
            self.send(self.execute(request), room_id=message.room_id)
        except BotError as error:
            log.warning('message %s from %s: %s', message.message_id, message.person_id, error.log_message)
            self._tell(error.user_message, message.room_id)
        except (RestError, requests.RequestException) as error:
            log.error('message %s from %s not served: %s', message.message_id, message.person_id,
                      webex_reason(error))

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

    def press(self, action_id: str, room_id: str, person_id: str) -> None:
        """
        Serve a button press: read the submitted inputs, act, and say something only when there is something
        to say.
        """
        try:
            if not self.gate.admit(person_id, None, room_id, 'card press'):
                return
            reply = self.card_actions.press(self.bot.attachment_actions.details(action_id))
            if reply:
                self.send(reply, room_id=room_id)
        except BotError as error:
            log.warning('press %s by %s: %s', action_id, person_id, error.log_message)
            self._tell(error.user_message, room_id)
        except (RestError, requests.RequestException) as error:
            log.error('press %s by %s not served: %s', action_id, person_id, webex_reason(error))

    def _tell(self, markdown: str, room_id: str) -> None:
        try:
            self.send(markdown, room_id=room_id)
        except (RestError, requests.RequestException) as error:
            log.error('reply to %s failed: %s', room_id, webex_reason(error))
