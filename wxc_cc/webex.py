"""
The one place that builds Webex API clients.

All clients share one HTTP connection pool (so a command reuses open connections instead of opening a new TLS
connection each time) while every request carries the token of whoever it is made for: the bot, or the user
the bot acts for. Requests have a timeout and bounded retries, urllib3's on the shared adapter
(:class:`WebexRetry`): 429 is retried after its ``Retry-After``; server errors and connections lost after sending
are retried only for reads, where a retry cannot act twice, and for the bot's replies (a reply posted twice beats a
lost one). A dial, answer or hangup is never sent twice.
"""
import logging
from functools import cached_property
from collections.abc import Callable
from typing import Any, Optional, Union
from urllib.parse import urlsplit

import requests
from pydantic import TypeAdapter
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError
from urllib3.util import Retry
from wxc_sdk.attachment_actions import AttachmentActionsApi
from wxc_sdk.base import ApiModel
from wxc_sdk.me import MeSettingsApi
from wxc_sdk.me.callerid import MeCallerIdApi, MeSelectedCallerId
from wxc_sdk.me.endpoints import MeEndpointsApi
from wxc_sdk.memberships import MembershipApi
from wxc_sdk.messages import MessagesApi
from wxc_sdk.people import PeopleApi
from wxc_sdk.rest import RestSession
from wxc_sdk.rooms import RoomsApi
from wxc_sdk.telephony.calls import CallsApi
from wxc_sdk.telephony.voice_messaging import VoiceMessagingApi
from wxc_sdk.tokens import Tokens
from wxc_sdk.webhook import Webhook, WebhookApi

from . import journal
from .metrics import Metrics

__all__ = ['WebexRetry', 'CountingAdapter', 'default_retry', 'READS', 'REPLIES', 'TIMEOUT', 'WebexSession',
           'Webhooks', 'Calls', 'AnswerDevice', 'MeEndpoints', 'MeCallerIds', 'MeSettings', 'BotApi', 'UserApi',
           'WebexClients']

log = logging.getLogger(__name__)


class WebexRetry(Retry):
    """
    urllib3's :class:`~urllib3.util.Retry` as Webex needs it: a 429 is retried whatever the method (Webex did
    not act on it), after its ``Retry-After``; a server error or a connection lost after the request was sent is
    retried only for reads, where a repeat cannot act twice. A connection that could not be made at all is
    retried for every method: nothing was sent.
    """

    def __init__(self, *args: Any, metrics: Optional[Metrics] = None, base_path: str = '', **kwargs: Any):
        super().__init__(*args, **kwargs)
        #: counts each try that is retried, and a connection lost for good (an answer that ends the request is
        #: counted by :class:`CountingAdapter`)
        self.metrics = metrics or Metrics()
        self.base_path = base_path

    def new(self, **kw: Any) -> 'WebexRetry':
        """A copy for the next try (urllib3 makes one per try), with the same metrics."""
        return super().new(metrics=self.metrics, base_path=self.base_path, **kw)

    def _count(self, method: Optional[str], url: Optional[str], status: str) -> None:
        # urllib3 passes the path here; responses (in tests) the whole URL
        self.metrics.webex_request(method or '?', urlsplit(url or '').path.removeprefix(self.base_path), status)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code == 429:
            return bool(self.total)
        return super().is_retry(method, status_code, has_retry_after)

    def increment(self, method: Optional[str] = None, url: Optional[str] = None, response: Any = None,
                  error: Optional[Exception] = None, _pool: Any = None, _stacktrace: Any = None) -> 'WebexRetry':
        """urllib3's accounting, then count the try: one that is retried, or a connection lost for good."""
        answered = response is not None and response.status
        try:
            retry = super().increment(method, url, response, error, _pool, _stacktrace)
        except MaxRetryError:
            if not answered:  # no answer reaches the adapter
                self._count(method, url, 'connection')
            raise
        self._count(method, url, str(response.status) if answered else 'connection')
        return retry


class CountingAdapter(HTTPAdapter):
    """
    requests' adapter that counts the answer each request ends with (the tries before it are counted by
    :class:`WebexRetry`).

    :param metrics: where they are counted
    :param base_path: the path of the API base (``/v1``), left out of the operations
    """

    def __init__(self, *, metrics: Metrics, base_path: str, **kwargs: Any):
        self.metrics = metrics
        self.base_path = base_path
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        """Send ``request`` as requests does (with urllib3's retries) and count the answer it ends with."""
        response = super().send(request, *args, **kwargs)
        self.metrics.webex_request(request.method or '?', urlsplit(request.url).path.removeprefix(self.base_path),
                                   str(response.status_code))
        return response


#: methods whose requests are repeated after a server error or a lost connection: reads
READS = frozenset({'GET', 'HEAD', 'OPTIONS'})

#: what the bot may repeat on ``/messages`` too: a reply posted twice beats a lost one, a card deleted twice is gone
REPLIES = READS | {'POST', 'DELETE'}


def default_retry(repeatable: frozenset[str] = READS, metrics: Optional[Metrics] = None,
                  base_path: str = '') -> WebexRetry:
    """
    The retries of a Webex request: at most 3 (429s waiting for their ``Retry-After``, capped at 10 s; server
    errors and lost connections of the ``repeatable`` methods after 0.25 s, then 0.5 s, ...).

    :param metrics: counts the tries that are retried
    :param base_path: the path of the API base (``/v1``), left out of the metrics' operations
    """
    return WebexRetry(total=3, allowed_methods=repeatable, status_forcelist=frozenset({500, 502, 503, 504}),
                      backoff_factor=0.25, backoff_max=10, retry_after_max=10, respect_retry_after_header=True,
                      raise_on_status=False, metrics=metrics, base_path=base_path)


#: (connect, read) timeout of one request, seconds
TIMEOUT = (5.0, 15.0)


class WebexSession(RestSession):
    """
    A wxc_sdk REST session for one token, on a shared connection pool.

    :param token: the access token (or tokens) requests are made with
    :param identity: who the token belongs to, for logs (``'bot'`` or a person id); never the token
    :param base_url: Webex API base URL
    :param adapter: the shared connection pool (with the retries)
    :param messages: the pool of ``/messages`` requests, which repeats posts too (see :data:`REPLIES`)
    :param concurrency: requests this session may have under way at once (wxc_sdk's semaphore); the bot's one
        session serves every worker thread
    :param timeout: (connect, read) timeout of one request, seconds
    :param on_unauthorized: called with the access token Webex answered 401 to; returns newer tokens to retry
        the request with once, or ``None``
    """

    def __init__(self, *, token: Union[str, Tokens], identity: str, base_url: str, adapter: HTTPAdapter,
                 timeout: tuple[float, float] = TIMEOUT,
                 on_unauthorized: Optional[Callable[[str], Optional[Tokens]]] = None,
                 environment: Optional[dict] = None, messages: Optional[HTTPAdapter] = None,
                 concurrency: int = 8):
        tokens = token if isinstance(token, Tokens) else Tokens(access_token=token)
        super().__init__(tokens=tokens, concurrent_requests=concurrency, retry_429=False)
        _use_environment(self, environment or {})
        self.BASE = base_url
        self.identity = identity
        self.timeout = timeout
        #: True for sessions with a user's token: what they change is the user's (calls, webhooks, settings)
        self.acts_for_user = identity != 'bot'
        self._on_unauthorized = on_unauthorized
        self.mount('http://', adapter)
        self.mount('https://', adapter)
        if messages is not None:
            self.mount(f'{base_url}/messages', messages)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """
        One HTTP request with a timeout; retries are the shared adapter's (:class:`WebexRetry`). When Webex
        refuses the access token (401), the request is made once more with refreshed tokens: a 401 was not
        acted on. A request that changes something at Webex for a user is noted in the running task's journal
        first (:func:`wxc_cc.journal.acting`).
        """
        kwargs.setdefault('timeout', self.timeout)
        if self.acts_for_user and method.upper() not in READS:
            journal.acting()
        response = super().request(method, url, **kwargs)
        if response.status_code == 401 and self._reauthorize(kwargs):
            response.close()
            response = super().request(method, url, **kwargs)
        return response

    def _reauthorize(self, kwargs: dict) -> bool:
        if self._on_unauthorized is None:
            return False
        rejected = self._tokens.access_token
        tokens = self._on_unauthorized(rejected)
        if tokens is None or not tokens.access_token or tokens.access_token == rejected:
            return False
        log.info('access token of %s rejected by Webex, retrying with refreshed token', self.identity)
        self._tokens = tokens
        kwargs['headers'] = {**(kwargs.get('headers') or {}), 'Authorization': f'Bearer {tokens.access_token}'}
        return True

    def close(self) -> None:
        """
        Nothing to release: the connection pool is shared and outlives the session.
        """


def _use_environment(session: requests.Session, environment: dict) -> None:
    """
    Give a session the proxy and CA settings requests would read from the environment, read once beforehand:
    reading them for every request costs about half a millisecond.
    """
    session.trust_env = False
    session.proxies.update(environment.get('proxies') or {})
    if environment.get('verify') is not None:
        session.verify = environment['verify']
    if environment.get('cert') is not None:
        session.cert = environment['cert']


class Webhooks(WebhookApi, base='webhooks'):
    """
    wxc_sdk's webhook API with a working update (wxc_sdk's sends snake_case form data).
    """

    def update_webhook(self, webhook_id: str, *, name: str, target_url: str, secret: Optional[str] = None,
                       status: Optional[str] = None) -> Webhook:
        """
        Update a webhook's name, target URL, secret and status.

        :param webhook_id: the webhook to update
        :param name: its (new) name
        :param target_url: its (new) target URL
        :param secret: its (new) secret
        :param status: ``'active'`` to re-activate a webhook Webex disabled
        :return: the updated webhook
        """
        body = {'name': name, 'targetUrl': target_url}
        if secret is not None:
            body['secret'] = secret
        if status is not None:
            body['status'] = status
        return Webhook.model_validate(self.put(self.ep(webhook_id), json=body))


class Calls(CallsApi, base='telephony/calls'):
    """
    wxc_sdk's call control API with a transfer of two calls that works (wxc_sdk expects a body, Webex answers
    204 without one).
    """

    def transfer_calls(self, call_id1: str, call_id2: str) -> None:
        """
        Connect two of the user's calls with each other (attended transfer).
        """
        self.post(self.ep('transfer'), json={'callId1': call_id1, 'callId2': call_id2})


class AnswerDevice(ApiModel):
    """
    One of the person's devices as ``GET .../settings/availablePreferredAnswerEndpoints`` lists it
    (call-settings-for-me.yml's ``endpoints``). wxc_sdk reads this list into its ``MeEndpoint``, whose ``type`` is
    the endpoints API's (``CALLING_DEVICE``, ``APPLICATION``, ``HOTDESKING_GUEST``), while here it is ``DEVICE`` or
    ``APPLICATION``: wxc_sdk would extend its enum at run time and log a warning for every process.
    """
    #: the ``endpointId`` of call control
    id: str
    #: ``DEVICE`` or ``APPLICATION``
    type: Optional[str] = None
    #: e.g. ``Cisco 8865 (Phone in reception area)`` or ``Webex Desktop Application``
    name: Optional[str] = None
    #: the device Webex answers the person's calls on
    is_preferred_answer_endpoint: Optional[bool] = None


class MeEndpoints(MeEndpointsApi, base='telephony/config/people/me'):
    """
    wxc_sdk's API of the person's own endpoints, with their devices read as the document has them
    (:class:`AnswerDevice`); choosing the preferred one is wxc_sdk's ``modify_preferred_answer_endpoint``
    (``{"id": ...}``).
    """

    def answer_devices(self) -> list[AnswerDevice]:
        """The devices Webex can answer the person's calls on, the preferred one marked."""
        data = self.get(self.ep('settings/availablePreferredAnswerEndpoints'))
        return TypeAdapter(list[AnswerDevice]).validate_python(data['endpoints'])


class MeCallerIds(MeCallerIdApi, base='telephony/config/people/me'):
    """
    wxc_sdk's API of the person's own caller ID with a selection Webex takes: wxc_sdk's
    ``modify_selected_caller_id_settings`` sends ``type``, ``id`` and ``directNumber`` at the top of the body, while
    Webex's document (call-settings-for-me.yml, ``SelectedCallerIdSettingsPut``) has them in ``selected``.
    """

    def select(self, selected: MeSelectedCallerId) -> None:
        """
        Choose the caller ID of the person's outgoing calls (``PUT .../settings/selectedCallerId``).

        :param selected: its ``type``, and the ``id`` of a call queue or hunt group or the ``direct_number`` of an
            additional caller ID
        """
        self.put(self.ep('settings/selectedCallerId'), json={'selected': selected.update()})


class MeSettings(MeSettingsApi, base='telephony/config/people/me'):
    """
    wxc_sdk's "call settings for me" with the devices of :class:`MeEndpoints` and the caller ID selection of
    :class:`MeCallerIds`.
    """

    def __init__(self, *, session: RestSession):
        super().__init__(session=session)
        self.endpoints = MeEndpoints(session=session)
        self.caller_id = MeCallerIds(session=session)


class _Api:
    """
    The wxc_sdk API children a token needs, built on first use.
    """

    def __init__(self, session: WebexSession):
        self.session = session

    @cached_property
    def people(self) -> PeopleApi:
        """People API."""
        return PeopleApi(session=self.session)

    @cached_property
    def webhooks(self) -> Webhooks:
        """Webhooks API."""
        return Webhooks(session=self.session)


class BotApi(_Api):
    """
    What the bot does with its own token: messages, its webhooks, people, card submissions.
    """

    @cached_property
    def messages(self) -> MessagesApi:
        """Messages API."""
        return MessagesApi(session=self.session)

    @cached_property
    def rooms(self) -> RoomsApi:
        """Rooms (spaces) API."""
        return RoomsApi(session=self.session)

    @cached_property
    def memberships(self) -> MembershipApi:
        """Memberships API."""
        return MembershipApi(session=self.session)

    @cached_property
    def attachment_actions(self) -> AttachmentActionsApi:
        """Card submissions (attachment actions) API."""
        return AttachmentActionsApi(session=self.session)


class UserApi(_Api):
    """
    What the bot does on behalf of a user, with the user's token: call control, voicemail, the user's own call
    settings, the people directory, the user's webhooks.
    """

    @cached_property
    def calls(self) -> Calls:
        """Call control API."""
        return Calls(session=self.session)

    @cached_property
    def voicemail(self) -> VoiceMessagingApi:
        """Voice messaging API."""
        return VoiceMessagingApi(session=self.session)

    @cached_property
    def me(self) -> MeSettings:
        """
        Webex's "call settings for me" (``/telephony/config/people/me``): the user's own details (``details()``),
        Do Not Disturb (``dnd``), call forwarding (``forwarding``), devices and the preferred answer device
        (``endpoints``), call queues (``call_center``) and caller IDs (``caller_id``).
        """
        return MeSettings(session=self.session)


class WebexClients:
    """
    Builds every Webex API client of the bot, all on one connection pool.

    :param api_base: Webex API base URL (``WEBEX_API_BASE_URL``)
    :param bot_token: the bot's access token
    :param pool_size: connections kept per host; as many as requests may be under way at once
    :param timeout: (connect, read) timeout of one request, seconds
    :param metrics: counts every try of every request (default: off)
    """

    def __init__(self, *, api_base: str, bot_token: str, pool_size: int = 32, timeout: tuple[float, float] = TIMEOUT,
                 metrics: Optional[Metrics] = None):
        self.api_base = api_base.rstrip('/')
        self.timeout = timeout
        self.metrics = metrics or Metrics()
        self.pool_size = pool_size
        base_path = urlsplit(self.api_base).path
        self._adapter = CountingAdapter(metrics=self.metrics, base_path=base_path, pool_connections=4,
                                        pool_maxsize=pool_size,
                                        max_retries=default_retry(metrics=self.metrics, base_path=base_path))
        #: the bot's messages: replies may be posted again after a server error (see :data:`REPLIES`)
        self._messages = CountingAdapter(metrics=self.metrics, base_path=base_path, pool_connections=1,
                                         pool_maxsize=pool_size,
                                         max_retries=default_retry(REPLIES, self.metrics, base_path))
        with requests.Session() as probe:
            # proxies (HTTPS_PROXY, NO_PROXY) and CA bundle (REQUESTS_CA_BUNDLE) as requests finds them
            self._environment = probe.merge_environment_settings(self.api_base, {}, None, None, None)
        self.bot = BotApi(self._session(bot_token, 'bot'))
        #: plain session for requests without a bearer token (OAuth token endpoint)
        self.http = requests.Session()
        _use_environment(self.http, self._environment)
        self.http.mount('http://', self._adapter)
        self.http.mount('https://', self._adapter)

    def _session(self, token: Union[str, Tokens], identity: str,
                 on_unauthorized: Optional[Callable[[str], Optional[Tokens]]] = None) -> WebexSession:
        return WebexSession(token=token, identity=identity, base_url=self.api_base, adapter=self._adapter,
                            timeout=self.timeout, on_unauthorized=on_unauthorized, environment=self._environment,
                            messages=self._messages, concurrency=self.pool_size)

    def user(self, tokens: Tokens, person_id: str,
             on_unauthorized: Optional[Callable[[str], Optional[Tokens]]] = None) -> UserApi:
        """
        API clients acting for a user.

        :param tokens: the user's tokens; the access token must be valid
        :param person_id: the user's person id (for logs)
        :param on_unauthorized: gets newer tokens when Webex refuses the access token (see
            :meth:`~wxc_cc.stores.TokenManager.refresh_rejected`)
        """
        return UserApi(self._session(tokens, person_id, on_unauthorized))

    def is_webex_url(self, url: str) -> bool:
        """
        True when ``url`` is on Webex's API host (the scheme, host and port of ``WEBEX_API_BASE_URL``): the only
        place the bot's token may be sent.

        :param url: any URL, e.g. of a message's file
        """
        try:
            theirs, ours = urlsplit(url), urlsplit(self.api_base)
            return (theirs.scheme, theirs.hostname, theirs.port) == (ours.scheme, ours.hostname, ours.port)
        except ValueError:
            return False

    def url(self, path: str) -> str:
        """
        Absolute URL of an API path.

        :param path: path below the base URL, e.g. ``'access_token'``
        """
        return f'{self.api_base}/{path.lstrip("/")}'

    def close(self) -> None:
        """
        Close all pooled connections.
        """
        self._adapter.close()
        self._messages.close()
