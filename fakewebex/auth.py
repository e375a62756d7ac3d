"""
OAuth integrations, authorization codes and tokens (no HTTP here).
"""
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Optional
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .errors import WebexError
from .ids import new_id, new_secret
from .models import Person

if TYPE_CHECKING:
    from .world import World

__all__ = ['Integration', 'Token', 'AuthorizeError', 'TokenAuthority']

log = logging.getLogger(__name__)

#: authorization codes are valid for this many seconds
CODE_LIFETIME = 600


@dataclass
class Integration:
    """
    An OAuth client known to the fake.
    """
    client_id: str
    client_secret: str
    #: application id the integration's tokens act for (``appId`` of webhooks)
    app_id: str
    #: allowed redirect URIs; empty: any
    redirect_uris: tuple[str, ...] = ()
    #: space-separated scopes granted when a request names none
    scopes: str = ''
    #: name shown on the consent page
    name: str = ''


@dataclass
class Token:
    """
    An access token (``'bot'`` or ``'access'``) or a refresh token (``'refresh'``).
    """
    value: str
    kind: str
    person_id: str
    app_id: str
    client_id: Optional[str]
    scope: str
    #: expiry (seconds since the epoch); None: never
    expires_at: Optional[float]

    def valid(self, now: float) -> bool:
        """
        :param now: current time
        :return: True unless expired
        """
        return self.expires_at is None or now <= self.expires_at


@dataclass
class _Code:
    client_id: str
    person_id: str
    redirect_uri: str
    scope: str
    expires_at: float


class AuthorizeError(Exception):
    """
    The authorize page cannot redirect; Webex then shows an error page in the browser.
    """


def _add_query(url: str, params: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


class TokenAuthority:
    """
    Issues and checks tokens for the :class:`~fakewebex.world.World` it belongs to.

    The attributes below are meant to be set by tests.
    """

    def __init__(self, world: 'World'):
        """
        :param world: owner; provides lock, clock and people
        """
        self._world = world
        self.access_token_lifetime: int = 1209600
        self.refresh_token_lifetime: int = 7776000
        #: True: a refresh grant replaces the refresh token; False (Webex behaviour): it is kept
        self.rotate_refresh_tokens: bool = False
        #: the person signed in to the "browser" that visits the authorize URL
        self.consent_as: Optional[Person] = None
        #: ``'allow'`` or ``'deny'``: what that person clicks on the consent page
        self.consent_decision: str = 'allow'
        #: True: ``GET /authorize`` shows a consent page (person, scopes, Allow/Deny) to a real browser instead
        #: of deciding at once as :attr:`consent_as`
        self.consent_page: bool = False
        self._integrations: dict[str, Integration] = {}
        self._codes: dict[str, _Code] = {}
        self._tokens: dict[str, Token] = {}
        #: every token value and authorization code ever issued, also those since replaced or used (for tests that
        #: look for leaks)
        self.issued: list[str] = []

    def add_integration(self, client_id: str, client_secret: str, redirect_uris: tuple[str, ...] = (),
                        scopes: str = '', name: str = '') -> Integration:
        """
        Register an OAuth client.

        :param client_id: client id
        :param client_secret: client secret
        :param redirect_uris: allowed redirect URIs; empty allows any
        :param scopes: default scopes of issued tokens
        :param name: name shown on the consent page
        :return: the integration
        """
        with self._world.lock:
            integration = Integration(client_id, client_secret, new_id('APPLICATION'), tuple(redirect_uris), scopes,
                                      name)
            self._integrations[client_id] = integration
            return integration

    def bot_token(self, person: Person, app_id: str) -> str:
        """
        Create the non-expiring access token of a bot.

        :param person: the bot
        :param app_id: the bot's application id
        :return: the token
        """
        return self._new_token('bot', person.id, app_id, None, '', None).value

    def check(self, params: Mapping[str, str]) -> Integration:
        """
        Validate an authorize request, as Webex does before it shows the consent page.

        :param params: query parameters ``client_id, response_type, redirect_uri, scope, state``
        :return: the integration asking
        :raises AuthorizeError: when Webex would show an error page instead of redirecting
        """
        with self._world.lock:
            integration = self._integrations.get(params.get('client_id', ''))
            redirect_uri = params.get('redirect_uri', '')
            if integration is None:
                raise AuthorizeError('Invalid client_id: the integration is unknown.')
            if params.get('response_type') != 'code':
                raise AuthorizeError('Unsupported response_type; only "code" is supported.')
            if not redirect_uri or (integration.redirect_uris and redirect_uri not in integration.redirect_uris):
                raise AuthorizeError('Invalid redirect_uri for this integration.')
            return integration

    def authorize(self, params: Mapping[str, str]) -> str:
        """
        The browser visits the authorize URL as :attr:`consent_as`, who decides :attr:`consent_decision` at once.

        :param params: query parameters ``client_id, response_type, redirect_uri, scope, state``
        :return: URL to redirect the browser to (with ``code`` or ``error``)
        :raises AuthorizeError: when Webex would show an error page instead of redirecting
        """
        with self._world.lock:
            self.check(params)
            if self.consent_as is None:
                raise AuthorizeError('Nobody is signed in to the fake Webex (set consent_as).')
            return self.decide(params, self.consent_as, self.consent_decision)

    def decide(self, params: Mapping[str, str], person: Person, decision: str) -> str:
        """
        ``person`` answers the consent page of an authorize request.

        :param params: the authorize request's parameters
        :param person: who is signed in and decides
        :param decision: ``'allow'``; anything else denies
        :return: URL to redirect the browser to: ``redirect_uri`` with ``code`` (and ``state``) or
            ``error=access_denied``
        :raises AuthorizeError: when the request is invalid
        """
        with self._world.lock:
            integration = self.check(params)
            redirect_uri = params['redirect_uri']
            state = {'state': params['state']} if 'state' in params else {}
            if decision != 'allow':
                return _add_query(redirect_uri, {'error': 'access_denied',
                                                 'error_description': 'The user denied the request.', **state})
            code = new_secret()
            self.issued.append(code)
            self._codes[code] = _Code(integration.client_id, person.id, redirect_uri,
                                      params.get('scope') or integration.scopes, self._world.now() + CODE_LIFETIME)
            return _add_query(redirect_uri, {'code': code, **state})

    def grant(self, form: Mapping[str, str]) -> dict:
        """
        The token endpoint: ``authorization_code`` and ``refresh_token`` grants.

        :param form: the form fields of the request
        :return: token response
        :raises WebexError: 400 for a bad client, code, refresh token or grant type
        """
        with self._world.lock:
            integration = self._integrations.get(form.get('client_id', ''))
            if integration is None or integration.client_secret != form.get('client_secret'):
                raise WebexError(400, 'Invalid client', 'client_id or client_secret is invalid')
            grant_type = form.get('grant_type')
            if grant_type == 'authorization_code':
                return self._grant_code(integration, form)
            if grant_type == 'refresh_token':
                return self._grant_refresh(integration, form.get('refresh_token', ''))
            raise WebexError(400, 'Unsupported grant type', f'grant_type {grant_type!r} is not supported')

    def _grant_code(self, integration: Integration, form: Mapping[str, str]) -> dict:
        code = self._codes.get(form.get('code', ''))
        if code is None or code.client_id != integration.client_id or code.expires_at < self._world.now():
            raise WebexError(400, 'Invalid grant', 'The authorization code is invalid or expired')
        if code.redirect_uri != form.get('redirect_uri'):
            raise WebexError(400, 'Invalid grant', 'redirect_uri does not match the one used to authorize')
        del self._codes[form['code']]
        return self._token_response(integration, code.person_id, code.scope, None)

    def _grant_refresh(self, integration: Integration, value: str) -> dict:
        refresh = self._tokens.get(value)
        if (refresh is None or refresh.kind != 'refresh' or refresh.client_id != integration.client_id
                or not refresh.valid(self._world.now())):
            raise WebexError(400, 'Invalid grant', 'The refresh token is invalid or expired')
        if self.rotate_refresh_tokens:
            del self._tokens[value]
            return self._token_response(integration, refresh.person_id, refresh.scope, None)
        return self._token_response(integration, refresh.person_id, refresh.scope, refresh)

    def issue(self, person: Person, client_id: Optional[str] = None, scope: Optional[str] = None) -> dict:
        """
        Issue tokens as if ``person`` had completed the authorization code flow.

        :param person: token owner
        :param client_id: integration; may be omitted if exactly one is registered
        :param scope: scopes; default: those of the integration
        :return: token response as the token endpoint returns it
        """
        with self._world.lock:
            if client_id is None and len(self._integrations) == 1:
                client_id = next(iter(self._integrations))
            integration = self._integrations.get(client_id or '')
            if integration is None:
                raise ValueError(f'unknown integration {client_id!r}; call add_integration() first')
            return self._token_response(integration, person.id, scope or integration.scopes, None)

    def _token_response(self, integration: Integration, person_id: str, scope: str,
                        refresh: Optional[Token]) -> dict:
        """
        New access token plus the given refresh token, or a new one if None.
        """
        now = self._world.now()
        access = self._new_token('access', person_id, integration.app_id, integration.client_id, scope,
                                 now + self.access_token_lifetime)
        if refresh is None:
            refresh = self._new_token('refresh', person_id, integration.app_id, integration.client_id, scope,
                                      now + self.refresh_token_lifetime)
        return {'access_token': access.value,
                'expires_in': self.access_token_lifetime,
                'refresh_token': refresh.value,
                'refresh_token_expires_in': max(0, int(refresh.expires_at - now)),
                'token_type': 'Bearer',
                'scope': scope}

    def _new_token(self, kind: str, person_id: str, app_id: str, client_id: Optional[str], scope: str,
                   expires_at: Optional[float]) -> Token:
        with self._world.lock:
            token = Token(new_secret(48), kind, person_id, app_id, client_id, scope, expires_at)
            self._tokens[token.value] = token
            self.issued.append(token.value)
            return token

    def resolve(self, value: str) -> Optional[Token]:
        """
        Look up a bearer token.

        :param value: the token from the Authorization header
        :return: the valid (unexpired) access or bot token, None otherwise
        """
        with self._world.lock:
            token = self._tokens.get(value)
            if token is None or token.kind == 'refresh' or not token.valid(self._world.now()):
                return None
            return token

    def expire_access_tokens(self, person: Person) -> int:
        """
        Let all current access tokens of a person (bot tokens included) expire now.

        :param person: token owner
        :return: number of tokens expired
        """
        with self._world.lock:
            expired = self._world.now() - 1
            tokens = [t for t in self._tokens.values()
                      if t.person_id == person.id and t.kind != 'refresh' and t.valid(expired + 1)]
            for token in tokens:
                token.expires_at = expired
            return len(tokens)
