"""
The Flask adapter and the core around the commands: start-up, webhook verification, malformed input, call
events, health, and secrets staying out of logs and responses.
"""
import json
import logging

import pytest

from tests.conftest import BOT_TOKEN, CLIENT_SECRET, PUBLIC_URL, shut_down
from tests.webexmock import (BOT_ID, USER_ID, USER_REFRESH, USER_TOKEN, WebexMock, chat, user_context, webhook)
from wxc_cc.signature import derive_secret, sign
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


def test_health(client, bot, tmp_path):
    response = client.get('/health')
    assert response.status_code == 200 and response.json == {'status': 'ok', 'store': 'yaml'}
    (tmp_path / 'wxc_cc_bot.yml').write_text('users: [')
    response = client.get('/health')
    assert response.status_code == 503 and response.json['status'] == 'unavailable'


def test_store_outage_is_told_to_the_user(client, webex, bot, tmp_path):
    (tmp_path / 'wxc_cc_bot.yml').write_text('users: [')
    assert chat(client, webex, '/dial 1234') == ['The token store is unavailable, try again shortly.']


def test_unknown_routes_and_methods_are_plain_4xx(client):
    assert client.get('/nope').status_code == 404
    assert client.get('/').status_code == 405
    assert client.get(f'/callevent/{USER_ID}').status_code == 405


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
