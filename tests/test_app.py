"""
The Flask adapter and the core around the commands: start-up, webhook verification, malformed input, call
events, health, and secrets staying out of logs and responses.
"""
import json
import logging
import time

import pytest

from tests.conftest import BOT_TOKEN, CLIENT_SECRET, PUBLIC_URL, shut_down, started_bot
from tests.webexmock import BOT_ID, USER_ID, USER_REFRESH, USER_TOKEN, WebexMock, chat, user_context, webhook
from wxc_cc.core import Outcome, Readiness, TokenKeys
from wxc_cc.signature import derive_secret, sign
from wxc_cc.stores import file_stores
from wxc_cc_bot import CallControlBot

pytestmark = pytest.mark.unit

MESSAGES_HOOK = 'ccbot.messages.created'
ACTIONS_HOOK = 'ccbot.attachmentActions.created'
MEMBERS_HOOK = 'ccbot.memberships.created'


def start(settings, webex: WebexMock, existing: list) -> list:
    webex.bot_setup(existing)
    app = CallControlBot(settings=settings)
    try:
        assert app.core.healer.started.wait(5), 'the check at start is done'
        return webex.summary()
    finally:
        shut_down(app)


def test_start_learns_identity_and_creates_signed_webhooks(settings, webex):
    assert start(settings, webex, []) == [('GET', '/people/me', 'bot'), ('GET', '/webhooks', 'bot')] + [
        ('POST', '/webhooks', 'bot')] * 3
    assert [s.body for s in webex.sent()[2:]] == [
        {'name': name, 'targetUrl': f'{PUBLIC_URL}/', 'resource': resource, 'event': 'created',
         'secret': settings.webhook_secret}
        for name, resource in ((MESSAGES_HOOK, 'messages'), (ACTIONS_HOOK, 'attachmentActions'),
                               (MEMBERS_HOOK, 'memberships'))]


def test_start_keeps_matching_webhooks_and_leaves_others_alone(settings, webex):
    existing = [webhook(MESSAGES_HOOK, f'{PUBLIC_URL}/', 'messages', 'created', settings.webhook_secret),
                webhook(ACTIONS_HOOK, f'{PUBLIC_URL}/', 'attachmentActions', 'created', settings.webhook_secret,
                        webhook_id='WH2'),
                webhook(MEMBERS_HOOK, f'{PUBLIC_URL}/', 'memberships', 'created', settings.webhook_secret,
                        webhook_id='WH3'),
                webhook('someone else', 'https://x/', 'messages', 'created', None, webhook_id='OTHER')]
    assert start(settings, webex, existing) == [('GET', '/people/me', 'bot'), ('GET', '/webhooks', 'bot')]


def test_start_updates_a_stale_webhook_and_removes_duplicates(settings, webex):
    existing = [webhook(MESSAGES_HOOK, 'https://old.example/', 'messages', 'created', None, webhook_id='A',
                        status='inactive'),
                webhook(MESSAGES_HOOK, 'https://older.example/', 'messages', 'created', None, webhook_id='B'),
                webhook(ACTIONS_HOOK, f'{PUBLIC_URL}/', 'attachmentActions', 'created', settings.webhook_secret,
                        webhook_id='C'),
                webhook(MEMBERS_HOOK, f'{PUBLIC_URL}/', 'memberships', 'created', settings.webhook_secret,
                        webhook_id='D')]
    webex.add('PUT', '/webhooks/A', json_body=existing[0])
    webex.add('DELETE', '/webhooks/B', status=204)
    assert start(settings, webex, existing)[2:] == [('DELETE', '/webhooks/B', 'bot'), ('PUT', '/webhooks/A', 'bot')]
    assert webex.sent()[3].body == {'name': MESSAGES_HOOK, 'targetUrl': f'{PUBLIC_URL}/',
                                    'secret': settings.webhook_secret, 'status': 'active'}


def test_identity_is_not_fetched_per_message(client, webex):
    for _ in range(3):
        chat(client, webex, '/help')
    assert '/people/me' not in [s.path for s in webex.sent()]


def test_messages_written_by_the_bot_cost_nothing(client, webex):
    body = webex.message_notification('Dialing 1234', person_id=BOT_ID, email='ccbot@webex.bot')
    response = client.post('/', data=body, headers=webex.signed(body))
    assert response.status_code == 200
    assert webex.sent() == []


def test_a_notification_delivered_twice_is_served_once(client, webex):
    body = webex.message_notification('/help')
    for _ in range(2):
        assert client.post('/', data=body, headers=webex.signed(body)).status_code == 200
    assert [s.path for s in webex.sent()].count('/messages') == 1


def test_call_event_delivered_twice_is_told_once(client, webex, bot):
    bot.core.stores.tokens.set_user_context(user_context())
    body = call_event_body()
    for _ in range(2):
        client.post(f'/callevent/{USER_ID}', data=body, headers={'X-Spark-Signature': sign(user_secret(bot), body)})
    assert len(webex.replies()) == 1


def test_group_spaces_get_a_pointer_to_the_1_1(client, webex):
    [reply] = chat(client, webex, 'CC Bot /dial 1234', room_type='group')
    assert reply.startswith('I handle call control only in a 1:1 space')
    assert [s.path for s in webex.sent()] == ['/messages/MSG1', '/messages'], 'read (who, where), then the pointer'


@pytest.mark.parametrize('headers, status', [
    ({}, 401), ({'X-Spark-Signature': ''}, 401), ({'X-Spark-Signature': '0' * 40}, 403),
    ({'X-Spark-Signature': 'é∂ƒ'}, 403)])
def test_unsigned_or_forged_notifications_are_refused_without_api_calls(client, webex, headers, status):
    body = webex.message_notification('/help')
    assert client.post('/', data=body, headers=headers).status_code == status
    assert webex.sent() == []


def test_signature_with_another_secret_is_forged(client, webex):
    body = webex.message_notification('/help')
    response = client.post('/', data=body, headers=webex.signed(body, secret='not-the-secret'))
    assert response.status_code == 403 and webex.sent() == []


@pytest.mark.parametrize('body', [
    b'', b'not json', b'\xff\xfe', b'[]', b'null', b'{}', b'{"id": "x", "resource": "messages", "event": "created"}',
    b'{"id": "x", "resource": "messages", "event": "created", "data": {"id": "m"}}',
    b'{"id": "x", "resource": "messages", "event": "created", "data": {"id": 5, "roomId": "r", "personId": "p"}}'])
def test_malformed_signed_notifications_get_400(client, webex, body, caplog):
    response = client.post('/', data=body, headers=webex.signed(body))
    assert response.status_code == 400
    assert 'malformed notification' in caplog.text
    assert webex.sent() == []
    assert chat(client, webex, '/help'), 'the bot keeps serving'


def test_other_resources_are_acknowledged_and_ignored(client, webex):
    body = json.dumps({'id': 'x', 'resource': 'rooms', 'event': 'created', 'data': {}}).encode()
    assert client.post('/', data=body, headers=webex.signed(body)).status_code == 200
    assert webex.sent() == []


def test_oversized_bodies_are_refused(client, webex):
    body = b'{"x": "' + b'a' * (2 << 20) + b'"}'
    assert client.post('/', data=body, headers=webex.signed(body)).status_code == 413


def call_event_body(name: str = 'Henry Green', number: str = '7101') -> bytes:
    return json.dumps({
        'id': 'WH', 'name': 'ccbot.telephony_calls', 'resource': 'telephony_calls', 'event': 'created',
        'createdBy': USER_ID, 'actorId': USER_ID,
        'data': {'eventType': 'received', 'eventTimestamp': '2022-03-18T14:54:02.442Z', 'callId': 'CALL1',
                 'callSessionId': 'S1', 'personality': 'terminator', 'state': 'alerting',
                 'remoteParty': {'name': name, 'number': number, 'privacyEnabled': False, 'callType': 'location'},
                 'appearance': 1, 'created': '2022-03-18T14:54:02.440Z'}}).encode()


def user_secret(bot) -> str:
    return derive_secret(bot.settings.webhook_secret, f'callevent:{USER_ID}')


def wxc_sdk_enums() -> dict[str, frozenset]:
    """The values of wxc_sdk's enums that notifications' models read: none may be added by a notification."""
    from wxc_sdk.common import RoomType, UserType
    from wxc_sdk.telephony.calls import CallState, CallType, Personality, RecallType, RecordingState, RedirectReason
    return {kind.__name__: frozenset(kind._value2member_map_) for kind in (
        RoomType, UserType, CallState, CallType, Personality, RecallType, RecordingState, RedirectReason)}


def nested(depth: int) -> str:
    return '[' * depth + ']' * depth


@pytest.mark.parametrize('inside', ['data', 'top'])
def test_deeply_nested_bodies_get_400(client, webex, bot, inside):
    """A 10,000-deep body is refused before it is parsed (Python's parser would recurse): 400, not 500."""
    deep = nested(10_000)
    body = (deep if inside == 'top' else
            f'{{"id": "x", "resource": "messages", "event": "created", "data": {{"id": "m", "x": {deep}}}}}').encode()
    for path, secret in (('/', bot.settings.webhook_secret), (f'/callevent/{USER_ID}', user_secret(bot))):
        response = client.post(path, data=body, headers={'X-Spark-Signature': sign(secret, body)})
        assert response.status_code == 400 and 'nested deeper than 32' in response.text
    assert webex.sent() == []


def test_nesting_in_strings_does_not_count(client, webex):
    body = webex.message_notification('/help').replace(b'"roomType"', b'"x": "' + b'[' * 5000 + b'\\"{", "roomType"')
    assert client.post('/', data=body, headers=webex.signed(body)).status_code == 200


#: a value of every JSON type but a string (and null: a field may be left out)
WRONG = [5, 2.5, True, [], ['direct'], {}, {'value': 'direct'}]
ENVELOPE = {'id': 'WH', 'event': 'created', 'actorId': USER_ID}
MESSAGE = {'id': 'MSG', 'roomId': 'R', 'roomType': 'direct', 'personId': USER_ID, 'personEmail': 'a@example.com',
           'created': '2026-01-01T00:00:00.000Z', 'mentionedPeople': [BOT_ID]}
PRESS = {'id': 'ACT', 'type': 'submit', 'messageId': 'M', 'personId': USER_ID, 'roomId': 'R',
         'created': '2026-01-01T00:00:00.000Z'}
MEMBERSHIP = {'id': 'MEM', 'roomId': 'R', 'personId': BOT_ID, 'roomType': 'group', 'isModerator': False,
              'created': '2026-01-01T00:00:00.000Z'}
CALL = json.loads(call_event_body())['data']


def mutated(data: dict, path: str, value) -> dict:
    data = json.loads(json.dumps(data))
    *parents, last = path.split('.')
    place = data
    for name in parents:
        place = place[name]
    place[last] = value
    return data


@pytest.mark.parametrize('resource, data, path', [
    *[('messages', MESSAGE, field) for field in ('id', 'roomId', 'roomType', 'room_type', 'personId', 'personEmail',
                                                 'created', 'mentionedPeople')],
    *[('attachmentActions', PRESS, field) for field in ('id', 'type', 'messageId', 'personId', 'roomId', 'created')],
    *[('memberships', MEMBERSHIP, field) for field in ('id', 'roomId', 'personId', 'roomType', 'created')],
    *[('telephony_calls', CALL, field) for field in (
        'callId', 'eventType', 'eventTimestamp', 'state', 'personality', 'callSessionId', 'created',
        'remoteParty', 'remoteParty.name', 'remoteParty.number', 'remoteParty.callType', 'remoteParty.idType')]])
def test_wrong_typed_fields_get_400_and_extend_no_enum(client, webex, bot, resource, data, path):
    """
    Numbers, lists and objects where strings belong, and unknown values of wxc_sdk's enums: 400 and no Webex
    request; wxc_sdk's enums stay as they were (wxc_sdk would add the value to them, for the whole process).
    """
    enum_field = path in ('roomType', 'room_type', 'type', 'state', 'personality', 'remoteParty.callType',
                          'remoteParty.idType')
    bot.core.stores.tokens.set_user_context(user_context())
    enums = wxc_sdk_enums()
    route, secret = ((f'/callevent/{USER_ID}', user_secret(bot)) if resource == 'telephony_calls' else
                     ('/', bot.settings.webhook_secret))
    wrong = [value for value in WRONG if not isinstance(value, dict)] if path == 'remoteParty' else WRONG
    for value in wrong + (['no-such-value'] if enum_field else []):
        value = [value] if path == 'mentionedPeople' else value
        body = json.dumps({**ENVELOPE, 'resource': resource, 'data': mutated(data, path, value)}).encode()
        response = client.post(route, data=body, headers={'X-Spark-Signature': sign(secret, body)})
        assert response.status_code == 400, (value, response.text)
        assert path.split('.')[-1] in response.text and 'no-such-value' not in response.text, 'the field, not the value'
    assert webex.sent() == [] and wxc_sdk_enums() == enums


def test_call_event_becomes_a_readable_message(client, webex, bot):
    bot.core.stores.tokens.set_user_context(user_context())
    body = call_event_body(name='Henry [Green](http://x)', number='7101')
    response = client.post(f'/callevent/{USER_ID}', data=body,
                           headers={'X-Spark-Signature': sign(user_secret(bot), body)})
    assert response.status_code == 200
    [message] = webex.replies()
    assert message['toPersonId'] == USER_ID
    first, *details = message['markdown'].splitlines()
    assert first == r'📞 **Alerting incoming call from Henry \[Green\]\(http://x\) (7101)**'
    assert '- event: received at Mar 18, 2022, 2:54:02\u202fPM UTC' in details
    assert webex.summary() == [('POST', '/messages', 'bot')]


def test_call_event_signed_with_the_bot_secret_is_refused(client, webex, bot):
    """A user can read their webhook's secret; each user's is their own and the bot's is different."""
    bot.core.stores.tokens.set_user_context(user_context())
    body = call_event_body()
    for secret in (bot.settings.webhook_secret, derive_secret(bot.settings.webhook_secret, 'callevent:OTHER')):
        response = client.post(f'/callevent/{USER_ID}', data=body, headers={'X-Spark-Signature': sign(secret, body)})
        assert response.status_code == 403
    assert client.post(f'/callevent/{USER_ID}', data=body).status_code == 401
    assert webex.sent() == []


def test_call_event_for_a_forgotten_user_is_dropped(client, webex, bot):
    body = call_event_body()
    response = client.post(f'/callevent/{USER_ID}', data=body,
                           headers={'X-Spark-Signature': sign(user_secret(bot), body)})
    assert response.status_code == 200 and webex.sent() == []


@pytest.mark.parametrize('body', [b'{', b'{"id": "x", "resource": "messages", "event": "created", "data": {}}',
                                  b'{"id": "x", "resource": "telephony_calls", "event": "created", "data": {}}'])
def test_malformed_call_events_get_400(client, webex, bot, body):
    bot.core.stores.tokens.set_user_context(user_context())
    response = client.post(f'/callevent/{USER_ID}', data=body,
                           headers={'X-Spark-Signature': sign(user_secret(bot), body)})
    assert response.status_code == 400 and webex.sent() == []


# --- liveness (/health) and readiness (/ready)

def redis_calls(client) -> dict[str, int]:
    """How often Redis has run the commands the stores' checks use."""
    stats = client.info('commandstats')
    return {name: stats.get(f'cmdstat_{name}', {}).get('calls', 0) for name in ('ping', 'scan', 'get', 'mget')}


@pytest.fixture
def redis_bot(webex, redis_server, redis_client):
    """The bot on the session's Redis."""
    app = started_bot(webex, REDIS_URL=redis_server.url)
    yield app
    shut_down(app)


def test_health_asks_no_store_and_says_whether_the_process_takes_tasks(redis_bot, redis_client):
    client = redis_bot.test_client()
    before = redis_calls(redis_client)
    for _ in range(5):
        response = client.get('/health')
        assert (response.status_code, response.json) == (200, {'status': 'ok', 'store': 'redis'})
    assert redis_calls(redis_client) == before, 'no PING, SCAN, GET or MGET'
    assert redis_bot.core.shutdown(5)
    response = client.get('/health')
    assert (response.status_code, response.json) == (503, {'status': 'unavailable', 'reason': 'not taking tasks'})
    response = client.get('/ready')
    assert (response.status_code, response.json) == (503, {'status': 'unavailable', 'reason': 'stopping'})


def test_ready_asks_the_stores_at_most_once_in_5_seconds(redis_bot, redis_client):
    client = redis_bot.test_client()
    before = redis_calls(redis_client)
    started = time.monotonic()
    response = client.get('/ready')
    assert (response.status_code, response.json) == (200, {'status': 'ok', 'store': 'redis'})
    asked = redis_calls(redis_client)
    assert asked['ping'] > before['ping'], 'the stores were asked'
    assert (asked['scan'], asked['mget']) == (before['scan'], before['mget']), 'no record read: no decryption'
    for _ in range(10):
        assert client.get('/ready').status_code == 200
    if time.monotonic() - started < 5:
        assert redis_calls(redis_client) == asked, 'the answer is kept'


def test_health_stays_and_ready_fails_while_the_store_is_away(webex, refused, caplog):
    app = started_bot(webex, REDIS_URL=f'redis://127.0.0.1:{refused}/0')
    try:
        client = app.test_client()
        response = client.get('/health')
        assert (response.status_code, response.json) == (200, {'status': 'ok', 'store': 'redis'})
        response = client.get('/ready')
        assert (response.status_code, response.json) == (503, {'status': 'unavailable',
                                                               'reason': 'token store unavailable'})
        assert str(refused) not in response.text and 'ready: Redis unavailable' in caplog.text
    finally:
        shut_down(app)


def test_a_ready_answer_is_kept_5_seconds_and_a_broken_file_is_not_ready(tmp_path):
    now = [100.0]
    stores = file_stores(str(tmp_path / 'wxc_cc_bot.yml'))
    keys = TokenKeys(stores=stores)
    keys.encrypt_at_start()
    readiness = Readiness(stores=stores, keys=keys, clock=lambda: now[0])
    assert readiness.answer().status == 200
    (tmp_path / 'wxc_cc_bot.yml').write_text('users: [')
    now[0] += 4.9
    assert readiness.answer().status == 200, 'kept'
    now[0] += 0.1
    assert readiness.answer() == Outcome(503, '{"status": "unavailable", "reason": "token store unavailable"}',
                                         'application/json')
    (tmp_path / 'wxc_cc_bot.yml').write_text('users: {}')
    assert readiness.answer().status == 503, 'kept too'
    now[0] += 5
    assert readiness.answer().status == 200


def test_store_outage_is_told_to_the_user(client, webex, bot, tmp_path):
    (tmp_path / 'wxc_cc_bot.yml').write_text('users: [')
    assert chat(client, webex, '/dial 1234') == ['The token store is unavailable, try again shortly.']


def test_unknown_routes_and_methods_are_plain_4xx(client):
    assert client.get('/nope').status_code == 404
    assert client.get('/').status_code == 405
    assert client.get(f'/callevent/{USER_ID}').status_code == 405


@pytest.mark.parametrize('method', ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
def test_the_frameworks_config_page_is_not_served(client, bot, method):
    """
    webexteamsbot's GET /config would tell anyone the bot's email, name and URL: it answers as a path that does not
    exist does, whatever the method.
    """
    response = client.open('/config', method=method)
    unknown = client.open('/no-such-page', method=method)
    assert response.status_code == unknown.status_code == 404
    assert response.data == unknown.data and 'Allow' not in response.headers
    for told in (bot.settings.bot_email, bot.settings.bot_name, PUBLIC_URL, 'SPARK_BOT'):
        assert told not in response.text


def test_no_secret_in_logs_or_responses(client, webex, bot, caplog):
    caplog.set_level(logging.DEBUG)
    bot.core.stores.tokens.set_user_context(user_context(seconds_left=60))
    webex.add('POST', '/access_token', json_body={'access_token': 'NEW-ACCESS-SECRET', 'expires_in': 1209600,
                                                  'refresh_token': 'NEW-REFRESH-SECRET', 'token_type': 'Bearer',
                                                  'refresh_token_expires_in': 7776000})
    webex.add('POST', '/telephony/calls/dial', status=201, json_body={'callId': 'C1', 'callSessionId': 'S1'})
    webex.add('GET', '/telephony/calls/history', json_body={'items': []})
    replies = []
    for text in ('/dial 1234', '/history', '/auth', '/help'):
        replies += chat(client, webex, text)
    pages = [client.get(path).text for path in ('/health', '/config', '/redirect?code=x&state=y')]
    secrets = (BOT_TOKEN, CLIENT_SECRET, USER_TOKEN, USER_REFRESH, 'NEW-ACCESS-SECRET', 'NEW-REFRESH-SECRET',
               bot.settings.webhook_secret)
    assert 'tokens refreshed for user' in caplog.text and 'Request 201' in caplog.text, 'logs were captured'
    for secret in secrets:
        assert secret not in caplog.text
        assert not [reply for reply in replies if secret in reply]
        assert not [page for page in pages if secret in page]
