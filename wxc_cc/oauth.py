"""
The OAuth authorization-code flow by which a user lets the bot act for them.

``/auth`` starts a flow (:meth:`~wxc_cc.stores.flows.FlowStore.start`) and sends the user the link from
:meth:`OAuthClient.auth_url`; Webex sends the user's browser back to ``/redirect``, where
:meth:`Authorization.complete` exchanges the code, checks that the person who consented is the one who asked,
and stores the tokens. When somebody else completed the flow, nothing is stored and neither person learns who the
other is.
"""
import logging
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlencode

import requests
from wxc_sdk.rest import RestError
from wxc_sdk.tokens import Tokens

from .errors import TokenRejected, webex_reason
from .messenger import Messenger
from .metrics import Metrics
from .replies import Replies, html_page
from .stores import FlowStore, TokenManager, UserContext
from .timezones import TimeZones
from .webex import WebexClients

__all__ = ['OAuthClient', 'RedirectOutcome', 'Authorization']

log = logging.getLogger(__name__)


class OAuthClient:
    """
    The bot's OAuth integration.

    :param client_id: integration client id
    :param client_secret: integration client secret
    :param scopes: space-separated scopes
    :param redirect_url: where Webex sends the browser back to
    :param clients: the Webex clients; their base URL and connection pool are used
    :param metrics: counts token refreshes (default: off)
    """

    def __init__(self, *, client_id: str, client_secret: str, scopes: str, redirect_url: str, clients: WebexClients,
                 metrics: Optional[Metrics] = None):
        self.client_id = client_id
        self._client_secret = client_secret
        self.scopes = scopes
        self.redirect_url = redirect_url
        self._clients = clients
        self.metrics = metrics or Metrics()

    def auth_url(self, state: str) -> str:
        """
        The URL that starts the flow in the user's browser.

        :param state: the flow id
        """
        query = urlencode({'client_id': self.client_id, 'response_type': 'code', 'redirect_uri': self.redirect_url,
                           'scope': self.scopes, 'state': state})
        return f'{self._clients.url("authorize")}?{query}'

    def exchange_code(self, code: str) -> Tokens:
        """
        Exchange the authorization code from the redirect for tokens.

        :param code: the ``code`` query parameter
        :raises TokenRejected: Webex refused the code
        """
        return self._token_request({'grant_type': 'authorization_code', 'code': code,
                                    'redirect_uri': self.redirect_url})

    def refresh(self, tokens: Tokens) -> Tokens:
        """
        New tokens for a refresh token. The refresh token is kept when Webex does not send a new one.

        :param tokens: the current tokens
        :raises TokenRejected: Webex refused the refresh token
        """
        try:
            new = self._token_request({'grant_type': 'refresh_token', 'refresh_token': tokens.refresh_token})
        except TokenRejected:
            self.metrics.token_refresh('rejected')
            raise
        except Exception:
            self.metrics.token_refresh('failed')
            raise
        self.metrics.token_refresh('ok')
        if not new.refresh_token:
            new.refresh_token = tokens.refresh_token
            new.refresh_token_expires_at = tokens.refresh_token_expires_at
        return new

    def _token_request(self, data: dict) -> Tokens:
        data = {**data, 'client_id': self.client_id, 'client_secret': self._client_secret}
        response = self._clients.http.post(self._clients.url('access_token'), data=data,
                                           timeout=self._clients.timeout)
        with response:
            if response.status_code in (400, 401):
                raise TokenRejected(webex_reason(RestError('token request refused', response=response)))
            if not response.ok:
                raise RestError(f'{response.status_code} from access_token', response=response)
            tokens = Tokens.model_validate(response.json())
        tokens.set_expiration()
        return tokens


@dataclass(frozen=True)
class RedirectOutcome:
    """
    What the browser is shown at the end of a flow.
    """
    status: int
    title: str
    text: str

    def html(self) -> str:
        """
        The page, rendered.
        """
        return html_page(self.title, self.text)


class Authorization:
    """
    Finishes OAuth flows at the redirect URL.

    :param flows: the pending flows
    :param tokens: where the tokens go
    :param oauth: the OAuth client (code exchange)
    :param clients: the Webex clients (``/people/me`` with the new token)
    :param messenger: tells the person in the chat how it went
    :param replies: the replies and page texts, in the deployment's language
    :param zones: keeps the time zone ``/people/me`` gives
    """

    def __init__(self, *, flows: FlowStore, tokens: TokenManager, oauth: OAuthClient, clients: WebexClients,
                 messenger: Messenger, replies: Replies, zones: TimeZones):
        self.flows = flows
        self.tokens = tokens
        self.oauth = oauth
        self.clients = clients
        self.messenger = messenger
        self.replies = replies
        self.zones = zones

    def complete(self, *, code: Optional[str], state: Optional[str], error: Optional[str]) -> RedirectOutcome:
        """
        Finish an OAuth flow: take the flow, exchange the code, check that the person who consented is the one who
        asked, store the tokens.

        :param code: the authorization code, if Webex sent one
        :param state: the flow id
        :param error: the error Webex sent instead of a code (e.g. the user declined)
        :return: what to show in the browser
        """
        t, replies, notify = self.replies.t, self.replies, self.messenger.tell
        user_id = self.flows.take(state) if state else None
        if user_id is None:
            log.warning('redirect with unknown, used or expired state')
            return RedirectOutcome(400, t('page.expired'), t('auth.flow_unknown'))
        if error or not code:
            log.info('authorization not granted by user %s: %s', user_id, error or 'no code')
            notify(t('auth.declined'), to_person_id=user_id)
            return RedirectOutcome(400, t('page.not_authorized'), t('auth.declined'))
        try:
            tokens = self.oauth.exchange_code(code)
            me = self.clients.user(tokens, user_id).people.me()
        except (TokenRejected, RestError, requests.RequestException) as failure:
            reason = str(failure) if isinstance(failure, TokenRejected) else webex_reason(failure, replies.catalogue)
            log.warning('authorization of user %s failed: %s', user_id,
                        str(failure) if isinstance(failure, TokenRejected) else webex_reason(failure))
            notify(replies.auth_failed(reason), to_person_id=user_id)
            return RedirectOutcome(502, t('page.failed'), replies.auth_failed(reason, markdown=False))
        if me.person_id != user_id:
            # neither learns who the other is: the link may have been sent to someone to find out their address
            log.warning('flow of user %s completed by another person %s, tokens dropped', user_id, me.person_id)
            notify(t('auth.wrong_person'), to_person_id=user_id)
            return RedirectOutcome(403, t('page.wrong_account'), t('auth.page_wrong_person'))
        email = me.emails[0] if me.emails else None
        reading = self.zones.reading(me)
        self.tokens.set_user_context(UserContext(user_id=user_id, email=email, tokens=tokens, **reading))
        log.info('user %s authorized, token valid until %s', user_id, tokens.expires_at)
        notify(replies.in_zone(reading['timezone']).auth_success(email, tokens), to_person_id=user_id)
        return RedirectOutcome(200, t('page.authorized'), t('auth.page_success'))
