"""
Tests of the fake Webex cloud (:mod:`fakewebex`), through real HTTP on 127.0.0.1.
"""
import base64
import hashlib
import hmac
import json
import logging
import re
import shutil
import threading
from pathlib import Path
from typing import Any, Iterator, Optional
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import yaml
from werkzeug.wrappers import Request, Response

from fakewebex import FakeWebex, Person, WebexError
from fakewebex.contract import DOCUMENTS, Contract
from fakewebex.delivery import sign
from fakewebex.httpserver import ServerThread
from fakewebex.ids import decode_id, kind_of, new_id
from tests.e2e import assert_contract_kept
from fakewebex.servers import fixed_port

pytestmark = pytest.mark.e2e

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
        assert fake.contract_violations == [], 'every request and answer in Webex\'s documents'


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


def refused(fake: FakeWebex, response: requests.Response, status: int, *details: str) -> None:
    """
    The fake refused a request outside Webex's documents as Webex would, and recorded exactly these violations;
    forget them (the test sent them on purpose).
    """
    body = assert_webex_error(response, status, 'Not in the Webex API documents')
    recorded = fake.contract_violations
    assert [(v.direction, v.detail) for v in recorded] == [('request', detail) for detail in details], recorded
    assert all(v.method == response.request.method for v in recorded)
    assert body['errors'][0]['description'] == f'Not in the Webex API documents: {"; ".join(details)}'
    fake.clear_contract_violations()


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


def test_a_persons_time_zone_is_shown_when_configured(fake: FakeWebex, bot: Person, alice: Person) -> None:
    assert 'timezone' not in client(fake, alice).get('/people/me').json(), 'absent when none is configured'
    tokyo = fake.add_person('taro@example.com', 'Taro Tanaka', extension='1009', timezone='Asia/Tokyo')
    assert client(fake, tokyo).get('/people/me').json()['timezone'] == 'Asia/Tokyo'
    fake.set_timezone(alice, 'America/Denver')
    assert client(fake, alice).get('/people/me').json()['timezone'] == 'America/Denver'
    assert client(fake, bot).get(f'/people/{alice.id}').json()['timezone'] == 'America/Denver'
    assert [p['timezone'] for p in client(fake, bot).get('/people', params={'email': 'taro@example.com'}).json()[
        'items']] == ['Asia/Tokyo']
    fake.set_timezone(alice, None)
    assert 'timezone' not in client(fake, bot).get(f'/people/{alice.id}').json()


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


def consent_form(page: str) -> dict[str, str]:
    """The hidden fields of the consent page's form."""
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))


def test_consent_page_allow(fake: FakeWebex, alice: Person, bob: Person, bot: Person) -> None:
    fake.add_integration('named', 'secret', scopes=CALL_SCOPES, name='Phone <Helper>')
    fake.consent_page, fake.consent_as = True, bob
    page = requests.get(f'{fake.base_url}/authorize', timeout=5,
                        params={'client_id': 'named', 'response_type': 'code', 'redirect_uri': REDIRECT_URI,
                                'state': 'st"<x>'})
    assert page.status_code == 200 and page.headers['Content-Type'].startswith('text/html')
    assert page.headers['Cache-Control'] == 'no-store'
    assert 'Sign in to Webex' in page.text and '<strong>Phone &lt;Helper&gt;</strong> asks for permission' in page.text
    assert 'spark:calls_write' in page.text and 'Control your calls' in page.text
    options = re.findall(r'<option value="([^"]+)"( selected)?>([^<]+)</option>', page.text)
    assert options == [(alice.id, '', 'Alice Example (alice@example.com)'),
                       (bob.id, ' selected', 'Bob Builder (bob@example.com)')], 'people, no bots; consent_as first'
    form = consent_form(page.text)
    assert form == {'client_id': 'named', 'response_type': 'code', 'redirect_uri': REDIRECT_URI,
                    'state': 'st&quot;&lt;x&gt;'}
    form['state'] = 'st"<x>'
    answer = requests.post(f'{fake.base_url}/authorize', allow_redirects=False, timeout=5,
                           data={**form, 'person': alice.id, 'decision': 'allow'})
    assert answer.status_code == 303 and answer.headers['Location'].startswith(REDIRECT_URI + '?')
    params = query_of(answer)
    assert params['state'] == 'st"<x>'
    tokens = requests.post(f'{fake.base_url}/access_token', timeout=5,
                           data={'grant_type': 'authorization_code', 'client_id': 'named', 'client_secret': 'secret',
                                 'code': params['code'], 'redirect_uri': REDIRECT_URI}).json()
    assert tokens['scope'] == CALL_SCOPES
    assert Client(fake.base_url, tokens['access_token']).get('/people/me').json()['id'] == alice.id, \
        'the person chosen on the page'


def test_consent_page_deny_and_errors(fake: FakeWebex, alice: Person) -> None:
    fake.consent_page = True
    form = consent_form(authorize(fake, state='s9').text)
    denied = requests.post(f'{fake.base_url}/authorize', data={**form, 'person': alice.id, 'decision': 'deny'},
                           allow_redirects=False, timeout=5)
    assert denied.status_code == 303
    assert query_of(denied) == {'error': 'access_denied', 'error_description': 'The user denied the request.',
                                'state': 's9'}
    nobody = requests.post(f'{fake.base_url}/authorize', data={**form, 'person': 'nobody', 'decision': 'allow'},
                           allow_redirects=False, timeout=5)
    assert nobody.status_code == 400 and 'Choose a person' in nobody.text
    forged = requests.post(f'{fake.base_url}/authorize', allow_redirects=False, timeout=5,
                           data={**form, 'redirect_uri': '', 'person': alice.id, 'decision': 'allow'})
    assert forged.status_code == 400 and 'redirect_uri' in forged.text
    unknown = authorize(fake, client_id='unknown')
    assert unknown.status_code == 400 and 'client_id' in unknown.text
    fake.consent_page = False
    assert authorize(fake).status_code == 400, 'without the page: nobody signed in (consent_as), as before'


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


def test_list_direct_messages(fake: FakeWebex, bot: Person, alice: Person, bob: Person) -> None:
    """``GET /messages/direct``: the 1:1 space with the person named, newest first; empty before there is one."""
    api = client(fake, bot)
    assert api.get('/messages/direct', params={'personId': alice.id}).json() == {'items': []}
    for text in ('first', 'second'):
        assert api.post('/messages', json={'toPersonId': alice.id, 'markdown': text}).status_code == 200
    api.post('/messages', json={'toPersonId': bob.id, 'markdown': 'to bob'})
    listed = api.get('/messages/direct', params={'personId': alice.id}).json()['items']
    assert [(m['markdown'], m['personId'], m['roomType']) for m in listed] == [('second', bot.id, 'direct'),
                                                                             ('first', bot.id, 'direct')]
    assert api.get('/messages/direct', params={'personEmail': alice.email}).json()['items'] == listed
    assert [m['markdown'] for m in client(fake, alice).get('/messages/direct', params={'personId': bot.id})
            .json()['items']] == ['second', 'first'], 'the same space, seen from the other side'
    assert_webex_error(api.get('/messages/direct'), 400)
    assert_webex_error(api.get('/messages/direct', params={'personId': 'NOBODY'}), 404)


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
    assert set(hook) == {'id', 'name', 'targetUrl', 'resource', 'event', 'filter', 'secret', 'status', 'created',
                         'ownedBy'}, "webhooks.yml's Webhook: no orgId, createdBy, appId (notifications have them)"
    assert (hook['status'], hook['ownedBy']) == ('active', 'creator')
    assert hook['secret'] == 's3' and hook['filter'] == f'personEmail={alice.email}'
    assert api.get('/webhooks').json()['items'] == [hook]
    assert api.get(f'/webhooks/{hook["id"]}').json() == hook
    assert other.get('/webhooks').json()['items'] == []
    assert_webex_error(other.get(f'/webhooks/{hook["id"]}'), 404)
    assert_webex_error(other.put(f'/webhooks/{hook["id"]}', json={'name': 'x', 'targetUrl': 'http://a/b'}), 404)
    assert_webex_error(other.delete(f'/webhooks/{hook["id"]}'), 404)
    refused(fake, api.put(f'/webhooks/{hook["id"]}', json={'name': 'renamed'}), 400,
            "body: 'targetUrl' is a required property")
    refused(fake, api.put(f'/webhooks/{hook["id"]}', json={'name': 'n', 'targetUrl': 'http://a/b',
                                                            'status': 'inactive'}), 400,
            "body.status: 'inactive' is not one of ['active']")
    fake.set_webhook_status(hook['id'], 'inactive')
    updated = api.put(f'/webhooks/{hook["id"]}', json={'name': 'renamed', 'targetUrl': 'http://127.0.0.1:9/new',
                                                        'status': 'active'}).json()
    assert (updated['name'], updated['targetUrl'], updated['status']) == ('renamed', 'http://127.0.0.1:9/new',
                                                                         'active'), 'reactivated'
    assert fake.webhooks(owner=bot) == [updated] and fake.webhooks(owner=alice) == []
    response = api.post('/webhooks', json={'name': 'n', 'targetUrl': 'http://a/b', 'resource': 'nope',
                                           'event': 'created', 'color': 'red'})
    [resource, color] = [v.detail for v in fake.contract_violations]
    assert resource.startswith("body.resource: 'nope' is not one of ['attachmentActions', ")
    refused(fake, response, 400, resource, "body: Additional properties are not allowed ('color' was unexpected)")
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
    assert body['orgId'] == bot.org_id and kind_of(body['appId']) == 'APPLICATION'
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
    refused(fake, api.post('/telephony/calls/dial', json={}), 400, "body: 'destination' is a required property")
    refused(fake, api.post('/telephony/calls/hangup', json={}), 400, "body: 'callId' is a required property")
    refused(fake, api.get('/telephony/calls/history', params={'type': 'weird'}), 400,
            "query parameter type: 'weird' is not one of ['placed', 'missed', 'received']")
    refused(fake, api.get('/telephony/calls', params={'max': '5'}), 400, 'query parameter max: not documented')
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


# --- call control

@pytest.fixture
def carol(fake: FakeWebex) -> Person:
    return fake.add_person(email='carol@example.com', display_name='Carol Singer', extension='1003')


def control(api: Client, action: str, /, **body: Any) -> requests.Response:
    return api.post(f'/telephony/calls/{action}', json=body)


def answered(fake: FakeWebex, person: Person, **ring: Any) -> str:
    """
    :return: id of a new incoming call of ``person``, answered
    """
    call_id = fake.ring(person, **ring)
    assert control(client(fake, person), 'answer', callId=call_id).status_code == 204
    return call_id


def only_call(fake: FakeWebex, person: Person) -> dict:
    [call] = fake.calls(person)
    return call


def events_at(receiver: Receiver, path: str) -> list[tuple[str, str, str]]:
    return [(b['event'], b['data']['eventType'], b['data']['state'])
            for r, b in zip(receiver.received, receiver.bodies()) if r['path'] == path]


def test_call_details_reflect_all_fields(fake: FakeWebex, alice: Person) -> None:
    api = client(fake, alice)
    call_id = fake.ring(alice)
    details = api.get(f'/telephony/calls/{call_id}').json()
    assert (details['state'], details['muteCapable'], details['muted']) == ('alerting', True, False)
    assert 'answered' not in details and 'recordingState' not in details
    control(api, 'answer', callId=call_id)
    control(api, 'mute', callId=call_id)
    control(api, 'startRecording', callId=call_id)
    details = api.get(f'/telephony/calls/{call_id}').json()
    assert (details['state'], details['muted'], details['recordingState']) == ('connected', True, 'started')
    assert re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z', details['answered'])
    assert fake.call(alice, call_id) == details


def test_reject_ends_both_legs_as_missed(fake: FakeWebex, alice: Person, bob: Person, receiver: Receiver) -> None:
    alice_api = client(fake, alice)
    add_webhook(alice_api, receiver.url(), resource='telephony_calls', event='all')
    call_id = fake.ring(alice, from_person=bob)
    assert_webex_error(control(client(fake, bob), 'reject', callId=call_id), 404, 'Call not found')
    refused(fake, control(alice_api, 'reject', callId=call_id, action='later'), 400,
            "body.action: 'later' is not one of ['busy', 'temporarilyUnavailable', 'ignore']")
    assert control(alice_api, 'reject', callId=call_id, action='temporarilyUnavailable').status_code == 204
    assert fake.calls(alice) == [] and fake.calls(bob) == []
    assert [h['type'] for h in fake.history(alice)] == ['missed']
    assert [h['type'] for h in fake.history(bob)] == ['placed']
    fake.wait_deliveries_idle()
    assert call_events(receiver) == [('created', 'received', 'alerting'), ('deleted', 'disconnected', 'disconnected')]


def test_reject_ignore_keeps_caller_ringing_and_answered_call_cannot_be_rejected(
        fake: FakeWebex, alice: Person, bob: Person) -> None:
    api = client(fake, alice)
    assert control(api, 'reject', callId=fake.ring(alice, from_person=bob), action='ignore').status_code == 204
    assert fake.calls(alice) == [] and only_call(fake, bob)['state'] == 'connecting'
    call_id = answered(fake, alice)
    assert_webex_error(control(api, 'reject', callId=call_id), 400, 'alerting')
    assert only_call(fake, alice)['state'] == 'connected'


def test_mute_and_unmute(fake: FakeWebex, alice: Person, receiver: Receiver) -> None:
    api = client(fake, alice)
    add_webhook(api, receiver.url(), resource='telephony_calls', event='updated')
    call_id = fake.ring(alice)
    assert_webex_error(control(api, 'mute', callId=call_id), 400, 'Call is not connected')
    control(api, 'answer', callId=call_id)
    assert control(api, 'mute', callId=call_id).status_code == 204
    assert only_call(fake, alice)['muted'] is True
    assert_webex_error(control(api, 'mute', callId=call_id), 400, 'already muted')
    assert control(api, 'unmute', callId=call_id).status_code == 204
    assert_webex_error(control(api, 'unmute', callId=call_id), 400, 'not muted')
    assert only_call(fake, alice)['muted'] is False
    fake.wait_deliveries_idle()
    assert [e[1] for e in call_events(receiver)] == ['connected', 'muted', 'unmuted']


def test_calls_that_are_not_mute_capable(fake: FakeWebex, alice: Person) -> None:
    api = client(fake, alice)
    call_id = answered(fake, alice, mute_capable=False)
    assert only_call(fake, alice)['muteCapable'] is False
    assert_webex_error(control(api, 'mute', callId=call_id), 400, 'not mute capable')
    control(api, 'hangup', callId=call_id)
    alice.mute_capable = False
    dialed = api.post('/telephony/calls/dial', json={'destination': '7101'}).json()
    assert api.get(f'/telephony/calls/{dialed["callId"]}').json()['muteCapable'] is False
    assert fake.call(alice, fake.ring(alice, mute_capable=True))['muteCapable'] is True


def test_hold_and_resume_errors(fake: FakeWebex, alice: Person) -> None:
    api = client(fake, alice)
    call_id = fake.ring(alice)
    assert_webex_error(control(api, 'hold', callId=call_id), 400, 'Call is not connected')
    control(api, 'answer', callId=call_id)
    assert control(api, 'hold', callId=call_id).status_code == 204
    assert_webex_error(control(api, 'hold', callId=call_id), 400, 'Call is not connected')
    assert control(api, 'resume', callId=call_id).status_code == 204
    assert_webex_error(control(api, 'resume', callId=call_id), 400, 'Call is not held')


def test_divert_to_a_person(fake: FakeWebex, alice: Person, bob: Person, carol: Person,
                            receiver: Receiver) -> None:
    add_webhook(client(fake, bob), receiver.url('/bob'), resource='telephony_calls', event='all')
    call_id = fake.ring(alice, from_person=bob)
    assert_webex_error(control(client(fake, alice), 'divert', callId=call_id), 400, 'destination is required')
    assert control(client(fake, alice), 'divert', callId=call_id, destination='1003').status_code == 204
    assert fake.calls(alice) == [] and [h['type'] for h in fake.history(alice)] == ['missed']
    carol_call = only_call(fake, carol)
    assert (carol_call['state'], carol_call['remoteParty']['personId']) == ('alerting', bob.id)
    assert carol_call['redirections'] == [{'reason': 'divert', 'redirectingParty': {
        'name': 'Alice Example', 'number': '1001', 'personId': alice.id, 'privacyEnabled': False,
        'callType': 'location'}}]
    bob_call = only_call(fake, bob)
    assert bob_call['remoteParty']['personId'] == carol.id and bob_call['callSessionId'] == carol_call['callSessionId']
    control(client(fake, carol), 'answer', callId=carol_call['id'])
    assert only_call(fake, bob)['state'] == 'connected' and 'redirections' not in only_call(fake, carol)
    fake.wait_deliveries_idle()
    assert events_at(receiver, '/bob') == [('created', 'originated', 'connecting'),
                                           ('updated', 'forwarded', 'connecting'),
                                           ('updated', 'connected', 'connected')]


def test_divert_to_voicemail(fake: FakeWebex, alice: Person, bob: Person, carol: Person,
                             receiver: Receiver) -> None:
    add_webhook(client(fake, alice), receiver.url('/mwi'), resource='telephony_mwi', event='updated')
    call_id = fake.ring(alice, from_name='Henry Green', from_number='7101')
    assert control(client(fake, alice), 'divert', callId=call_id, toVoicemail=True).status_code == 204
    assert fake.calls(alice) == []
    [message] = fake.voicemails(alice)
    assert message['callingParty'] == {'name': 'Henry Green', 'number': '7101', 'privacyEnabled': False}
    assert (message['duration'], message['read']) == (12, False)
    # a person calling and diverted to someone else's voicemail: the caller's leg ends after the message
    call_id = fake.ring(alice, from_person=bob)
    assert_webex_error(control(client(fake, alice), 'divert', callId=call_id, toVoicemail=True,
                               destination='7777'), 404, 'voicemail')
    control(client(fake, alice), 'divert', callId=call_id, toVoicemail=True, destination='carol@example.com')
    assert fake.calls(bob) == [] and fake.calls(alice) == [] and fake.calls(carol) == []
    assert fake.voicemails(carol)[0]['callingParty']['personId'] == bob.id
    fake.wait_deliveries_idle()
    assert [b['data']['newMessages'] for b in receiver.bodies()] == [1]


def test_blind_transfer(fake: FakeWebex, alice: Person, bob: Person) -> None:
    api = client(fake, alice)
    call_id = answered(fake, alice, from_name='Henry Green', from_number='7101')
    session = only_call(fake, alice)['callSessionId']
    response = control(api, 'transfer', callId1=call_id, destination='1002')
    assert response.status_code == 201 and response.json() == {'callId': call_id, 'callSessionId': session}
    assert fake.calls(alice) == [] and [h['type'] for h in fake.history(alice)] == ['received']
    bob_call = only_call(fake, bob)
    assert (bob_call['state'], bob_call['remoteParty']['name'], bob_call['callSessionId']) == (
        'alerting', 'Henry Green', session)
    assert 'redirections' not in bob_call


def test_attended_transfer_connects_the_remote_parties(fake: FakeWebex, alice: Person, bob: Person,
                                                       carol: Person, receiver: Receiver) -> None:
    api = client(fake, alice)
    add_webhook(client(fake, bob), receiver.url('/bob'), resource='telephony_calls', event='updated')
    first = answered(fake, alice, from_person=bob)
    control(api, 'hold', callId=first)
    second = api.post('/telephony/calls/dial', json={'destination': '1003'}).json()['callId']
    assert_webex_error(control(api, 'transfer'), 400, 'Only answered calls')
    assert len(fake.calls(alice)) == 2, 'a refused transfer changes nothing'
    control(client(fake, carol), 'answer', callId=only_call(fake, carol)['id'])
    assert_webex_error(control(api, 'transfer', callId2=second), 400)
    assert_webex_error(control(api, 'transfer', callId1=first, callId2=first), 400)
    assert control(api, 'transfer', callId1=first, callId2=second).status_code == 204
    assert fake.calls(alice) == []
    bob_call, carol_call = only_call(fake, bob), only_call(fake, carol)
    assert (bob_call['state'], bob_call['remoteParty']['personId']) == ('connected', carol.id)
    assert (carol_call['state'], carol_call['remoteParty']['personId']) == ('connected', bob.id)
    fake.remote_hangup(bob, bob_call['id'])
    assert fake.calls(carol) == []
    fake.wait_deliveries_idle()
    assert [e[1] for e in events_at(receiver, '/bob')] == ['connected', 'remoteHeld', 'remoteResumed']


def test_transfer_without_ids_needs_exactly_two_calls(fake: FakeWebex, alice: Person) -> None:
    api = client(fake, alice)
    answered(fake, alice)
    assert_webex_error(control(api, 'transfer'), 400, 'exactly two calls')
    answered(fake, alice, from_number='7102')
    assert control(api, 'transfer').status_code == 204
    assert fake.calls(alice) == []


def test_park_and_retrieve_elsewhere(fake: FakeWebex, alice: Person, bob: Person, carol: Person) -> None:
    api = client(fake, alice)
    call_id = answered(fake, alice, from_person=bob)
    response = control(api, 'park', callId=call_id)
    assert response.status_code == 200
    assert response.json() == {'parkedAgainst': {'name': 'Alice Example', 'number': '1001', 'personId': alice.id,
                                                 'privacyEnabled': False, 'callType': 'location'}}
    assert fake.calls(alice) == [] and only_call(fake, bob)['state'] == 'remoteHeld'
    [parked] = fake.parked_calls()
    assert (parked['parkedAgainst'], parked['parkedBy'], parked['remoteParty']['personId']) == (alice.id, alice.id,
                                                                                                 bob.id)
    second = answered(fake, alice)
    assert_webex_error(control(api, 'park', callId=second), 409, 'already parked')
    assert_webex_error(control(api, 'park', callId=second, destination='7777'), 404)
    carol_api = client(fake, carol)
    assert_webex_error(carol_api.post('/telephony/calls/retrieve', json={}), 404, 'No call is parked')
    retrieved = carol_api.post('/telephony/calls/retrieve', json={'destination': '1001'})
    assert retrieved.status_code == 201
    carol_call = fake.call(carol, retrieved.json()['callId'])
    assert (carol_call['state'], carol_call['remoteParty']['personId']) == ('connected', bob.id)
    assert carol_call['callSessionId'] == retrieved.json()['callSessionId'] == only_call(fake, bob)['callSessionId']
    assert (only_call(fake, bob)['state'], only_call(fake, bob)['remoteParty']['personId']) == ('connected',
                                                                                                carol.id)
    assert fake.parked_calls() == []
    assert_webex_error(carol_api.post('/telephony/calls/retrieve', json={'destination': '1001'}), 404)


def test_parked_caller_hanging_up_empties_the_park(fake: FakeWebex, alice: Person, bob: Person,
                                                   carol: Person) -> None:
    api = client(fake, alice)
    control(api, 'park', callId=answered(fake, alice, from_person=bob), destination='carol@example.com')
    assert fake.parked_calls()[0]['parkedAgainst'] == carol.id
    fake.remote_hangup(bob, only_call(fake, bob)['id'])
    assert fake.parked_calls() == []
    assert_webex_error(api.post('/telephony/calls/retrieve', json={'destination': '1003'}), 404)


def test_transmit_dtmf(fake: FakeWebex, alice: Person) -> None:
    api = client(fake, alice)
    call_id = fake.ring(alice)
    assert_webex_error(control(api, 'transmitDtmf', callId=call_id, dtmf='1'), 400, 'Call is not connected')
    control(api, 'answer', callId=call_id)
    assert control(api, 'transmitDtmf', callId=call_id, dtmf='1,23#').status_code == 204
    assert control(api, 'transmitDtmf', dtmf='*ABCD0').status_code == 204, 'the only connected call'
    for bad in ('12x', ''):
        assert_webex_error(control(api, 'transmitDtmf', callId=call_id, dtmf=bad), 400, 'dtmf must consist of')
    refused(fake, control(api, 'transmitDtmf', callId=call_id, dtmf=5), 400, "body.dtmf: 5 is not of type 'string'")
    assert fake.dtmf_sent(alice, call_id) == '1,23#*ABCD0'
    control(api, 'hold', callId=call_id)
    assert_webex_error(control(api, 'transmitDtmf', callId=call_id, dtmf='1'), 400)
    assert fake.dtmf_sent(alice, new_id('CALL')) == ''


def test_recording_states(fake: FakeWebex, alice: Person, receiver: Receiver) -> None:
    api = client(fake, alice)
    call_id = fake.ring(alice)
    assert_webex_error(control(api, 'startRecording', callId=call_id), 400, 'Call is not connected')
    control(api, 'answer', callId=call_id)
    add_webhook(api, receiver.url(), resource='telephony_calls', event='updated')
    steps = [('startRecording', 'started'), ('pauseRecording', 'paused'), ('resumeRecording', 'started'),
             ('stopRecording', 'stopped'), ('startRecording', 'started')]
    for action, state in steps:
        assert control(api, action, callId=call_id).status_code == 204, action
        assert only_call(fake, alice)['recordingState'] == state
    assert_webex_error(control(api, 'startRecording', callId=call_id), 400, 'already started')
    assert_webex_error(control(api, 'resumeRecording', callId=call_id), 400, 'not paused')
    assert control(api, 'stopRecording').status_code == 204, 'callId is optional'
    assert_webex_error(control(api, 'stopRecording', callId=call_id), 400, 'not being recorded')
    assert_webex_error(control(api, 'pauseRecording', callId=call_id), 400, 'not started')
    fake.wait_deliveries_idle()
    assert [(e[1], b['data']['recordingState']) for e, b in zip(call_events(receiver), receiver.bodies())] == [
        ('recording', s) for s in ('started', 'paused', 'started', 'stopped', 'started', 'stopped')]


def test_push_keeps_the_call(fake: FakeWebex, alice: Person) -> None:
    api = client(fake, alice)
    alerting = fake.ring(alice)
    assert_webex_error(control(api, 'push', callId=alerting), 400, 'Call is not connected')
    assert_webex_error(control(api, 'push'), 400, 'callId is required')
    call_id = answered(fake, alice, from_number='7102')
    assert control(api, 'push', callId=call_id).status_code == 204
    assert fake.pushed_calls(alice) == [call_id] and fake.call(alice, call_id)['state'] == 'connected'


def test_pickup_of_a_named_target(fake: FakeWebex, alice: Person, bob: Person) -> None:
    api = client(fake, alice)
    assert_webex_error(api.post('/telephony/calls/pickup', json={'target': '1002'}), 404, 'No call to pick up')
    assert_webex_error(api.post('/telephony/calls/pickup', json={'target': '9999'}), 404, 'not found')
    bob_call = fake.ring(bob, from_name='Henry Green', from_number='7101')
    session = fake.call(bob, bob_call)['callSessionId']
    response = api.post('/telephony/calls/pickup', json={'target': 'tel:1002'})
    assert response.status_code == 201 and response.json()['callSessionId'] == session
    call = fake.call(alice, response.json()['callId'])
    assert (call['state'], call['remoteParty']['name'], call['personality']) == ('connected', 'Henry Green',
                                                                                 'originator')
    assert fake.calls(bob) == [] and [h['type'] for h in fake.history(bob)] == ['missed']


def test_pickup_in_the_org_connects_the_caller(fake: FakeWebex, alice: Person, bob: Person, carol: Person) -> None:
    outsider = fake.add_person(email='zed@other.example', display_name='Zed Other', extension='1009',
                               org_id=fake.new_org_id())
    fake.ring(outsider)
    api = client(fake, alice)
    assert_webex_error(api.post('/telephony/calls/pickup'), 404, 'No call to pick up')
    fake.ring(carol, from_person=bob)
    response = api.post('/telephony/calls/pickup')
    assert response.status_code == 201
    assert fake.calls(carol) == []
    bob_call = only_call(fake, bob)
    assert (bob_call['state'], bob_call['remoteParty']['personId']) == ('connected', alice.id)
    control(api, 'hangup', callId=response.json()['callId'])
    assert fake.calls(bob) == []


def test_barge_in(fake: FakeWebex, alice: Person, bob: Person) -> None:
    api = client(fake, alice)
    refused(fake, api.post('/telephony/calls/bargeIn', json={}), 400, "body: 'target' is a required property")
    assert_webex_error(api.post('/telephony/calls/bargeIn', json={'target': '9999'}), 404, 'not found')
    fake.ring(bob)
    assert_webex_error(api.post('/telephony/calls/bargeIn', json={'target': '1002'}), 404, 'no answered call')
    bob_call = answered(fake, bob, from_name='Henry Green', from_number='7101')
    response = api.post('/telephony/calls/bargeIn', json={'target': 'bob@example.com'})
    assert response.status_code == 201
    call = fake.call(alice, response.json()['callId'])
    assert (call['state'], call['remoteParty']['name']) == ('connected', 'Henry Green')
    assert call['callSessionId'] == fake.call(bob, bob_call)['callSessionId']
    assert fake.call(bob, bob_call)['state'] == 'connected'


def test_call_control_access(fake: FakeWebex, alice: Person, bot: Person) -> None:
    refused(fake, control(client(fake, alice), 'teleport', callId='x'), 405, 'method not documented for this path')
    refused(fake, client(fake, alice).post('/telephony/teleport', json={}), 404, 'undocumented operation')
    assert_webex_error(control(client(fake, bot), 'park', callId='x'), 403)
    read_only = fake.issue_tokens(alice, client_id=CLIENT_ID, scope='spark:calls_read')['access_token']
    assert_webex_error(control(Client(fake.base_url, read_only), 'mute', callId='x'), 403, 'spark:calls_write')
    refused(fake, client(fake, alice).post('/telephony/calls/park', data='nope'), 400,
            "body: Content for the following mimetype not found: . Valid mimetypes: ['application/json']")


# --- voicemail

def test_voicemail_summary_list_mark_delete(fake: FakeWebex, alice: Person, bob: Person) -> None:
    api = client(fake, alice)
    assert api.get('/telephony/voiceMessages/summary').json() == {
        'newMessages': 0, 'oldMessages': 0, 'newUrgentMessages': 0, 'oldUrgentMessages': 0}
    first = fake.leave_voicemail(alice)
    second = fake.leave_voicemail(alice, from_person=bob, duration=30, urgent=True)
    assert kind_of(first) == 'VOICEMAIL'
    listed = api.get('/telephony/voiceMessages').json()['items']
    assert [m['id'] for m in listed] == [second, first] == [m['id'] for m in fake.voicemails(alice)]
    assert listed[0] == {'id': second, 'duration': 30,
                         'callingParty': {'name': 'Bob Builder', 'number': '1002', 'personId': bob.id,
                                          'privacyEnabled': False},
                         'urgent': True, 'confidential': False, 'read': False, 'created': listed[0]['created']}
    assert api.post('/telephony/voiceMessages/markAsRead', json={'messageId': second}).status_code == 204
    assert api.get('/telephony/voiceMessages/summary').json() == {
        'newMessages': 1, 'oldMessages': 1, 'newUrgentMessages': 0, 'oldUrgentMessages': 1}
    refused(fake, api.post('/telephony/voiceMessages/markAsRead', json={'messageId': None}), 400,
            'body.messageId: None for not nullable', "body.messageId: None is not of type 'string'")
    assert api.post('/telephony/voiceMessages/markAsRead', json={}).status_code == 204, 'all of them'
    assert [m['read'] for m in fake.voicemails(alice)] == [True, True]
    assert api.post('/telephony/voiceMessages/markAsUnread', json={'messageId': first}).status_code == 204
    assert api.delete(f'/telephony/voiceMessages/{first}').status_code == 204
    assert [m['id'] for m in fake.voicemails(alice)] == [second]
    assert_webex_error(api.delete(f'/telephony/voiceMessages/{first}'), 404)
    assert_webex_error(api.post('/telephony/voiceMessages/markAsRead', json={'messageId': 'nope'}), 404)
    assert_webex_error(client(fake, bob).delete(f'/telephony/voiceMessages/{second}'), 404)
    refused(fake, api.post('/telephony/voiceMessages/markAsFunny', json={}), 405,
            'method not documented for this path')


def test_mwi_notifications_follow_the_new_message_count(fake: FakeWebex, alice: Person,
                                                        receiver: Receiver) -> None:
    api = client(fake, alice)
    add_webhook(api, receiver.url(), resource='telephony_mwi', event='updated', secret='mwi')
    first = fake.leave_voicemail(alice)
    second = fake.leave_voicemail(alice)
    api.post('/telephony/voiceMessages/markAsRead', json={'messageId': first})
    api.post('/telephony/voiceMessages/markAsRead', json={'messageId': first})  # no change, no notification
    api.delete(f'/telephony/voiceMessages/{first}')  # was read: the new count stays
    api.delete(f'/telephony/voiceMessages/{second}')
    fake.wait_deliveries_idle()
    bodies = receiver.bodies()
    assert [(b['data']['newMessages'], b['data']['oldMessages']) for b in bodies] == [(1, 0), (2, 0), (1, 1),
                                                                                       (0, 0)]
    first_body = bodies[0]
    assert (first_body['resource'], first_body['event'], first_body['actorId']) == ('telephony_mwi', 'updated',
                                                                                   alice.id)
    assert set(first_body['data']) == {'eventType', 'eventTimestamp', 'personId', 'orgId', 'newMessages',
                                       'oldMessages', 'newUrgentMessages', 'oldUrgentMessages'}
    assert first_body['data']['eventType'] == 'mwi' and first_body['data']['personId'] == alice.id
    raw = receiver.received[0]
    assert raw['headers']['X-Spark-Signature'] == sign('mwi', raw['raw'])


def test_voicemail_needs_a_user_token(fake: FakeWebex, bot: Person) -> None:
    assert_webex_error(client(fake, bot).get('/telephony/voiceMessages'), 403)


# --- cards

CARD = [{'contentType': 'application/vnd.microsoft.card.adaptive',
         'content': {'type': 'AdaptiveCard', 'version': '1.3', 'body': [{'type': 'TextBlock', 'text': 'Call'}],
                     'actions': [{'type': 'Action.Submit', 'title': 'Hold', 'data': {'action': 'hold'}}]}}]


def test_press_notifies_the_bot_that_posted_the_card(fake: FakeWebex, bot: Person, alice: Person, carol: Person,
                                                     receiver: Receiver) -> None:
    bot_api = client(fake, bot)
    add_webhook(bot_api, receiver.url('/actions'), resource='attachmentActions', event='created')
    add_webhook(client(fake, alice), receiver.url('/alice'), resource='attachmentActions', event='created')
    card = bot_api.post('/messages', json={'toPersonId': alice.id, 'text': 'call card', 'attachments': CARD}).json()
    plain = fake.send_message(alice, 'no card')
    assert fake.cards(alice) == [card]
    action = fake.press(alice, card['id'], {'action': 'hold', 'callId': 'c1'})
    assert kind_of(action['id']) == 'ATTACHMENT_ACTION'
    assert action == {'id': action['id'], 'type': 'submit', 'messageId': card['id'],
                      'inputs': {'action': 'hold', 'callId': 'c1'}, 'personId': alice.id,
                      'roomId': card['roomId'], 'created': action['created']}
    fake.wait_deliveries_idle()
    [received] = receiver.received
    body = json.loads(received['raw'])
    assert received['path'] == '/actions' and (body['resource'], body['event']) == ('attachmentActions', 'created')
    assert body['data'] == {k: v for k, v in action.items() if k != 'inputs'} and body['actorId'] == alice.id
    assert bot_api.get(f'/attachment/actions/{action["id"]}').json() == action
    assert client(fake, alice).get(f'/attachment/actions/{action["id"]}').json()['inputs'] == action['inputs']
    assert_webex_error(client(fake, carol).get(f'/attachment/actions/{action["id"]}'), 404)
    with pytest.raises(WebexError) as no_card:
        fake.press(alice, plain['id'], {})
    assert no_card.value.status == 400
    with pytest.raises(WebexError) as not_member:
        fake.press(carol, card['id'], {})
    assert not_member.value.status == 404


def test_deleted_card_cannot_be_pressed(fake: FakeWebex, bot: Person, alice: Person) -> None:
    bot_api = client(fake, bot)
    card = bot_api.post('/messages', json={'toPersonEmail': alice.email, 'text': 'c', 'attachments': CARD}).json()
    action = fake.press(alice, card['id'])
    assert bot_api.delete(f'/messages/{card["id"]}').status_code == 204
    assert fake.cards(alice) == [] and fake.messages(person=alice) == []
    with pytest.raises(WebexError) as deleted:
        fake.press(alice, card['id'], {'action': 'hold'})
    assert deleted.value.status == 404
    assert bot_api.get(f'/attachment/actions/{action["id"]}').json()['messageId'] == card['id']


def test_client_posts_attachment_action(fake: FakeWebex, bot: Person, alice: Person, bob: Person,
                                        receiver: Receiver) -> None:
    add_webhook(client(fake, bot), receiver.url(), resource='attachmentActions', event='created')
    room_id = fake.add_group_room('Team', members=[alice, bob, bot])
    by_person = client(fake, bob).post('/messages', json={'roomId': room_id, 'text': 'c', 'attachments': CARD})
    alice_api = client(fake, alice)
    response = alice_api.post('/attachment/actions', json={'type': 'submit', 'messageId': by_person.json()['id'],
                                                            'inputs': {'ok': True}})
    assert response.status_code == 202 and response.json()['inputs'] == {'ok': True}
    refused(fake, alice_api.post('/attachment/actions', json={'type': 'click', 'messageId': 'x', 'inputs': {}}),
            400, "body.type: 'click' is not one of ['submit']")
    fake.wait_deliveries_idle()
    assert receiver.received == [], 'only the bot that posted the card hears of submits'


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


def test_request_log_masks_secrets_in_json_bodies(fake: FakeWebex, bot: Person, receiver: Receiver) -> None:
    api = client(fake, bot)
    add_webhook(api, receiver.url(), secret='webhook-secret')
    api.post('/messages', json={'toPersonEmail': 'x@example.com', 'text': 'hi',
                                'attachments': [{'contentType': CARD[0]['contentType'], 'content': {
                                    'access_token': 'at', 'n': [{'refresh_token': 'rt', 'keep': 1}]}}]})
    hook, message = fake.requests
    assert hook.body['secret'] == '***' and hook.body['targetUrl'] == receiver.url()
    assert message.body['attachments'] == [{'contentType': CARD[0]['contentType'], 'content': {
        'access_token': '***', 'n': [{'refresh_token': '***', 'keep': 1}]}}]
    assert 'webhook-secret' not in repr(fake.requests)


def test_server_thread_on_a_given_port() -> None:
    """Given a port (the sandbox's ``--port``), it binds that port, and gives it back when it stops."""
    port = fixed_port()
    first = ServerThread(Response('one'), name='first', port=port).start()
    assert first.port == port
    first.stop()
    second = ServerThread(Response('two'), name='second', port=port).start()
    try:
        assert second.port == port and requests.get(second.url, timeout=5).text == 'two'
        with pytest.raises(OSError):
            ServerThread(Response('three'), port=port).start()
    finally:
        second.stop()


def test_wait_until_wakes_when_a_request_is_answered(fake: FakeWebex, bot: Person) -> None:
    api, mark = client(fake, bot), fake.mark()
    with pytest.raises(AssertionError, match='condition not met within 0.1 s'):
        fake.wait_until(lambda: len(fake.requests_since(mark)) >= 1, timeout=0.1)
    worker = threading.Thread(target=api.get, args=('/people/me',))
    worker.start()
    fake.wait_until(lambda: len(fake.requests_since(mark)) >= 1, timeout=5)
    worker.join(5)
    # the condition is asked without the fake's lock held, so it may ask the fake over HTTP
    fake.wait_until(lambda: api.get('/people/me').status_code == 200, timeout=5)
    assert len(fake.requests_since(mark)) == 2


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


def sdk_api(fake: FakeWebex, person: Person) -> Any:
    """
    :return: a wxc_sdk ``WebexSimpleApi`` acting as ``person`` against the fake
    """
    from wxc_sdk import WebexSimpleApi
    api = WebexSimpleApi(tokens=person.token or fake.issue_tokens(person, client_id=CLIENT_ID)['access_token'])
    api.session.BASE = fake.base_url
    return api


def test_wxc_sdk_call_control_against_fake(fake: FakeWebex, alice: Person, bob: Person) -> None:
    from wxc_sdk.telephony.calls import RejectAction
    api = sdk_api(fake, alice)
    calls = api.telephony.calls
    try:
        calls.reject(fake.ring(alice), action=RejectAction.temporarily_unavailable)
        calls.divert(fake.ring(alice), to_voicemail=True)
        call_id = fake.ring(alice, from_name='Henry Green', from_number='7101')
        calls.answer(call_id)
        for act in (calls.mute, calls.hold, calls.resume, calls.start_recording, calls.pause_recording,
                    calls.resume_recording, calls.push):
            act(call_id)
        calls.transmit_dtmf(call_id, '12#')
        details = calls.call_details(call_id)
        assert (details.call_id, details.state, details.recording_state) == (call_id, 'connected', 'started')
        assert details.muted is True and details.mute_capable is True and details.answered is not None
        assert fake.dtmf_sent(alice, call_id) == '12#' and fake.pushed_calls(alice) == [call_id]
        calls.unmute(call_id)
        calls.stop_recording(call_id)
        parked = calls.park(call_id)
        assert (parked.name, parked.number, parked.person_id) == ('Alice Example', '1001', alice.id)
        retrieved = calls.retrieve(parked.number)
        assert calls.call_details(retrieved.call_id).remote_party.name == 'Henry Green'
        moved = calls.transfer(call_id1=retrieved.call_id, destination='1002')
        assert moved.call_id == retrieved.call_id and calls.list_calls() == []
        picked = calls.pickup(target='1002')
        [listed] = calls.list_calls()
        assert listed.call_id == picked.call_id and listed.remote_party.number == '7101'
        bob_call = answered(fake, bob, from_number='7102')
        barged = calls.barge_in('1002')
        assert calls.call_details(barged.call_id).call_session_id == fake.call(bob, bob_call)['callSessionId']
        assert [r.call_type for r in calls.call_history()] == ['placed', 'received', 'missed', 'missed']
        assert [m.duration for m in api.telephony.voice_messaging.list()] == [12]
    finally:
        api.close()


def test_wxc_sdk_voice_messaging_against_fake(fake: FakeWebex, alice: Person, bob: Person) -> None:
    api = sdk_api(fake, alice)
    voice = api.telephony.voice_messaging
    try:
        fake.leave_voicemail(alice, from_person=bob, duration=20)
        fake.leave_voicemail(alice, urgent=True)
        summary = voice.summary()
        assert (summary.new_messages, summary.old_messages, summary.new_urgent_messages) == (2, 0, 1)
        newest, oldest = voice.list()
        assert (newest.calling_party.name, newest.urgent, newest.read) == ('Henry Green', True, False)
        assert (oldest.calling_party.person_id, oldest.duration, oldest.confidential) == (bob.id, 20, False)
        assert newest.created.tzinfo is not None
        voice.mark_as_read(newest.id)
        assert (voice.summary().old_messages, voice.summary().old_urgent_messages) == (1, 1)
        voice.mark_as_unread(newest.id)
        voice.delete(oldest.id)
        assert [m.id for m in voice.list()] == [newest.id] and voice.summary().new_messages == 1
    finally:
        api.close()


def test_wxc_sdk_parses_webhook_events_and_attachment_actions(fake: FakeWebex, bot: Person, alice: Person,
                                                              receiver: Receiver) -> None:
    from wxc_sdk.attachment_actions import AttachmentActionData
    from wxc_sdk.telephony.calls import TelephonyEventData
    from wxc_sdk.webhook import WebhookEvent
    add_webhook(client(fake, bot), receiver.url(), resource='attachmentActions', event='created')
    add_webhook(client(fake, alice), receiver.url(), resource='telephony_calls', event='updated')
    call_id = answered(fake, alice)
    control(client(fake, alice), 'mute', callId=call_id)
    card = client(fake, bot).post('/messages', json={'toPersonId': alice.id, 'text': 'c', 'attachments': CARD})
    action = fake.press(alice, card.json()['id'], {'action': 'unmute'})
    fake.wait_deliveries_idle()
    connected, muted, pressed = (WebhookEvent.model_validate(b) for b in receiver.bodies())
    assert isinstance(muted.data, TelephonyEventData) and muted.data.event_type == 'muted'
    assert muted.data.muted is True and muted.data.call_id == call_id
    assert isinstance(pressed.data, AttachmentActionData) and pressed.data.id == action['id']
    api = sdk_api(fake, bot)
    try:
        details = api.attachment_actions.details(action['id'])
        assert (details.inputs, details.message_id, details.person_id) == ({'action': 'unmute'},
                                                                           card.json()['id'], alice.id)
    finally:
        api.close()


# --- Webex's published documents: requests and answers held to them (fakewebex.contract)

def test_the_emulator_records_and_logs_its_own_undocumented_answers(tmp_path: Path, caplog) -> None:
    for document in DOCUMENTS.glob('*.yml'):
        shutil.copy(document, tmp_path)
    people = yaml.safe_load((tmp_path / 'people.yml').read_text())
    del people['components']['schemas']['Person']['properties']['nickName']
    (tmp_path / 'people.yml').write_text(yaml.safe_dump(people))
    with FakeWebex(contract=Contract(tmp_path)) as fake:
        bot = fake.add_bot('ccbot@webex.bot', 'CC Bot')
        response = requests.get(f'{fake.base_url}/people/me', headers={'Authorization': f'Bearer {bot.token}'},
                                timeout=5)
        assert response.status_code == 200 and response.json()['nickName'] == 'CC', 'answered all the same'
        [violation] = fake.contract_violations
        assert (violation.direction, violation.method, violation.path, violation.detail) == (
            'response', 'GET', '/people/me', "body: Additional properties are not allowed ('nickName' was unexpected)")
        assert "fake Webex answered outside the Webex API documents: GET /people/me -> 200: body: Additional " \
               "properties are not allowed ('nickName' was unexpected)" in caplog.text
        with pytest.raises(AssertionError, match=r"response: GET /people/me: body: Additional properties"):
            assert_contract_kept(fake)
        fake.clear_contract_violations()
        assert fake.contract_violations == []


def test_the_emulator_refuses_undocumented_requests_as_webex_would(caplog) -> None:
    with FakeWebex() as fake:
        alice = fake.add_person('alice@example.com', 'Alice Example')
        fake.add_integration('cid', 'secret', scopes='spark:calls_write spark:calls_read')
        headers = {'Authorization': f"Bearer {fake.issue_tokens(alice)['access_token']}"}
        response = requests.post(f'{fake.base_url}/telephony/calls/dial', headers=headers, timeout=5,
                                 json={'destination': '1234', 'video': True})
        assert response.status_code == 400 and response.json()['errors'][0]['description'] == \
            "Not in the Webex API documents: body: Additional properties are not allowed ('video' was unexpected)"
        assert fake.calls(alice) == [], 'not acted on'
        assert [(r.method, r.path, r.status, r.identity) for r in fake.requests] == [
            ('POST', '/telephony/calls/dial', 400, 'alice@example.com')]
        assert 'request outside the Webex API documents: POST /telephony/calls/dial' in caplog.text
        assert requests.get(f'{fake.base_url[:-3]}/favicon.ico', timeout=5).status_code == 404
        assert len(fake.contract_violations) == 1, 'only /v1 is the API'
        fake.clear_contract_violations()
