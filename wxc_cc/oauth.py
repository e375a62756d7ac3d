"""
The OAuth authorization-code flow by which a user lets the bot act for them.

``/auth`` starts a flow (:meth:`~wxc_cc.stores.TokenManager.start_flow`) and sends the user the link from
:meth:`OAuthClient.auth_url`; Webex sends the user's browser back to ``/redirect``, where
:func:`complete_authorization` exchanges the code, checks that the person who consented is the one who asked,
and stores the tokens.
"""
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlencode

import requests
from wxc_sdk.rest import RestError
from wxc_sdk.tokens import Tokens

from . import replies
from .errors import TokenRejected, webex_reason
from .locales import t
from .stores import TokenManager, UserContext
from .webex import WebexClients

__all__ = ['OAuthClient', 'RedirectOutcome', 'complete_authorization']

log = logging.getLogger(__name__)


class OAuthClient:
    """
    The bot's OAuth integration.

    :param client_id: integration client id
    :param client_secret: integration client secret
    :param scopes: space-separated scopes
    :param redirect_url: where Webex sends the browser back to
    :param clients: the Webex clients; their base URL and connection pool are used
    """

    def __init__(self, *, client_id: str, client_secret: str, scopes: str, redirect_url: str, clients: WebexClients):
        self.client_id = client_id
        self._client_secret = client_secret
        self.scopes = scopes
        self.redirect_url = redirect_url
        self._clients = clients

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
        new = self._token_request({'grant_type': 'refresh_token', 'refresh_token': tokens.refresh_token})
        if not new.refresh_token:
            new.refresh_token = tokens.refresh_token
            new.refresh_token_expires_at = tokens.refresh_token_expires_at
        return new

    def _token_request(self, data: dict) -> Tokens:
        data = {**data, 'client_id': self.client_id, 'client_secret': self._client_secret}
        response = self._clients.http.post(self._clients.url('access_token'), data=data,
                                           timeout=self._clients.retry.timeout)
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
        return replies.html_page(self.title, self.text)


#: sends a chat message (markdown) to a person id; never raises
Notify = Callable[[str, str], None]


def complete_authorization(*, code: Optional[str], state: Optional[str], error: Optional[str],
                           store: TokenManager, oauth: OAuthClient, clients: WebexClients,
                           notify: Notify) -> RedirectOutcome:
    """
    Finish an OAuth flow at the redirect URL.

    :param code: the authorization code, if Webex sent one
    :param state: the flow id
    :param error: the error Webex sent instead of a code (e.g. the user declined)
    :param store: the token store holding the flow
    :param oauth: the OAuth client
    :param clients: the Webex clients (``/people/me`` with the new token)
    :param notify: sends a chat message to a person id
    :return: what to show in the browser
    """
    user_id = store.take_flow(state) if state else None
    if user_id is None:
        log.warning('redirect with unknown, used or expired state')
        return RedirectOutcome(400, t('page.expired'), t('auth.flow_unknown'))
    if error or not code:
        log.info('authorization not granted by user %s: %s', user_id, error or 'no code')
        notify(user_id, t('auth.declined'))
        return RedirectOutcome(400, t('page.not_authorized'), t('auth.declined'))
    try:
        tokens = oauth.exchange_code(code)
        me = clients.user(tokens, user_id).people.me()
    except (TokenRejected, RestError, requests.RequestException) as failure:
        reason = str(failure) if isinstance(failure, TokenRejected) else webex_reason(failure)
        log.warning('authorization of user %s failed: %s', user_id, reason)
        notify(user_id, replies.auth_failed(reason))
        return RedirectOutcome(502, t('page.failed'), replies.auth_failed(reason, markdown=False))
    email = me.emails[0] if me.emails else None
    if me.person_id != user_id:
        log.warning('flow of user %s completed by another person %s, tokens dropped', user_id, me.person_id)
        notify(user_id, replies.auth_wrong_person(email))
        return RedirectOutcome(403, t('page.wrong_account'), replies.auth_wrong_person(email, markdown=False))
    store.set_user_context(UserContext(user_id=user_id, email=email, tokens=tokens))
    log.info('user %s authorized, token valid until %s', user_id, tokens.expires_at)
    notify(user_id, replies.auth_success(email, tokens))
    return RedirectOutcome(200, t('page.authorized'), t('auth.page_success'))
