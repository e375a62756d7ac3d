"""
The bot without a web framework: notifications in (raw body and signature), Webex API calls and an
:class:`Outcome` out. :class:`wxc_cc_bot.CallControlBot` is the thin Flask adapter around it.
"""
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Optional

import requests
from wxc_sdk.rest import RestError
from wxc_sdk.telephony.calls import TelephonyEventData

from . import replies
from .commands import Context, Request, Services, all_commands, parse_command
from .config import Settings
from .dispatch import Dispatcher
from .errors import BotError, StoreUnavailable, webex_reason
from .healing import WebhookHealer
from .notifications import BadNotification, MessageCreated, call_event, message_created, parse_notification
from .oauth import OAuthClient, RedirectOutcome, complete_authorization
from .signature import Verdict, verify
from .stores import TokenManager, build_token_manager
from .webex import WebexClients
from .webhooks import BotWebhooks, CallEventWebhooks

__all__ = ['Outcome', 'BotCore']

log = logging.getLogger(__name__)

#: seconds a notification id is remembered to recognise it when delivered again
DEDUP_TTL = 3600

GROUP_POINTER = ('I handle call control only in a 1:1 space, where your calls stay private. '
                 'Send me a direct message, for example /help.')


@dataclass(frozen=True)
class Outcome:
    """
    The HTTP answer to a request.
    """
    status: int
    body: str
    content_type: str = 'text/plain; charset=utf-8'


def _rejected(verdict: Verdict, what: str) -> Optional[Outcome]:
    if verdict is Verdict.MISSING:
        log.warning('%s without signature rejected', what)
        return Outcome(401, 'signature required')
    if verdict is Verdict.FORGED:
        log.warning('%s with invalid signature rejected', what)
        return Outcome(403, 'invalid signature')
    return None


class BotCore:
    """
    The call-control bot.

    :param settings: the settings; ``public_url`` must be known
    :param store: the token store; default: the one the settings select
    :param clients: the Webex clients; default: built from the settings
    :param dispatcher: runs commands after the webhook is answered; default: one with
        ``settings.worker_threads`` threads
    """

    def __init__(self, settings: Settings, *, store: Optional[TokenManager] = None,
                 clients: Optional[WebexClients] = None, dispatcher: Optional[Dispatcher] = None):
        if not settings.public_url:
            raise ValueError('the public URL must be known')
        self.settings = settings
        self.clients = clients or WebexClients(api_base=settings.api_base, bot_token=settings.bot_token)
        self.oauth = OAuthClient(client_id=settings.client_id, client_secret=settings.client_secret,
                                 scopes=settings.client_scopes, redirect_url=settings.redirect_url,
                                 clients=self.clients)
        self.store = store or build_token_manager(settings, refresher=self.oauth.refresh)
        if self.store.refresher is None:
            self.store.refresher = self.oauth.refresh
        self.bot_webhooks = BotWebhooks(bot_name=settings.bot_name, public_url=settings.public_url,
                                        secret=settings.webhook_secret)
        self.call_webhooks = CallEventWebhooks(bot_name=settings.bot_name, public_url=settings.public_url,
                                               master_secret=settings.webhook_secret)
        self.commands = all_commands()
        self.services = Services(settings=settings, store=self.store, clients=self.clients, oauth=self.oauth,
                                 call_webhooks=self.call_webhooks, commands=self.commands)
        self.dispatcher = dispatcher or Dispatcher(workers=settings.worker_threads)
        self.healer = WebhookHealer(store=self.store, bot=self.clients.bot, bot_webhooks=self.bot_webhooks,
                                    call_webhooks=self.call_webhooks, user_api=self.services.user_api,
                                    interval=settings.webhook_check_interval)
        self.bot_id: Optional[str] = None
        self.bot_display_name = ''

    def setup(self) -> None:
        """
        Learn the bot's own identity (once, not per message) and register its webhooks.

        :raises RestError: Webex refused the bot token or the webhooks
        """
        me = self.clients.bot.people.me()
        self.bot_id, self.bot_display_name = me.person_id, me.display_name or ''
        outcomes = self.healer.heal_bot_webhooks()
        self.healer.start()
        log.info('bot %s (%s) ready at %s, webhooks: %s', self.settings.bot_email, self.bot_id,
                 self.settings.public_url, outcomes)

    def shutdown(self, timeout: Optional[float] = None) -> bool:
        """
        Stop taking work and let the commands in flight finish (bounded).

        :param timeout: seconds; default: ``settings.drain_timeout``
        :return: True if all finished
        """
        self.healer.stop()
        return self.dispatcher.drain(self.settings.drain_timeout if timeout is None else timeout)

    def _accept(self, key: str, dedup_key: str, task: Callable[[], None]) -> Outcome:
        """
        Queue a task for after the response, unless the notification was seen before.
        """
        if not self.store.first_time(dedup_key, DEDUP_TTL):
            log.info('duplicate notification %s ignored', dedup_key)
            return Outcome(200, 'duplicate ignored')
        if not self.dispatcher.submit(key, task):
            log.warning('notification %s for %s refused: shutting down or too many waiting', dedup_key, key)
            return Outcome(503, 'busy')
        return Outcome(200, 'accepted')

    # --- sending

    def send(self, markdown: str, *, room_id: Optional[str] = None, to_person_id: Optional[str] = None) -> None:
        """
        Post a message, split into parts when it is too long for one.

        :raises RestError: Webex refused it
        """
        for part in replies.split_message(markdown):
            self.clients.bot.messages.create(room_id=room_id, to_person_id=to_person_id, markdown=part)

    def notify(self, person_id: str, markdown: str) -> None:
        """
        Send a 1:1 message to a person; a failure is logged, never raised.
        """
        try:
            self.send(markdown, to_person_id=person_id)
        except (RestError, requests.RequestException) as error:
            log.warning('message to %s failed: %s', person_id, webex_reason(error))

    # --- notifications for the bot: chat messages

    def handle_bot_notification(self, body: bytes, signature: Optional[str]) -> Outcome:
        """
        A notification posted to ``/`` by one of the bot's webhooks.

        :param body: the raw request body
        :param signature: the ``X-Spark-Signature`` header
        """
        if rejected := _rejected(verify(self.settings.webhook_secret, body, signature), 'notification'):
            return rejected
        try:
            notification = parse_notification(body)
            if (notification.resource, notification.event) != ('messages', 'created'):
                log.info('ignored %s/%s notification', notification.resource, notification.event)
                return Outcome(200, 'ignored')
            message = message_created(notification)
        except BadNotification as error:
            log.warning('malformed notification: %s', error)
            return Outcome(400, f'malformed notification: {error}')
        if message.person_id == self.bot_id:
            return Outcome(200, 'own message ignored')
        return self._accept(message.person_id, f'message:{message.message_id}',
                            lambda: self.process_message(message))

    def process_message(self, message: MessageCreated) -> None:
        """
        Serve a chat message: read it, run the command, reply.
        """
        try:
            if message.room_type != 'direct':
                self.send(GROUP_POINTER, room_id=message.room_id)
                return
            text = self.clients.bot.messages.details(message.message_id).text or ''
            command, argument = parse_command(text, self.bot_display_name)
            request = Request(command=command, argument=argument, person_id=message.person_id,
                              person_email=message.person_email, room_id=message.room_id)
            self.send(self.execute(request), room_id=message.room_id)
        except (RestError, requests.RequestException) as error:
            log.error('message %s from %s not served: %s', message.message_id, message.person_id,
                      webex_reason(error))

    def execute(self, request: Request) -> str:
        """
        Run a command and return the reply. Anything the bot does not understand gets the help text.
        """
        command = self.commands.get(request.command) or self.commands['/help']
        log.info('%s from %s in %s', command.name, request.person_id, request.room_id)
        context = Context(request=request, services=self.services)
        try:
            if command.needs_user:
                context.user = self.store.get_user_context_and_refresh(request.person_id)
                if context.user is None:
                    return replies.not_authenticated(request.person_email)
            return command.run(context)
        except BotError as error:
            log.info('%s from %s: %s', command.name, request.person_id, error.log_message)
            return error.user_message
        except Exception:
            log.exception('%s from %s failed', command.name, request.person_id)
            return f'Sorry, {command.name} failed unexpectedly. Please try again.'

    # --- notifications of call events

    def handle_call_event(self, user_id: str, body: bytes, signature: Optional[str]) -> Outcome:
        """
        A ``telephony_calls`` notification for a monitored user, posted to ``/callevent/<user_id>``.
        """
        if rejected := _rejected(verify(self.call_webhooks.secret(user_id), body, signature), 'call event'):
            return rejected
        try:
            event = call_event(parse_notification(body))
        except BadNotification as error:
            log.warning('malformed call event for %s: %s', user_id, error)
            return Outcome(400, f'malformed call event: {error}')
        key = f'call:{user_id}:{event.call_id}:{event.event_type}:{event.event_timestamp.isoformat()}'
        return self._accept(user_id, key, lambda: self.process_call_event(user_id, event))

    def process_call_event(self, user_id: str, event: TelephonyEventData) -> None:
        """
        Tell a monitored user about a call event. Users the bot has forgotten are not told.
        """
        try:
            if self.store.get_user_context(user_id) is None:
                log.info('call event for unknown user %s ignored', user_id)
                return
        except StoreUnavailable as error:
            log.error('call event for %s dropped: %s', user_id, error.log_message)
            return
        log.info('call event %s for %s', event.event_type, user_id)
        self.notify(user_id, replies.call_event(event, event.event_type, event.event_timestamp))

    # --- OAuth

    def handle_redirect(self, *, code: Optional[str], state: Optional[str], error: Optional[str]) -> Outcome:
        """
        The end of an OAuth flow: ``GET /redirect``.
        """
        try:
            outcome = complete_authorization(code=code, state=state, error=error, store=self.store,
                                             oauth=self.oauth, clients=self.clients, notify=self.notify)
        except StoreUnavailable as failure:
            log.error('redirect: %s', failure.log_message)
            outcome = RedirectOutcome(503, 'Try again shortly', failure.user_message)
        return Outcome(outcome.status, outcome.html(), 'text/html; charset=utf-8')

    # --- health

    def health(self) -> Outcome:
        """
        200 when the bot can serve, 503 with the reason when it cannot.
        """
        try:
            self.store.check()
        except StoreUnavailable as error:
            return Outcome(503, json.dumps({'status': 'unavailable', 'reason': error.log_message}),
                           'application/json')
        return Outcome(200, json.dumps({'status': 'ok', 'store': self.store.kind}), 'application/json')
