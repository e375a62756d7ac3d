"""
The Webex clients: base URL, which token each request carries, timeouts, bounded retries that never repeat an
action, one shared connection pool.
"""
import pytest
import requests
import responses
from wxc_sdk.rest import RestError
from wxc_sdk.tokens import Tokens

from wxc_cc.webex import RetryPolicy, WebexClients

API = 'https://gov.webex.test/v1'
FAST = RetryPolicy(max_429_retries=2, max_retry_after=0.01, max_get_retries=2, backoff=0.0, timeout=(1.0, 2.0))


@pytest.fixture
def clients() -> WebexClients:
    return WebexClients(api_base=f'{API}/', bot_token='bot-token', retry=FAST)


@pytest.fixture
def mock():
    with responses.RequestsMock() as rsps:
        yield rsps


def user(clients: WebexClients, token: str = 'user-token'):
    return clients.user(Tokens(access_token=token), 'USER')


def test_every_request_goes_to_the_configured_base_with_the_right_token(clients, mock):
    mock.get(f'{API}/people/me', json={'id': 'B', 'emails': [], 'displayName': 'bot'})
    mock.get(f'{API}/telephony/calls', json={'items': []})
    clients.bot.people.me()
    user(clients).calls.list_calls()
    assert [c.request.headers['Authorization'] for c in mock.calls] == ['Bearer bot-token', 'Bearer user-token']
    assert clients.url('access_token') == f'{API}/access_token'


def test_requests_have_a_timeout(clients, mock):
    mock.get(f'{API}/telephony/calls', json={'items': []})
    user(clients).calls.list_calls()
    assert mock.calls[0].request.req_kwargs['timeout'] == (1.0, 2.0)


def test_429_is_retried_after_retry_after_then_given_up(clients, mock):
    mock.post(f'{API}/telephony/calls/dial', status=429, headers={'Retry-After': '0'})
    mock.post(f'{API}/telephony/calls/dial', status=201, json={'callId': 'C', 'callSessionId': 'S'})
    assert user(clients).calls.dial('1234').call_id == 'C'
    assert len(mock.calls) == 2
    mock.calls.reset()
    mock.replace(responses.POST, f'{API}/telephony/calls/dial', status=429, headers={'Retry-After': '3600'})
    with pytest.raises(RestError) as error:
        user(clients).calls.dial('1234')
    assert error.value.response.status_code == 429
    assert len(mock.calls) == 3, 'one try and max_429_retries retries, each wait capped'


def test_server_errors_retry_gets_only(clients, mock):
    mock.get(f'{API}/telephony/calls', status=503)
    mock.get(f'{API}/telephony/calls', json={'items': []})
    assert user(clients).calls.list_calls() == []
    assert len(mock.calls) == 2
    mock.calls.reset()
    mock.post(f'{API}/telephony/calls/hangup', status=500)
    with pytest.raises(RestError):
        user(clients).calls.hangup('C1')
    assert len(mock.calls) == 1, 'a hangup is never sent twice'


def test_a_reply_message_is_retried_after_a_server_error(clients, mock):
    mock.post(f'{API}/messages', status=502)
    mock.post(f'{API}/messages', json={'id': 'M1'})
    assert clients.bot.messages.create(to_person_id='P', markdown='hi').id == 'M1'
    assert len(mock.calls) == 2


def test_connection_errors_retry_gets_only(clients, mock):
    mock.get(f'{API}/telephony/calls', body=requests.ConnectionError('reset'))
    mock.get(f'{API}/telephony/calls', json={'items': []})
    assert user(clients).calls.list_calls() == []
    mock.post(f'{API}/telephony/calls/dial', body=requests.ConnectionError('reset'))
    mock.calls.reset()
    with pytest.raises(requests.ConnectionError):
        user(clients).calls.dial('1234')
    assert len(mock.calls) == 1


def test_all_clients_share_one_connection_pool(clients):
    pools = {id(session.get_adapter(f'{API}/x')) for session in (
        clients.bot.session, user(clients, 'a').session, user(clients, 'b').session, clients.http)}
    assert len(pools) == 1


def test_closing_a_user_session_keeps_the_pool(clients, mock):
    mock.get(f'{API}/people/me', json={'id': 'B', 'emails': [], 'displayName': 'bot'})
    user(clients).session.close()
    clients.bot.people.me()


def test_proxy_settings_from_the_environment_are_kept(monkeypatch):
    monkeypatch.setenv('HTTPS_PROXY', 'http://proxy.example:3128')
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/ssl/certs/custom.pem')
    clients = WebexClients(api_base=API, bot_token='t')
    for session in (clients.bot.session, user(clients).session, clients.http):
        assert session.proxies.get('https') == 'http://proxy.example:3128'
        assert session.verify == '/etc/ssl/certs/custom.pem'
