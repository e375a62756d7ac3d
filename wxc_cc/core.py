"""
The bot without a web framework: notifications in (raw body and signature), Webex API calls and an
:class:`Outcome` out. :class:`wxc_cc_bot.CallControlBot` is the thin Flask adapter around it.

:func:`build_core` builds it in one direction: the settings, the Webex clients and the bot's identity first (one
``GET /people/me``), then every collaborator with what it needs, each exactly once.
"""
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Optional

from .botcontext import BotContext
from .broadcast import Broadcaster
from .cards import Cards
from .checks import checks
from .commands import Registry, Services, build_registry
from .config import Settings
from .conversation import Conversation, Route
from .ends import Ends
from .errors import BotError, StoreUnavailable, TokenKeyMismatch
from .gate import Gate
from .healing import WebhookHealer
from .events import BOT, USER, Door, kind_of
from .identity import BotIdentity
from .locales import Catalogue, catalogue_for
from .logcontext import PersonKeys
from .membership import MembershipGuard
from .metrics import Metrics, metrics_directory
from .messenger import Messenger
from .monitoring import CallMonitor
from .notifications import BadNotification, parse_notification
from .oauth import Authorization, OAuthClient, RedirectOutcome
from .policy import load_policy
from .presses import Presses
from .replies import Replies
from .restorer import Restorer
from .signature import Verdict, verify
from .stores import Stores, build_stores
from .runner import TaskRunner
from .task import Task
from .timezones import TimeZones
from .webex import WebexClients
from .webhooks import BotWebhooks, CallEventWebhooks
from .worker import QueueWorker

__all__ = ['Outcome', 'BotCore', 'Readiness', 'TokenKeys', 'build_core']

log = logging.getLogger(__name__)

#: seconds an answer of ``GET /ready`` is kept: probes from several load balancers cost the stores one check
READY_FOR = 5.0
#: the coordination note naming (by fingerprint) the newest token key the stored tokens were encrypted with at the
#: last start, and how long it is kept
KEY_NOTE, KEY_NOTE_TTL = 'token-key', 365 * 86400


@dataclass(frozen=True)
class Outcome:
    """
    The HTTP answer to a request.
    """
    status: int
    body: str
    content_type: str = 'text/plain; charset=utf-8'


def _probe(code: int, **fields: str) -> Outcome:
    """A probe's answer: JSON."""
    return Outcome(code, json.dumps(fields), 'application/json')


def _rejected(verdict: Verdict, what: str) -> Optional[Outcome]:
    if verdict is Verdict.MISSING:
        log.warning('%s without signature rejected', what)
        return Outcome(401, 'signature required')
    if verdict is Verdict.FORGED:
        log.warning('%s with invalid signature rejected', what)
        return Outcome(403, 'invalid signature')
    return None


class TokenKeys:
    """
    The stored tokens and this process's keys (``WXC_CC_TOKEN_KEY``): at start every token is brought to the newest
    key, once for the deployment; afterwards, whether the keys still read the stored tokens, checked again only when
    the deployment's newest key has changed. Each start notes its newest key's fingerprint (never the key) in the
    store (:data:`KEY_NOTE`); a process that finds another there checks again, by decrypting one record.

    :param stores: the stores
    """

    #: the check is yet to be made (the store was away when it was due)
    _UNCHECKED = object()

    def __init__(self, *, stores: Stores):
        self.tokens = stores.tokens
        self.coordination = stores.coordination
        self._problem: Optional[str] = None
        self._seen: object = self._UNCHECKED

    def encrypt_at_start(self) -> None:
        """
        Under the deployment-wide lock ``token-key``: store every token record that is in plain text, or under an
        older key, again under the newest key, and note the newest key's fingerprint; then check the keys. Without
        the store, the check waits for the first :meth:`problem` that reaches it.
        """
        try:
            with self.coordination.lock('token-key', timeout=60):
                if done := self.tokens.encrypt_at_rest():
                    log.info('tokens of %d user(s) encrypted with the newest token key', done)
                self.coordination.set_note(KEY_NOTE, self.tokens.key_fingerprint, KEY_NOTE_TTL)
        except StoreUnavailable as error:
            log.warning('tokens not encrypted at start: %s', error.log_message)
            self._check()
        else:
            self._check(self.tokens.key_fingerprint)

    def problem(self) -> Optional[str]:
        """
        Why the stored tokens cannot be read with this process's keys (for the log), or ``None``: as found at start,
        or again now if the deployment's newest key changed since (or the store was away then).

        :raises StoreUnavailable: the store cannot be reached
        """
        if self._seen is self._UNCHECKED:
            self._check()
        elif (note := self.coordination.get_note(KEY_NOTE)) not in (None, self._seen):
            self._check(note)
        return self._problem

    def _check(self, note: object = _UNCHECKED) -> None:
        """
        Check the keys against the stored tokens, and keep the deployment's key note they were checked at.

        :param note: the note as just read or written (default: read it now)
        """
        try:
            if note is self._UNCHECKED:
                note = self.coordination.get_note(KEY_NOTE)
            self.tokens.check_key()
            self._problem, self._seen = None, note
        except TokenKeyMismatch as error:
            self._problem, self._seen = error.log_message, note
        except StoreUnavailable as error:
            self._problem, self._seen = error.log_message, self._UNCHECKED


class Readiness:
    """
    Whether the bot can serve (``GET /ready``), at a cost that probes from every load balancer do not multiply: the
    stores are asked (are they reachable?) at most once per :data:`READY_FOR` seconds and their answer kept; no
    token record is read per probe (:class:`TokenKeys`).

    :param stores: the stores
    :param keys: whether the keys read the stored tokens
    :param clock: seconds, monotonic
    """

    def __init__(self, *, stores: Stores, keys: TokenKeys, clock: Callable[[], float] = time.monotonic):
        self.stores = stores
        self.keys = keys
        self.clock = clock
        self._lock = threading.Lock()
        self._answer: Optional[Outcome] = None
        self._until = 0.0

    def answer(self) -> Outcome:
        """
        200 when the stores answer and hold tokens this process can read; else 503 with a generic reason (the
        details go to the log). Kept :data:`READY_FOR` seconds; probes meanwhile wait for the one asking.
        """
        with self._lock:
            if self._answer is None or self.clock() >= self._until:
                self._answer = self._ask()
                self._until = self.clock() + READY_FOR
            return self._answer

    def _ask(self) -> Outcome:
        try:
            self.stores.check()
            problem = self.keys.problem()
        except StoreUnavailable as error:
            problem = error.log_message
        if problem:
            # where and why go to the log only: paths, hosts and exception texts are not for callers
            log.warning('ready: %s', problem)
            return _probe(503, status='unavailable', reason='token store unavailable')
        return _probe(200, status='ok', store=self.stores.kind)


class BotCore:
    """
    The call-control bot: answers Webex's notifications, the OAuth redirect and the probes of liveness and
    readiness. Build it with :func:`build_core`.

    :param settings: the settings (the public URL known)
    :param services: what commands use, the bot's identity and stores among them
    :param conversation: serves messages and card presses
    :param authorization: finishes OAuth flows
    :param healer: keeps the webhooks as they should be
    :param worker: carries out the accepted tasks, from the durable queue
    :param messenger: posts the bot's messages
    :param metrics: what is counted and measured
    :param token_keys: brings the stored tokens to the newest key at start
    :param readiness: answers ``GET /ready``
    """

    def __init__(self, *, settings: Settings, services: Services, conversation: Conversation,
                 authorization: Authorization, healer: WebhookHealer, worker: QueueWorker,
                 messenger: Messenger, metrics: Metrics, token_keys: TokenKeys, readiness: Readiness):
        self.settings = settings
        self.services = services
        self.identity = services.identity
        self.stores = services.stores
        self.call_webhooks = services.call_webhooks
        self.conversation = conversation
        self.authorization = authorization
        self.healer = healer
        self.worker = worker
        self.metrics = metrics
        self._accepting = True
        self._drained: Optional[bool] = None
        self.messenger = messenger
        self.token_keys = token_keys
        self.readiness = readiness

    @property
    def commands(self) -> Registry:
        """The chat commands."""
        return self.services.commands

    @property
    def catalogue(self) -> Catalogue:
        """The texts of the deployment's language."""
        return self.services.catalogue

    def setup(self) -> None:
        """
        Check the store's server, encrypt the stored tokens with the newest key (:meth:`TokenKeys.encrypt_at_start`),
        webhooks (under the deployment-wide lock), start their background checks, and start taking tasks from the
        queue.

        :raises RestError: Webex refused the webhooks
        :raises UnsupportedStore: the store's server is too old
        """
        self.stores.check_server()
        self.token_keys.encrypt_at_start()
        outcomes = self.healer.heal_bot_webhooks()
        self.healer.start()
        self.worker.start()
        log.info('bot %s (%s) ready at %s, webhooks: %s', self.settings.bot_email, self.identity.person_id,
                 self.settings.public_url, outcomes)

    def stop_taking(self) -> None:
        """
        Take no more notifications nor tasks, at once (SIGTERM); what runs goes on: see :meth:`shutdown`.
        """
        self._accepting = False
        self.worker.stop_taking()

    def shutdown(self, timeout: Optional[float] = None) -> bool:
        """
        Stop taking notifications and tasks, let the tasks in flight finish (bounded) and give the rest back to the
        queue for the other workers; stop the background checks. Only the first call does it.

        :param timeout: seconds; default: ``settings.drain_timeout``
        :return: True if all finished
        """
        if self._drained is None:
            self.stop_taking()
            self.healer.stop()
            self._drained = self.worker.stop(self.settings.drain_timeout if timeout is None else timeout)
            log.info('stopped: %s', 'every task in flight finished' if self._drained else 'tasks left unfinished')
        return self._drained

    def _accept(self, task: Task) -> Outcome:
        """
        Put a task in the durable queue before Webex gets its answer, unless its notification was queued before.
        """
        if not self._accepting:
            log.warning('notification %s refused: stopping', task.id)
            return Outcome(503, 'stopping')
        if not self.stores.queue.put(task.entry()):
            log.info('duplicate notification %s ignored', task.id)
            return Outcome(200, 'duplicate ignored')
        return Outcome(200, 'accepted')

    # --- notifications: the bot's (chat messages, card presses, memberships) and monitored users' (calls, voicemail)

    def handle_bot_notification(self, body: bytes, signature: Optional[str]) -> Outcome:
        """
        A notification posted to ``/`` by one of the bot's webhooks.

        :param body: the raw request body
        :param signature: the ``X-Spark-Signature`` header
        """
        return self._notification(BOT, '', body, signature, self.settings.webhook_secret)

    def handle_call_event(self, user_id: str, body: bytes, signature: Optional[str]) -> Outcome:
        """
        A ``telephony_calls`` or ``telephony_mwi`` notification for a monitored user, posted to
        ``/callevent/<user_id>``.
        """
        return self._notification(USER, user_id, body, signature, self.call_webhooks.secret(user_id))

    def _notification(self, route: str, user_id: str, body: bytes, signature: Optional[str], secret: str) -> Outcome:
        """
        Check the signature, read the notification, find its kind (:data:`wxc_cc.events.KINDS`) and let the kind
        decide at the door: queued as a task, or answered at once.
        """
        what = 'notification' if route == BOT else f'call event for {user_id}'
        if rejected := _rejected(verify(secret, body, signature), what):
            return rejected
        started = time.monotonic()
        try:
            notification = parse_notification(body)
            kind = kind_of(route, notification)
            if kind is None:
                if route == USER:
                    raise BadNotification(f'resource {notification.resource!r} is not a call event')
                log.info('ignored %s/%s notification', notification.resource, notification.event)
                return Outcome(200, 'ignored')
            decision = kind.admit(kind.read(notification), Door(self.identity.person_id, user_id, body))
            if isinstance(decision, str):
                log.info('%s: %s', kind.name, decision)
                return Outcome(200, decision)
            return self._accept(Task.of(kind.name, decision.key, decision.id, notification.envelope(),
                                        user_id=decision.user_id, created=decision.created))
        except BadNotification as error:
            log.warning('malformed %s: %s', what, error)
            return Outcome(400, f'malformed notification: {error}')
        except StoreUnavailable as error:
            log.error('%s not taken: %s', what, error.log_message)
            return Outcome(503, 'store unavailable')
        finally:
            self.metrics.webhook_acknowledged(time.monotonic() - started)

    # --- OAuth

    def handle_redirect(self, *, code: Optional[str], state: Optional[str], error: Optional[str]) -> Outcome:
        """
        The end of an OAuth flow: ``GET /redirect``.
        """
        try:
            outcome = self.authorization.complete(code=code, state=state, error=error)
        except BotError as failure:
            log.error('redirect: %s', failure.log_message)
            outcome = RedirectOutcome(503, self.catalogue.t('page.try_later'), failure.message(self.catalogue))
        return Outcome(outcome.status, outcome.html(), 'text/html; charset=utf-8')

    # --- metrics

    def metrics_page(self, authorization: Optional[str]) -> Outcome:
        """
        ``GET /metrics``: Prometheus' text, for ``Authorization: Bearer <WXC_CC_METRICS_TOKEN>`` only; 404 when
        no token is configured, 401 for any other request.

        :param authorization: the request's ``Authorization`` header
        """
        token = self.settings.metrics_token
        if not token or not self.metrics.enabled:
            return Outcome(404, 'not found')
        scheme, _, presented = (authorization or '').partition(' ')
        if scheme.lower() != 'bearer' or not hmac.compare_digest(presented.strip().encode(), token.encode()):
            return Outcome(401, 'unauthorized')
        body, content_type = self.metrics.exposition({
            'wxc_cc_queue_depth': ('Tasks waiting or running in the work queue', self.stores.queue.depth),
            'wxc_cc_monitored_users': ('Users with monitoring on', self._monitored_users)})
        return Outcome(200, body.decode(), content_type)

    def _monitored_users(self) -> int:
        return sum(1 for user in self.stores.tokens.user_contexts() if user.monitoring)

    # --- liveness and readiness

    def health(self) -> Outcome:
        """
        ``GET /health``, liveness: 200 while the process takes tasks from the queue (its worker's threads are
        alive), else 503. No store is asked: a store outage is for :meth:`ready` to tell, not a reason to restart.
        """
        if not self.worker.alive():
            return _probe(503, status='unavailable', reason='not taking tasks')
        return _probe(200, status='ok', store=self.stores.kind)

    def ready(self) -> Outcome:
        """
        ``GET /ready``, readiness: as :meth:`Readiness.answer`, and 503 at once while the process is stopping.
        """
        if not self._accepting:
            return _probe(503, status='unavailable', reason='stopping')
        return self.readiness.answer()


def build_core(settings: Settings, *, stores: Optional[Stores] = None, route: Optional[Route] = None) -> BotCore:
    """
    Build the bot: learn who it is, then build each collaborator once, with what it needs.

    :param settings: the settings; ``public_url`` must be known
    :param stores: the stores; default: those the settings select, refreshing tokens with the integration
    :param route: how a request reaches its command (see :class:`~wxc_cc.conversation.Conversation`)
    :raises ConfigError: the policy file is invalid
    :raises RestError: Webex refused the bot token
    """
    if not settings.public_url:
        raise ValueError('the public URL must be known')
    policy = load_policy(settings.config_file)
    catalogue = catalogue_for(settings.locale)
    commands = build_registry()
    metrics = Metrics(metrics_directory(settings.metrics_token), commands=commands.names())
    # one HTTP connection for each thread that may wait on Webex, and a few for the webhook checks
    clients = WebexClients(api_base=settings.api_base, bot_token=settings.bot_token,
                                      pool_size=settings.worker_threads + 4, metrics=metrics)
    identity = BotIdentity.learn(clients.bot)
    oauth = OAuthClient(client_id=settings.client_id, client_secret=settings.client_secret,
                        scopes=settings.client_scopes, redirect_url=settings.redirect_url, clients=clients,
                        metrics=metrics)
    stores = stores or build_stores(settings, refresher=oauth.refresh)
    replies = Replies(catalogue)
    cards = Cards(replies)
    zones = TimeZones(tokens=stores.tokens)
    messenger = Messenger(clients.bot)
    call_webhooks = CallEventWebhooks(bot_name=settings.bot_name, public_url=settings.public_url,
                                      master_secret=settings.webhook_secret)
    bot_context = BotContext(policy=policy, coordination=stores.coordination, bot=clients.bot, identity=identity,
                             messenger=messenger, replies=replies)
    gate = Gate(bot_context)
    services = Services(settings=settings, identity=identity, replies=replies, cards=cards,
                        stores=stores, clients=clients, oauth=oauth, call_webhooks=call_webhooks, policy=policy,
                        broadcaster=Broadcaster(bot_context, clients=clients, gate=gate),
                        zones=zones, ends=Ends(queue=stores.queue), commands=commands)
    monitor = CallMonitor(coordination=stores.coordination, messenger=messenger, cards=cards,
                          user_api=services.user_api, zones=zones)
    conversation = Conversation(services=services, messenger=messenger,
                                checks=checks(gate=gate, messenger=messenger, catalogue=catalogue,
                                              max_age=settings.max_command_age),
                                presses=Presses(services=services, monitor=monitor),
                                metrics=metrics, route=route)
    runner = TaskRunner(conversation=conversation, monitor=monitor, tokens=stores.tokens,
                        person_keys=PersonKeys(settings.webhook_secret),
                        restorer=Restorer(services=services, messenger=messenger),
                        memberships=MembershipGuard(bot_context))
    bot_webhooks = BotWebhooks(bot_name=settings.bot_name, public_url=settings.public_url,
                               secret=settings.webhook_secret)
    healer = WebhookHealer(stores=stores, bot=clients.bot, bot_webhooks=bot_webhooks, call_webhooks=call_webhooks,
                           user_api=services.user_api, interval=settings.webhook_check_interval)
    authorization = Authorization(flows=stores.flows, tokens=stores.tokens, oauth=oauth, clients=clients,
                                  messenger=messenger, replies=replies, zones=zones)
    worker = QueueWorker(queue=stores.queue, runner=runner, threads=settings.worker_threads, metrics=metrics)
    token_keys = TokenKeys(stores=stores)
    return BotCore(settings=settings, services=services, conversation=conversation, authorization=authorization,
                   healer=healer, worker=worker, messenger=messenger, metrics=metrics, token_keys=token_keys,
                   readiness=Readiness(stores=stores, keys=token_keys))
