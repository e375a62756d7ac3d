"""
The one place that builds Webex API clients.

All clients share one HTTP connection pool (so a command reuses open connections instead of opening a new TLS
connection each time) while every request carries the token of whoever it is made for: the bot, or the user
the bot acts for. Requests have a timeout and bounded retries: 429 is retried after its ``Retry-After``; server
errors and connection failures are retried only for GET, where a retry cannot act twice, and for posting a
message (a reply sent twice beats a lost one). A dial, answer or hangup is never sent twice.
"""
import logging
import time
from dataclasses import dataclass
from functools import cached_property
from collections.abc import Callable
from typing import Any, Optional, Union
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from wxc_sdk.attachment_actions import AttachmentActionsApi
from wxc_sdk.memberships import MembershipApi
from wxc_sdk.messages import MessagesApi
from wxc_sdk.people import PeopleApi
from wxc_sdk.rest import RestSession
from wxc_sdk.rooms import RoomsApi
from wxc_sdk.telephony.calls import CallsApi
from wxc_sdk.telephony.voice_messaging import VoiceMessagingApi
from wxc_sdk.tokens import Tokens
from wxc_sdk.webhook import Webhook, WebhookApi

__all__ = ['RetryPolicy', 'WebexSession', 'Webhooks', 'Calls', 'BotApi', 'UserApi', 'WebexClients']

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """
    How often and how long a request is retried.
    """
    #: retries after a 429
    max_429_retries: int = 3
    #: longest wait honoured from a Retry-After header, seconds
    max_retry_after: float = 10.0
    #: retries of a GET (or of a POST to one of :attr:`repeatable_posts`) after a 5xx or a connection error
    max_get_retries: int = 2
    #: POST paths where acting twice is better than not at all: a reply sent twice beats a lost reply
    repeatable_posts: tuple[str, ...] = ('messages',)
    #: first backoff after a 5xx or connection error, seconds; doubles each time
    backoff: float = 0.25
    #: (connect, read) timeout of one request, seconds
    timeout: tuple[float, float] = (5.0, 15.0)


class WebexSession(RestSession):
    """
    A wxc_sdk REST session for one token, on a shared connection pool.

    :param token: the access token (or tokens) requests are made with
    :param identity: who the token belongs to, for logs (``'bot'`` or a person id); never the token
    :param base_url: Webex API base URL
    :param adapter: the shared connection pool
    :param retry: retry and timeout policy
    :param on_unauthorized: called with the access token Webex answered 401 to; returns newer tokens to retry
        the request with once, or ``None``
    """

    def __init__(self, *, token: Union[str, Tokens], identity: str, base_url: str, adapter: HTTPAdapter,
                 retry: RetryPolicy, on_unauthorized: Optional[Callable[[str], Optional[Tokens]]] = None,
                 environment: Optional[dict] = None):
        tokens = token if isinstance(token, Tokens) else Tokens(access_token=token)
        super().__init__(tokens=tokens, concurrent_requests=8, retry_429=False)
        _use_environment(self, environment or {})
        self.BASE = base_url
        self.identity = identity
        self.retry = retry
        self._on_unauthorized = on_unauthorized
        self.mount('http://', adapter)
        self.mount('https://', adapter)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """
        One HTTP request with timeout and bounded retries; see :class:`RetryPolicy`.
        """
        kwargs.setdefault('timeout', self.retry.timeout)
        rate_limited = failed = 0
        reauthorized = False
        while True:
            try:
                response = super().request(method, url, **kwargs)
            except (requests.ConnectionError, requests.Timeout):
                if not self._repeatable(method, url) or failed >= self.retry.max_get_retries:
                    raise
                failed += 1
                log.warning('%s %s as %s: connection failed, retry %d', method, url, self.identity, failed)
                time.sleep(self.retry.backoff * 2 ** (failed - 1))
                continue
            if response.status_code == 429 and rate_limited < self.retry.max_429_retries:
                rate_limited += 1
                wait = self._retry_after(response)
                log.warning('%s %s as %s: 429, retry %d in %.1f s', method, url, self.identity, rate_limited, wait)
                response.close()
                time.sleep(wait)
                continue
            if response.status_code == 401 and not reauthorized and self._reauthorize(kwargs):
                # a 401 was not acted on, so the request can be made again with the new token
                reauthorized = True
                response.close()
                continue
            if (response.status_code >= 500 and self._repeatable(method, url)
                    and failed < self.retry.max_get_retries):
                failed += 1
                log.warning('%s %s as %s: %d, retry %d', method, url, self.identity, response.status_code, failed)
                response.close()
                time.sleep(self.retry.backoff * 2 ** (failed - 1))
                continue
            return response

    def _repeatable(self, method: str, url: str) -> bool:
        if method == 'GET':
            return True
        return method == 'POST' and url.rstrip('/') in (f'{self.BASE}/{path}' for path in self.retry.repeatable_posts)

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

    def _retry_after(self, response: requests.Response) -> float:
        try:
            wait = float(response.headers.get('Retry-After', 1))
        except ValueError:
            wait = 1.0
        return max(0.0, min(wait, self.retry.max_retry_after))

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
    What the bot does on behalf of a user, with the user's token: call control, the user's webhooks.
    """

    @cached_property
    def calls(self) -> Calls:
        """Call control API."""
        return Calls(session=self.session)

    @cached_property
    def voicemail(self) -> VoiceMessagingApi:
        """Voice messaging API."""
        return VoiceMessagingApi(session=self.session)


class WebexClients:
    """
    Builds every Webex API client of the bot, all on one connection pool.

    :param api_base: Webex API base URL (``WEBEX_API_BASE_URL``)
    :param bot_token: the bot's access token
    :param pool_size: connections kept per host
    :param retry: timeout and retry policy
    """

    def __init__(self, *, api_base: str, bot_token: str, pool_size: int = 32, retry: RetryPolicy = RetryPolicy()):
        self.api_base = api_base.rstrip('/')
        self.retry = retry
        self._adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size)
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
                            retry=self.retry, on_unauthorized=on_unauthorized, environment=self._environment)

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
