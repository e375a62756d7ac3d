"""
Tests of the fake Webex cloud (:mod:`fakewebex`), through real HTTP on 127.0.0.1.
"""
import base64
import hashlib
import hmac
import json
import logging
import re
import threading
from typing import Any, Iterator, Optional
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from werkzeug.wrappers import Request, Response

from fakewebex import FakeWebex, Person
from fakewebex.delivery import sign
from fakewebex.httpserver import ServerThread
from fakewebex.ids import decode_id, kind_of, new_id

log = logging.getLogger(__name__)

CLIENT_ID, CLIENT_SECRET = 'cid', 'csecret'
REDIRECT_URI = 'http://127.0.0.1:9/redirect'
CALL_SCOPES = 'spark:calls_write spark:calls_read spark:people_read'
TOKEN_MESSAGE = 'The request requires a valid access token set in the Authorization request header.'


# --- helpers and fixtures

class Client:
    """
    Minimal REST client for the fake: base URL plus bearer token.
    """

    def __init__(self, base_url: str, token: Optional[str] = None):
        self.base_url, self.token = base_url, token

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = kwargs.pop('headers', {})
        if self.token:
            headers['Authorization'] = f'Bearer {self.token}'
        return requests.request(method, self.base_url + path, headers=headers, timeout=5, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call('GET', path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call('POST', path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call('PUT', path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call('DELETE', path, **kwargs)


class Receiver:
    """
    A local webhook receiver recording every POST.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[dict] = []
        self.server = ServerThread(self._app, name='test-receiver')

    def _app(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        with self._lock:
            self._received.append({'path': request.path, 'headers': dict(request.headers),
                                   'raw': request.get_data()})
        return Response('ok')(environ, start_response)

    def url(self, path: str = '/hook') -> str:
        return self.server.url + path

    @property
    def received(self) -> list[dict]:
        with self._lock:
            return list(self._received)

    def bodies(self) -> list[dict]:
        return [json.loads(r['raw']) for r in self.received]


@pytest.fixture
def fake() -> Iterator[FakeWebex]:
    with FakeWebex() as fake:
        fake.add_integration(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, scopes=CALL_SCOPES)
        yield fake


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver.server.start()
    yield receiver
    receiver.server.stop()


@pytest.fixture
def bot(fake: FakeWebex) -> Person:
    return fake.add_bot(email='ccbot@webex.bot', display_name='CC Bot')


@pytest.fixture
def alice(fake: FakeWebex) -> Person:
    return fake.add_person(email='alice@example.com', display_name='Alice Example', extension='1001',
                           number='+14085551001')


@pytest.fixture
def bob(fake: FakeWebex) -> Person:
    return fake.add_person(email='bob@example.com', display_name='Bob Builder', extension='1002',
                           number='+14085551002')


def client(fake: FakeWebex, who: Optional[Person] = None) -> Client:
    """
    A client acting as ``who``: the bot token for bots, fresh OAuth tokens for people, none if None.
    """
    if who is None:
        return Client(fake.base_url)
    return Client(fake.base_url, who.token or fake.issue_tokens(who, client_id=CLIENT_ID)['access_token'])


def authorize(fake: FakeWebex, state: str = 'flow-1', redirect_uri: str = REDIRECT_URI,
              client_id: str = CLIENT_ID) -> requests.Response:
    return requests.get(f'{fake.base_url}/authorize', allow_redirects=False, timeout=5,
                        params={'client_id': client_id, 'response_type': 'code', 'redirect_uri': redirect_uri,
                                'scope': CALL_SCOPES, 'state': state})


def exchange_code(fake: FakeWebex, code: str, redirect_uri: str = REDIRECT_URI) -> requests.Response:
    return requests.post(f'{fake.base_url}/access_token', timeout=5,
                         data={'grant_type': 'authorization_code', 'client_id': CLIENT_ID,
                               'client_secret': CLIENT_SECRET, 'code': code, 'redirect_uri': redirect_uri})


def refresh(fake: FakeWebex, refresh_token: str) -> requests.Response:
    return requests.post(f'{fake.base_url}/access_token', timeout=5,
                         data={'grant_type': 'refresh_token', 'client_id': CLIENT_ID,
                               'client_secret': CLIENT_SECRET, 'refresh_token': refresh_token})


def query_of(response: requests.Response) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers['Location']).query).items()}


def assert_webex_error(response: requests.Response, status: int, description: Optional[str] = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {'message', 'errors', 'trackingId'}
    assert body['trackingId'].startswith('FAKE_') and response.headers['trackingid'] == body['trackingId']
    if description is not None:
        assert description in body['errors'][0]['description'] + body['message']
    return body


def add_webhook(api: Client, target_url: str, resource: str = 'messages', event: str = 'created',
                **extra: Any) -> dict:
    response = api.post('/webhooks', json={'name': f'{resource}.{event}', 'targetUrl': target_url,
                                           'resource': resource, 'event': event, **extra})
    assert response.status_code == 200, response.text
    return response.json()


# --- ids, people, authentication

def test_ids_look_like_webex_ids(bot: Person) -> None:
    webex_id = new_id('ROOM')
    raw = base64.b64decode(webex_id + '=' * (-len(webex_id) % 4)).decode()
    assert re.fullmatch(r'ciscospark://us/ROOM/[0-9a-f-]{36}', raw)
    assert re.fullmatch(r'[A-Za-z0-9]+', webex_id), 'no padding, no URL-unsafe characters'
    assert decode_id(webex_id) == ('ROOM', raw.rsplit('/', 1)[1])
    assert kind_of(bot.id) == 'PEOPLE' and kind_of(bot.org_id) == 'ORGANIZATION'
    assert kind_of('not-an-id') is None
    with pytest.raises(ValueError):
        new_id('BANANA')


def test_people_me_with_bot_token(fake: FakeWebex, bot: Person, alice: Person) -> None:
    response = client(fake, bot).get('/people/me')
    assert response.status_code == 200
    me = response.json()
    assert me['id'] == bot.id and me['emails'] == ['ccbot@webex.bot'] and me['type'] == 'bot'
    assert (me['displayName'], me['firstName'], me['lastName']) == ('CC Bot', 'CC', 'Bot')
    assert me['orgId'] == bot.org_id == alice.org_id
    assert re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z', me['created'])
    other = client(fake, bot).get(f'/people/{alice.id}').json()
    assert other['emails'] == ['alice@example.com'] and other['type'] == 'person'
    assert_webex_error(client(fake, bot).get(f'/people/{new_id("PEOPLE")}'), 404)


@pytest.mark.parametrize('token', [None, 'bogus-token'])
def test_missing_or_unknown_token_is_401(fake: FakeWebex, bot: Person, token: Optional[str]) -> None:
    body = assert_webex_error(Client(fake.base_url, token).get('/people/me'), 401)
    assert body['message'] == TOKEN_MESSAGE


def test_expired_token_is_401(fake: FakeWebex, alice: Person) -> None:
    api = client(fake, alice)
    assert api.get('/people/me').status_code == 200
    assert fake.expire_access_tokens(alice) == 1
    assert_webex_error(api.get('/people/me'), 401)


def test_short_token_lifetime_expires(fake: FakeWebex, alice: Person) -> None:
    fake.access_token_lifetime = -1
    tokens = fake.issue_tokens(alice, client_id=CLIENT_ID)
    assert tokens['expires_in'] == -1
    assert_webex_error(Client(fake.base_url, tokens['access_token']).get('/people/me'), 401)


# --- OAuth

def test_oauth_code_flow(fake: FakeWebex, alice: Person) -> None:
    fake.consent_as = alice
    response = authorize(fake)
    assert response.status_code == 302
    assert response.headers['Location'].startswith(REDIRECT_URI + '?')
    params = query_of(response)
    assert params['state'] == 'flow-1' and params['code']
    tokens = exchange_code(fake, params['code'])
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert set(body) == {'access_token', 'expires_in', 'refresh_token', 'refresh_token_expires_in', 'token_type',
                         'scope'}
    assert (body['expires_in'], body['refresh_token_expires_in']) == (1209600, 7776000)
    assert body['token_type'] == 'Bearer' and body['scope'] == CALL_SCOPES
    assert Client(fake.base_url, body['access_token']).get('/people/me').json()['id'] == alice.id
    # codes are single-use
    assert_webex_error(exchange_code(fake, params['code']), 400, 'Invalid grant')


def test_oauth_redirect_uri_mismatch(fake: FakeWebex, alice: Person) -> None:
    fake.consent_as = alice
    code = query_of(authorize(fake))['code']
    assert_webex_error(exchange_code(fake, code, redirect_uri='http://127.0.0.1:9/other'), 400, 'redirect_uri')


def test_oauth_deny(fake: FakeWebex, alice: Person) -> None:
    fake.consent_as, fake.consent_decision = alice, 'deny'
    response = authorize(fake, state='s2')
    assert response.status_code == 302
    params = query_of(response)
    assert params['error'] == 'access_denied' and params['state'] == 's2' and 'code' not in params


def test_authorize_error_pages(fake: FakeWebex, alice: Person) -> None:
    response = authorize(fake)
    assert response.status_code == 400 and 'text/html' in response.headers['Content-Type']
    assert 'signed in' in response.text
    fake.consent_as = alice
    response = authorize(fake, client_id='unknown')
    assert response.status_code == 400 and 'client_id' in response.text


def test_bad_client_secret(fake: FakeWebex, alice: Person) -> None:
    tokens = fake.issue_tokens(alice, client_id=CLIENT_ID)
    response = requests.post(f'{fake.base_url}/access_token', timeout=5,
                             data={'grant_type': 'refresh_token', 'client_id': CLIENT_ID,
                                   'client_secret': 'wrong', 'refresh_token': tokens['refresh_token']})
    assert_webex_error(response, 400, 'Invalid client')


def test_refresh_with_rotation(fake: FakeWebex, alice: Person) -> None:
    fake.rotate_refresh_tokens = True
    old = fake.issue_tokens(alice, client_id=CLIENT_ID)
    fake.expire_access_tokens(alice)
    assert_webex_error(Client(fake.base_url, old['access_token']).get('/people/me'), 401)
    response = refresh(fake, old['refresh_token'])
    assert response.status_code == 200, response.text
    new = response.json()
    assert new['access_token'] != old['access_token'] and new['refresh_token'] != old['refresh_token']
    assert Client(fake.base_url, new['access_token']).get('/people/me').json()['id'] == alice.id
    assert_webex_error(refresh(fake, old['refresh_token']), 400, 'Invalid grant')
    assert refresh(fake, new['refresh_token']).status_code == 200


def test_refresh_without_rotation_keeps_refresh_token(fake: FakeWebex, alice: Person) -> None:
    old = fake.issue_tokens(alice, client_id=CLIENT_ID)
    new = refresh(fake, old['refresh_token']).json()
    assert new['refresh_token'] == old['refresh_token'] and new['access_token'] != old['access_token']
    # old access tokens stay valid until they expire
    assert Client(fake.base_url, old['access_token']).get('/people/me').status_code == 200
    assert refresh(fake, old['refresh_token']).status_code == 200


# --- messages

def test_post_and_get_messages(fake: FakeWebex, bot: Person, alice: Person) -> None:
    carol = fake.add_person(email='carol@example.com', display_name='Carol')
    api = client(fake, bot)
    response = api.post('/messages', json={'toPersonEmail': alice.email, 'markdown': '**hello**'})
    assert response.status_code == 200, response.text
    message = response.json()
    assert message['roomId'] == fake.direct_room(alice, bot) and message['roomType'] == 'direct'
    assert (message['personId'], message['personEmail'], message['markdown']) == (bot.id, bot.email, '**hello**')
    assert kind_of(message['id']) == 'MESSAGE'
    assert api.get(f'/messages/{message["id"]}').json() == message
    assert client(fake, alice).get(f'/messages/{message["id"]}').json()['text'] == '**hello**'
    assert_webex_error(client(fake, carol).get(f'/messages/{message["id"]}'), 404)
    reply = api.post('/messages', json={'roomId': message['roomId'], 'text': 'again', 'parentId': message['id']})
    assert reply.json()['parentId'] == message['id']
    assert [m['text'] for m in fake.messages(person=alice)] == ['**hello**', 'again']
    assert_webex_error(client(fake, carol).post('/messages', json={'roomId': message['roomId'], 'text': 'x'}),
                       404)
    assert_webex_error(api.post('/messages', json={'text': 'nowhere'}), 400)


def test_message_length_limit_counts_utf8_bytes(fake: FakeWebex, bot: Person, alice: Person) -> None:
    api = client(fake, bot)
    ok = api.post('/messages', json={'toPersonId': alice.id, 'markdown': 'x' * 7439})
    assert ok.status_code == 200
    too_long = api.post('/messages', json={'toPersonId': alice.id, 'markdown': 'é' * 3720})
    body = assert_webex_error(too_long, 400)
    assert body['message'] == 'Message exceeds the maximum length'
    assert len(fake.messages(person=alice)) == 1


def test_delete_message(fake: FakeWebex, bot: Person, alice: Person) -> None:
    message = fake.send_message(alice, 'delete me')
    assert_webex_error(client(fake, bot).delete(f'/messages/{message["id"]}'), 403)
    assert client(fake, alice).delete(f'/messages/{message["id"]}').status_code == 204
    assert_webex_error(client(fake, alice).get(f'/messages/{message["id"]}'), 404)
    assert fake.messages(person=alice) == []


def test_wait_for_message_wakes_on_new_message(fake: FakeWebex, bot: Person, alice: Person) -> None:
    writer = threading.Timer(0.05, fake.send_message, args=(alice, 'late'))
    writer.start()
    try:
        assert fake.wait_for_message(lambda m: m['text'] == 'late', timeout=5)['personId'] == alice.id
    finally:
        writer.join(5)
    with pytest.raises(AssertionError, match="'late'"):
        fake.wait_for_message(lambda m: m['text'] == 'never', timeout=0.1)


def test_group_room_and_mentions(fake: FakeWebex, bot: Person, alice: Person, bob: Person) -> None:
    room_id = fake.add_group_room('Team', members=[alice, bob, bot])
    message = fake.send_message(alice, 'CC Bot /help', room_id=room_id, mentions=[bot])
    assert message['roomType'] == 'group' and message['mentionedPeople'] == [bot.id]
    assert client(fake, bob).get(f'/messages/{message["id"]}').status_code == 200
    assert fake.messages(room_id, author=bob) == [] and len(fake.messages(author=alice)) == 1


# --- webhooks and notifications

def test_webhook_crud_and_owner_isolation(fake: FakeWebex, bot: Person, alice: Person) -> None:
    api, other = client(fake, bot), client(fake, alice)
    hook = add_webhook(api, 'http://127.0.0.1:9/hook', filter=f'personEmail={alice.email}', secret='s3')
    assert kind_of(hook['id']) == 'WEBHOOK'
    assert (hook['status'], hook['ownedBy'], hook['createdBy'], hook['orgId']) == (
        'active', 'creator', bot.id, bot.org_id)
    assert hook['secret'] == 's3' and hook['filter'] == f'personEmail={alice.email}' and hook['appId']
    assert api.get('/webhooks').json()['items'] == [hook]
    assert api.get(f'/webhooks/{hook["id"]}').json() == hook
    assert other.get('/webhooks').json()['items'] == []
    assert_webex_error(other.get(f'/webhooks/{hook["id"]}'), 404)
    assert_webex_error(other.put(f'/webhooks/{hook["id"]}', json={'name': 'x', 'targetUrl': 'http://a/b'}), 404)
    assert_webex_error(other.delete(f'/webhooks/{hook["id"]}'), 404)
    assert_webex_error(api.put(f'/webhooks/{hook["id"]}', json={'name': 'renamed'}), 400, 'targetUrl')
    updated = api.put(f'/webhooks/{hook["id"]}', json={'name': 'renamed', 'targetUrl': 'http://127.0.0.1:9/new',
                                                        'status': 'inactive'}).json()
    assert (updated['name'], updated['targetUrl'], updated['status']) == ('renamed', 'http://127.0.0.1:9/new',
                                                                         'inactive')
    assert fake.webhooks(owner=bot) == [updated] and fake.webhooks(owner=alice) == []
    assert_webex_error(api.post('/webhooks', json={'name': 'n', 'targetUrl': 'http://a/b', 'resource': 'nope',
                                                   'event': 'created'}), 400)
    assert api.delete(f'/webhooks/{hook["id"]}').status_code == 204
    assert_webex_error(api.get(f'/webhooks/{hook["id"]}'), 404)


def test_message_notification_is_signed(fake: FakeWebex, bot: Person, alice: Person, receiver: Receiver) -> None:
    hook = add_webhook(client(fake, bot), receiver.url('/bot'), secret='top-secret')
    message = fake.send_message(alice, '/dial 1002')
    fake.wait_deliveries_idle()
    [received] = receiver.received
    raw = received['raw']
    assert received['path'] == '/bot' and received['headers']['Content-Type'] == 'application/json'
    assert received['headers']['X-Spark-Signature'] == hmac.new(b'top-secret', raw, hashlib.sha1).hexdigest()
    body = json.loads(raw)
    assert (body['id'], body['resource'], body['event'], body['actorId']) == (hook['id'], 'messages', 'created',
                                                                            alice.id)
    assert 'secret' not in body and body['createdBy'] == bot.id and body['ownedBy'] == 'creator'
    assert body['data'] == {k: message[k] for k in ('id', 'roomId', 'roomType', 'personId', 'personEmail',
                                                    'created')}
    [delivery] = fake.deliveries
    assert (delivery.webhook_id, delivery.status_code, delivery.error, delivery.body) == (hook['id'], 200, None,
                                                                                          body)


def test_unsigned_inactive_and_filtered_webhooks(fake: FakeWebex, bot: Person, alice: Person, bob: Person,
                                                 receiver: Receiver) -> None:
    api = client(fake, bot)
    add_webhook(api, receiver.url('/plain'))
    inactive = add_webhook(api, receiver.url('/inactive'), secret='x')
    fake.set_webhook_status(inactive['id'], 'inactive')
    add_webhook(api, receiver.url('/bob-only'), filter=f'personEmail={bob.email}')
    add_webhook(client(fake, bob), receiver.url('/not-a-member'))
    fake.send_message(alice, 'hello')
    fake.wait_deliveries_idle()
    [received] = receiver.received
    assert received['path'] == '/plain' and 'X-Spark-Signature' not in received['headers']


def test_bot_own_message_is_delivered(fake: FakeWebex, bot: Person, alice: Person, receiver: Receiver) -> None:
    add_webhook(client(fake, bot), receiver.url())
    fake.send_message(alice, 'first')
    sent = client(fake, bot).post('/messages', json={'toPersonEmail': alice.email, 'text': 'reply'}).json()
    fake.wait_deliveries_idle()
    assert [b['data']['personId'] for b in receiver.bodies()] == [alice.id, bot.id]
    assert receiver.bodies()[1]['data']['id'] == sent['id']


def test_bot_hears_group_messages_only_when_mentioned(fake: FakeWebex, bot: Person, alice: Person, bob: Person,
                                                      receiver: Receiver) -> None:
    add_webhook(client(fake, bot), receiver.url())
    room_id = fake.add_group_room('Team', members=[alice, bob, bot])
    fake.send_message(alice, 'just chatting', room_id=room_id)
    mention = fake.send_message(alice, 'CC Bot /help', room_id=room_id, mentions=[bot])
    fake.wait_deliveries_idle()
    assert [b['data']['id'] for b in receiver.bodies()] == [mention['id']]


def test_failed_delivery_is_recorded(fake: FakeWebex, bot: Person, alice: Person, receiver: Receiver) -> None:
    add_webhook(client(fake, bot), receiver.url())
    receiver.server.stop()
    fake.send_message(alice, 'nobody listens')
    fake.wait_deliveries_idle()
    [delivery] = fake.deliveries
    assert delivery.status_code is None and 'ConnectionError' in delivery.error


# --- telephony

def call_events(receiver: Receiver) -> list[tuple[str, str, str]]:
    return [(b['event'], b['data']['eventType'], b['data']['state']) for b in receiver.bodies()]


def test_dial_remote_answer_hangup(fake: FakeWebex, alice: Person, receiver: Receiver) -> None:
    api = client(fake, alice)
    add_webhook(api, receiver.url(), resource='telephony_calls', event='all')
    response = api.post('/telephony/calls/dial', json={'destination': '+14155550100'})
    assert response.status_code == 201
    call_id = response.json()['callId']
    assert kind_of(call_id) == 'CALL' and response.json()['callSessionId']
    [call] = api.get('/telephony/calls').json()['items']
    assert (call['id'], call['personality'], call['state'], call['appearance']) == (call_id, 'originator',
                                                                                    'connecting', 1)
    assert call['remoteParty'] == {'name': '+14155550100', 'number': '+14155550100', 'privacyEnabled': False,
                                   'callType': 'external'}
    fake.remote_answer(alice, call_id)
    details = api.get(f'/telephony/calls/{call_id}').json()
    assert details['state'] == 'connected' and 'answered' in details
    assert api.post('/telephony/calls/hangup', json={'callId': call_id}).status_code == 204
    assert api.get('/telephony/calls').json()['items'] == []
    assert_webex_error(api.get(f'/telephony/calls/{call_id}'), 404)
    fake.wait_deliveries_idle()
    assert call_events(receiver) == [('created', 'originated', 'connecting'), ('updated', 'connected', 'connected'),
                                     ('deleted', 'disconnected', 'disconnected')]
    data = receiver.bodies()[0]['data']
    assert data['callId'] == call_id and 'id' not in data and data['eventTimestamp'].endswith('Z')
    [record] = api.get('/telephony/calls/history', params={'type': 'placed'}).json()['items']
    assert (record['type'], record['number'], record['privacyEnabled']) == ('placed', '+14155550100', False)
    assert re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z', record['time'])
    assert api.get('/telephony/calls/history', params={'type': 'missed'}).json()['items'] == []


def test_ring_answer_hangup_is_received(fake: FakeWebex, alice: Person, receiver: Receiver) -> None:
    api = client(fake, alice)
    add_webhook(api, receiver.url(), resource='telephony_calls', event='all')
    call_id = fake.ring(alice, from_name='Henry Green', from_number='7101')
    [call] = fake.calls(alice)
    assert (call['personality'], call['state'], call['remoteParty']['name']) == ('terminator', 'alerting',
                                                                                 'Henry Green')
    assert api.post('/telephony/calls/answer', json={'callId': call_id}).status_code == 204
    fake.remote_hangup(alice, call_id)
    fake.wait_deliveries_idle()
    assert call_events(receiver) == [('created', 'received', 'alerting'), ('updated', 'connected', 'connected'),
                                     ('deleted', 'disconnected', 'disconnected')]
    assert [(h['type'], h['name'], h['number']) for h in fake.history(alice)] == [('received', 'Henry Green',
                                                                                   '7101')]


def test_ring_hangup_is_missed(fake: FakeWebex, alice: Person) -> None:
    api = client(fake, alice)
    call_id = fake.ring(alice)
    assert api.post('/telephony/calls/hangup', json={'callId': call_id}).status_code == 204
    assert [h['type'] for h in api.get('/telephony/calls/history').json()['items']] == ['missed']


def test_internal_call_between_two_people(fake: FakeWebex, alice: Person, bob: Person,
                                          receiver: Receiver) -> None:
    alice_api, bob_api = client(fake, alice), client(fake, bob)
    add_webhook(bob_api, receiver.url('/bob'), resource='telephony_calls', event='all')
    dialed = alice_api.post('/telephony/calls/dial', json={'destination': '1002'}).json()
    [bob_call] = bob_api.get('/telephony/calls').json()['items']
    assert bob_call['callSessionId'] == dialed['callSessionId']
    assert (bob_call['personality'], bob_call['state']) == ('terminator', 'alerting')
    assert bob_call['remoteParty'] == {'name': 'Alice Example', 'number': '1001', 'personId': alice.id,
                                       'privacyEnabled': False, 'callType': 'location'}
    alice_call = alice_api.get(f'/telephony/calls/{dialed["callId"]}').json()
    assert alice_call['remoteParty']['personId'] == bob.id and alice_call['remoteParty']['callType'] == 'location'
    assert bob_api.post('/telephony/calls/answer', json={'callId': bob_call['id']}).status_code == 204
    assert alice_api.get(f'/telephony/calls/{dialed["callId"]}').json()['state'] == 'connected'
    assert alice_api.post('/telephony/calls/hangup', json={'callId': dialed['callId']}).status_code == 204
    assert fake.calls(alice) == [] and fake.calls(bob) == []
    assert [h['type'] for h in fake.history(alice)] == ['placed']
    assert [(h['type'], h['name']) for h in fake.history(bob)] == [('received', 'Alice Example')]
    fake.wait_deliveries_idle()
    assert [e[1] for e in call_events(receiver)] == ['received', 'connected', 'disconnected']


def test_dial_by_email_and_other_org_is_external(fake: FakeWebex, alice: Person) -> None:
    zed = fake.add_person(email='zed@other.example', display_name='Zed Other', number='+4930123',
                          org_id=fake.new_org_id())
    call_id = client(fake, alice).post('/telephony/calls/dial', json={'destination': 'sip:zed@other.example'}
                                       ).json()['callId']
    [call] = [c for c in fake.calls(alice) if c['id'] == call_id]
    assert call['remoteParty']['personId'] == zed.id and call['remoteParty']['callType'] == 'external'
    assert len(fake.calls(zed)) == 1


def test_call_control_errors(fake: FakeWebex, alice: Person) -> None:
    api = client(fake, alice)
    call_id = api.post('/telephony/calls/dial', json={'destination': '7101'}).json()['callId']
    assert_webex_error(api.post('/telephony/calls/answer', json={'callId': call_id}), 400, 'Call is not alerting')
    assert_webex_error(api.post('/telephony/calls/answer', json={'callId': new_id('CALL')}), 404)
    assert_webex_error(api.post('/telephony/calls/dial', json={}), 400, 'destination')
    assert_webex_error(api.post('/telephony/calls/hangup', json={}), 400, 'callId')
    assert_webex_error(api.get('/telephony/calls/history', params={'type': 'weird'}), 400)
    assert fake.calls(alice)[0]['state'] == 'connecting'


def test_hold_and_resume_mirror_on_peer(fake: FakeWebex, alice: Person, bob: Person) -> None:
    bob_call = fake.ring(bob, from_person=alice)
    client(fake, bob).post('/telephony/calls/answer', json={'callId': bob_call})
    assert client(fake, bob).post('/telephony/calls/hold', json={'callId': bob_call}).status_code == 204
    assert [c['state'] for c in fake.calls(bob) + fake.calls(alice)] == ['held', 'remoteHeld']
    client(fake, bob).post('/telephony/calls/resume', json={'callId': bob_call})
    assert [c['state'] for c in fake.calls(bob) + fake.calls(alice)] == ['connected', 'connected']


def test_bot_token_cannot_use_call_control(fake: FakeWebex, bot: Person) -> None:
    api = client(fake, bot)
    assert_webex_error(api.get('/telephony/calls'), 403)
    assert_webex_error(api.post('/telephony/calls/dial', json={'destination': '1001'}), 403)


def test_token_without_calling_scope_is_403(fake: FakeWebex, alice: Person) -> None:
    token = fake.issue_tokens(alice, client_id=CLIENT_ID, scope='spark:people_read')['access_token']
    assert_webex_error(Client(fake.base_url, token).get('/telephony/calls'), 403, 'spark:calls_read')


# --- inspection and fault injection

def test_fail_next_429_then_normal(fake: FakeWebex, bot: Person) -> None:
    fake.fail_next('GET', r'/people/me', 429, description='slow down', headers={'Retry-After': '1'})
    api = client(fake, bot)
    first = api.get('/people/me')
    assert_webex_error(first, 429, 'slow down')
    assert first.headers['Retry-After'] == '1'
    assert api.get('/people/me').status_code == 200
    assert [r.status for r in fake.requests] == [429, 200]


def test_fail_next_count_and_path_match(fake: FakeWebex, alice: Person) -> None:
    fake.fail_next('post', r'/telephony/calls/dial', 500, count=2)
    api = client(fake, alice)
    assert api.get('/telephony/calls').status_code == 200
    statuses = [api.post('/telephony/calls/dial', json={'destination': '7101'}).status_code for _ in range(3)]
    assert statuses == [500, 500, 201]


def test_request_log_identity_and_masking(fake: FakeWebex, alice: Person) -> None:
    fake.consent_as = alice
    code = query_of(authorize(fake))['code']
    mark = fake.mark()
    tokens = exchange_code(fake, code).json()
    Client(fake.base_url, tokens['access_token']).get('/people/me', params={'callingData': 'true'})
    token_request, me_request = fake.requests_since(mark)
    assert (token_request.method, token_request.path, token_request.identity) == ('POST', '/access_token',
                                                                                  'anonymous')
    assert token_request.body == {'grant_type': 'authorization_code', 'client_id': CLIENT_ID,
                                  'client_secret': '***', 'code': '***', 'redirect_uri': REDIRECT_URI}
    assert (me_request.path, me_request.query, me_request.status) == ('/people/me', {'callingData': 'true'}, 200)
    assert me_request.identity == 'alice@example.com' and me_request.duration_ms >= 0
    fake.clear_requests()
    assert fake.requests == [] and fake.requests_since(mark) == []


def test_latency_is_added(fake: FakeWebex, bot: Person) -> None:
    fake.latency = 0.05
    client(fake, bot).get('/people/me')
    assert fake.requests[-1].duration_ms >= 50


# --- compatibility with the SDKs the bot uses

def test_webexteamssdk_against_fake(fake: FakeWebex, bot: Person, alice: Person) -> None:
    from webexteamssdk import WebexTeamsAPI
    api = WebexTeamsAPI(access_token=bot.token, base_url=fake.base_url + '/')
    assert api.people.me().id == bot.id
    api.webhooks.create(name='bot', targetUrl='http://127.0.0.1:9/', resource='messages', event='created')
    assert [w.name for w in api.webhooks.list()] == ['bot']
    sent = api.messages.create(toPersonEmail=alice.email, markdown='hi')
    assert api.messages.get(sent.id).personId == bot.id


def test_wxc_sdk_against_fake(fake: FakeWebex, alice: Person) -> None:
    from wxc_sdk import WebexSimpleApi
    api = WebexSimpleApi(tokens=fake.issue_tokens(alice, client_id=CLIENT_ID)['access_token'])
    api.session.BASE = fake.base_url
    try:
        call = api.telephony.calls.dial('1002')
        [listed] = api.telephony.calls.list_calls()
        assert listed.call_id == call.call_id and listed.state == 'connecting'
        api.telephony.calls.hangup(call.call_id)
        [record] = api.telephony.calls.call_history()
        assert record.call_type == 'placed' and record.number == '1002'
    finally:
        api.close()


def test_connections_are_kept_alive(fake: FakeWebex, bot: Person) -> None:
    before = fake.connections_accepted
    with requests.Session() as session:
        for _ in range(5):
            assert session.get(f'{fake.base_url}/people/me',
                               headers={'Authorization': f'Bearer {bot.token}'}).status_code == 200
    assert fake.connections_accepted - before == 1


def test_copies_and_redelivery(fake: FakeWebex, bot: Person, alice: Person, receiver: Receiver) -> None:
    add_webhook(client(fake, bot), receiver.url(), secret='s3')
    fake.deliver_copies = 2
    fake.send_message(alice, 'twice')
    fake.wait_deliveries_idle()
    first, second = receiver.received
    assert first['raw'] == second['raw'] and first['headers']['X-Spark-Signature'] == sign('s3', first['raw'])
    fake.deliver_copies = 1
    fake.redeliver(fake.deliveries[0])
    other = Receiver()
    other.server.start()
    try:
        fake.redeliver(fake.deliveries[0], target_url=other.url())
        fake.wait_deliveries_idle()
        assert [r['raw'] for r in receiver.received] == [first['raw']] * 3
        assert other.received[0]['raw'] == first['raw']
        assert other.received[0]['headers']['X-Spark-Signature'] == first['headers']['X-Spark-Signature']
    finally:
        other.server.stop()


def test_message_listeners_see_each_new_message(fake: FakeWebex, bot: Person, alice: Person) -> None:
    seen: list[str] = []
    fake.on_message(lambda message: seen.append(message['text']))
    fake.send_message(alice, 'one')
    client(fake, bot).post('/messages', json={'toPersonEmail': alice.email, 'text': 'two'})
    assert seen == ['one', 'two']
