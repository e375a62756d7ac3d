"""
The Webex clients: base URL, which token each request carries, timeouts, bounded retries (urllib3's, on the
shared adapter) that never repeat an action, one shared connection pool.

`responses` plays the retries of status codes as urllib3 would (without the waits); lost and refused connections
need a real socket, which a tiny server on 127.0.0.1 provides.
"""
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import responses
from wxc_sdk.rest import RestError
from wxc_sdk.tokens import Tokens

from wxc_cc.webex import WebexClients, default_retry

pytestmark = pytest.mark.unit

API = 'https://gov.webex.test/v1'


@pytest.fixture
def clients() -> WebexClients:
    return WebexClients(api_base=f'{API}/', bot_token='bot-token', timeout=(1.0, 2.0))


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


def test_429_is_retried_whatever_the_method_then_given_up(clients, mock):
    mock.post(f'{API}/telephony/calls/dial', status=429, headers={'Retry-After': '0'})
    mock.post(f'{API}/telephony/calls/dial', status=201, json={'callId': 'C', 'callSessionId': 'S'})
    assert user(clients).calls.dial('1234').call_id == 'C'
    assert len(mock.calls) == 2, 'Webex did not act on a 429, so the dial is sent again'
    mock.calls.reset()
    mock.replace(responses.POST, f'{API}/telephony/calls/dial', status=429, headers={'Retry-After': '1'})
    with pytest.raises(RestError) as error:
        user(clients).calls.dial('1234')
    assert error.value.response.status_code == 429, "the last answer is Webex's, not a retry error"
    assert len(mock.calls) == 4, 'one try and three retries'


def test_waits_honour_retry_after_within_a_cap():
    retry = default_retry()
    assert retry.parse_retry_after('2') == 2 and retry.parse_retry_after('3600') == 10


def test_server_errors_retry_reads_only(clients, mock):
    mock.get(f'{API}/telephony/calls', status=503)
    mock.get(f'{API}/telephony/calls', json={'items': []})
    assert user(clients).calls.list_calls() == []
    assert len(mock.calls) == 2
    mock.calls.reset()
    mock.post(f'{API}/telephony/calls/hangup', status=500)
    with pytest.raises(RestError):
        user(clients).calls.hangup('C1')
    assert len(mock.calls) == 1, 'a hangup is never sent twice'


def test_a_reply_message_is_posted_again_after_a_server_error(clients, mock):
    mock.post(f'{API}/messages', status=502)
    mock.post(f'{API}/messages', json={'id': 'M1'})
    assert clients.bot.messages.create(to_person_id='P', markdown='hi').id == 'M1'
    assert len(mock.calls) == 2, 'a reply sent twice beats a lost one'


@pytest.fixture
def hanging_up_server() -> Iterator[str]:
    """A server on 127.0.0.1 that reads each request and closes the connection without an answer."""
    server = socket.socket()
    server.bind(('127.0.0.1', 0))
    server.listen(16)
    server.settimeout(0.2)
    stop, accepted = threading.Event(), []

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.recv(65536)
                accepted.append(1)
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f'http://127.0.0.1:{server.getsockname()[1]}/v1', accepted
    stop.set()
    thread.join(5)
    server.close()


def test_a_connection_lost_after_sending_is_retried_for_reads_only(hanging_up_server):
    api, accepted = hanging_up_server
    clients = WebexClients(api_base=api, bot_token='t', timeout=(1.0, 2.0))
    with pytest.raises(requests.ConnectionError):
        clients.user(Tokens(access_token='u'), 'USER').calls.list_calls()
    assert len(accepted) == 4, 'a read is tried again, three times'
    accepted.clear()
    with pytest.raises(requests.ConnectionError):
        clients.user(Tokens(access_token='u'), 'USER').calls.dial('1234')
    assert len(accepted) == 1, 'the dial may have been acted on: never sent twice'


def test_a_connection_that_cannot_be_made_is_retried_for_every_method(refused: int):
    clients = WebexClients(api_base=f'http://127.0.0.1:{refused}/v1', bot_token='t', timeout=(1.0, 2.0))
    with pytest.raises(requests.ConnectionError) as error:
        clients.user(Tokens(access_token='u'), 'USER').calls.dial('1234')
    assert 'Max retries exceeded' in str(error.value), 'nothing was sent, so it was tried again'


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


def test_the_bots_requests_are_not_limited_below_the_pool():
    """Every worker thread may wait on Webex with the bot's token at once (wxc_sdk limits a session to 10)."""
    clients = WebexClients(api_base=f'{API}/', bot_token='bot-token', pool_size=24)
    together = threading.Barrier(20, timeout=5)

    def me(request):
        together.wait()  # only returns once 20 requests are under way at the same time
        return 200, {'Content-Type': 'application/json'}, '{"id": "B", "emails": [], "displayName": "bot"}'

    with responses.RequestsMock() as mock:
        mock.add_callback(responses.GET, f'{API}/people/me', callback=me)
        with ThreadPoolExecutor(20) as pool:
            people = list(pool.map(lambda _: clients.bot.people.me(), range(20)))
    assert [person.person_id for person in people] == ['B'] * 20
