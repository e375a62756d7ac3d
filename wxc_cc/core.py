"""
The bot without a web framework: notifications in (raw body and signature), Webex API calls and an
:class:`Outcome` out. :class:`wxc_cc_bot.CallControlBot` is the thin Flask adapter around it.
"""
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Optional, Union

import requests
from wxc_sdk.rest import RestError

from . import cards, replies
from .broadcast import Broadcaster
from .cardactions import CardActions
from .commands import Request, Services, all_commands
from .conversation import Conversation
from .config import Settings
from .dispatch import Dispatcher
from .errors import StoreUnavailable, webex_reason
from .healing import WebhookHealer
from .monitoring import CallMonitor
from .membership import MembershipGuard
from .notifications import (BadNotification, action_created, call_event, membership_created, message_created,
                            parse_notification)
from .gate import Gate
from .locales import set_locale, t
from .oauth import OAuthClient, RedirectOutcome, complete_authorization
from .policy import Policy, load_policy
from .replies import Reply
from .signature import Verdict, verify
from .stores import TokenManager, UserContext, build_token_manager
from .webex import WebexClients
from .webhooks import BotWebhooks, CallEventWebhooks

__all__ = ['Outcome', 'BotCore']

log = logging.getLogger(__name__)

#: seconds a notification id is remembered to recognise it when delivered again
DEDUP_TTL = 3600



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
    :param policy: who may do what; default: read from ``settings.config_file``
    :raises ConfigError: the policy file is invalid
    """

    def __init__(self, settings: Settings, *, store: Optional[TokenManager] = None,
                 clients: Optional[WebexClients] = None, dispatcher: Optional[Dispatcher] = None,
                 policy: Optional[Policy] = None):
        if not settings.public_url:
            raise ValueError('the public URL must be known')
        self.settings = settings
        set_locale(settings.locale)
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
        self.policy = policy or load_policy(settings.config_file)
        self.services = Services(settings=settings, store=self.store, clients=self.clients, oauth=self.oauth,
                                 call_webhooks=self.call_webhooks, policy=self.policy, commands=self.commands)
        self.dispatcher = dispatcher or Dispatcher(workers=settings.worker_threads)
        self.healer = WebhookHealer(store=self.store, bot=self.clients.bot, bot_webhooks=self.bot_webhooks,
                                    call_webhooks=self.call_webhooks, user_api=self.services.user_api,
                                    interval=settings.webhook_check_interval)
        self.monitor = CallMonitor(store=self.store, bot=self.clients.bot, send=self.send,
                                   user_api=self.services.user_api)
        self.gate = Gate(policy=self.policy, store=self.store, bot=self.clients.bot,
                         bot_org_id=lambda: self.bot_org_id, send=self.send)
        self.conversation = Conversation(
            services=self.services, bot=self.clients.bot, send=self.send,
            card_actions=CardActions(store=self.store, monitor=self.monitor, user_api=self.services.user_api),
            mention=lambda: self.bot_display_name, gate=self.gate, bot_id=lambda: self.bot_id,
            max_age=settings.max_command_age)
        self.services.broadcaster = Broadcaster(policy=self.policy, store=self.store, clients=self.clients,
                                                bot_id=lambda: self.bot_id, bot_org_id=lambda: self.bot_org_id,
                                                org_of=self.gate.org_of, send=self.send)
        self.memberships = MembershipGuard(policy=self.policy, store=self.store, bot=self.clients.bot,
                                           bot_id=lambda: self.bot_id, bot_org_id=lambda: self.bot_org_id,
                                           send=self.send)
        self.bot_id: Optional[str] = None
        self.bot_org_id: Optional[str] = None
        self.bot_display_name = ''

    def setup(self) -> None:
        """
        Learn the bot's own identity (once, not per message) and register its webhooks.

        :raises RestError: Webex refused the bot token or the webhooks
        """
        me = self.clients.bot.people.me()
        self.bot_id, self.bot_org_id, self.bot_display_name = me.person_id, me.org_id, me.display_name or ''
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
            # not taken: Webex delivers it again, and then it must count as new
            self.store.forget(dedup_key)
            log.warning('notification %s for %s refused: shutting down or too many waiting', dedup_key, key)
            return Outcome(503, 'busy')
        return Outcome(200, 'accepted')

    # --- sending

    def send(self, reply: Union[str, Reply], *, room_id: Optional[str] = None,
             to_person_id: Optional[str] = None) -> Optional[str]:
        """
        Post a reply: markdown split into parts when it is too long for one message; a card goes with the last
        part (the markdown is what clients that do not show cards display).

        :return: id of the (last) message posted
        :raises RestError: Webex refused it
        """
        messages = self.clients.bot.messages
        card = reply.card if isinstance(reply, Reply) else None
        parts = replies.split_message(reply.markdown if isinstance(reply, Reply) else reply)
        for part in parts[:-1]:
            messages.create(room_id=room_id, to_person_id=to_person_id, markdown=part)
        attachments = [cards.attachment(card)] if card else None
        return messages.create(room_id=room_id, to_person_id=to_person_id, markdown=parts[-1],
                               attachments=attachments).id

    def notify(self, person_id: str, markdown: str) -> None:
        """
        Send a 1:1 message to a person; a failure is logged, never raised.
        """
        try:
            self.send(markdown, to_person_id=person_id)
        except (RestError, requests.RequestException) as error:
            log.warning('message to %s failed: %s', person_id, webex_reason(error))

    # --- notifications for the bot: chat messages and card presses

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
            kind = (notification.resource, notification.event)
            if kind == ('messages', 'created'):
                message = message_created(notification)
                if message.person_id == self.bot_id:
                    return Outcome(200, 'own message ignored')
                if message.room_type != 'direct' and self.bot_id not in message.mentioned_people:
                    # Webex sends bots only the group messages that mention them; anything else is not for us
                    log.info('message %s in a group space without mention ignored', message.message_id)
                    return Outcome(200, 'ignored')
                return self._accept(message.person_id, f'message:{message.message_id}',
                                    lambda: self.conversation.message(message))
            if kind == ('memberships', 'created'):
                joined = membership_created(notification)
                if joined.person_id != self.bot_id:
                    return Outcome(200, 'ignored')
                return self._accept(joined.room_id, f'membership:{joined.membership_id}', lambda: self._safely(
                    lambda: self.memberships.added(joined.membership_id, joined.room_id, joined.person_id,
                                                   notification.actor_id)))
            if kind == ('attachmentActions', 'created'):
                action = action_created(notification)
                return self._accept(action.person_id, f'action:{action.action_id}',
                                    lambda: self.conversation.press(action))
        except BadNotification as error:
            log.warning('malformed notification: %s', error)
            return Outcome(400, f'malformed notification: {error}')
        log.info('ignored %s/%s notification', notification.resource, notification.event)
        return Outcome(200, 'ignored')

    def execute(self, request: Request) -> Union[str, Reply]:
        """
        Run a command and return the reply (see :meth:`wxc_cc.conversation.Conversation.execute`).
        """
        return self.conversation.execute(request)

    # --- notifications of call events and voicemail

    def handle_call_event(self, user_id: str, body: bytes, signature: Optional[str]) -> Outcome:
        """
        A ``telephony_calls`` or ``telephony_mwi`` notification for a monitored user, posted to
        ``/callevent/<user_id>``.
        """
        if rejected := _rejected(verify(self.call_webhooks.secret(user_id), body, signature), 'call event'):
            return rejected
        try:
            notification = parse_notification(body)
            if notification.resource == 'telephony_mwi':
                key = f'mwi:{user_id}:{hashlib.sha256(body).hexdigest()[:32]}'
                return self._accept(user_id, key, lambda: self._for_user(
                    user_id, lambda user: self.monitor.voicemail_event(user, notification.data)))
            event = call_event(notification)
        except BadNotification as error:
            log.warning('malformed call event for %s: %s', user_id, error)
            return Outcome(400, f'malformed call event: {error}')
        key = f'call:{user_id}:{event.call_id}:{event.event_type}:{event.event_timestamp.isoformat()}'
        log.info('call event %s for %s', event.event_type, user_id)
        return self._accept(user_id, key, lambda: self._for_user(
            user_id, lambda user: self.monitor.call_event(user, event, notification.data)))

    @staticmethod
    def _safely(task: Callable[[], None]) -> None:
        """Run a background task; Webex failures are logged."""
        try:
            task()
        except (RestError, requests.RequestException) as error:
            log.warning('task failed: %s', webex_reason(error))

    def _for_user(self, user_id: str, show: Callable[[UserContext], None]) -> None:
        """
        Show an event to a monitored user; users the bot has forgotten are not told.
        """
        try:
            user = self.store.get_user_context(user_id)
            if user is None:
                log.info('event for unknown user %s ignored', user_id)
                return
            show(user)
        except StoreUnavailable as error:
            log.error('event for %s dropped: %s', user_id, error.log_message)
        except (RestError, requests.RequestException) as error:
            log.warning('event for %s not shown: %s', user_id, webex_reason(error))

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
            outcome = RedirectOutcome(503, t('page.try_later'), failure.user_message)
        return Outcome(outcome.status, outcome.html(), 'text/html; charset=utf-8')

    # --- health

    def health(self) -> Outcome:
        """
        200 when the bot can serve, 503 with the reason when it cannot.
        """
        try:
            self.store.check()
        except StoreUnavailable as error:
            # where and why go to the log only: paths, hosts and exception texts are not for callers
            log.warning('health: %s', error.log_message)
            return Outcome(503, json.dumps({'status': 'unavailable', 'reason': 'token store unavailable'}),
                           'application/json')
        return Outcome(200, json.dumps({'status': 'ok', 'store': self.store.kind}), 'application/json')
