"""
Trust, at the HTTP boundary with Webex faked by `responses`: the bot acts on what Webex says, not on what a
notification claims; old and repeated commands are not acted on; records belong to their owner; nothing accepted
is dropped; nothing is cut; no secret is logged.
"""
import io
import json
import logging
from contextlib import ExitStack

import pytest
from cryptography.fernet import Fernet

from tests.conftest import API, BOT_TOKEN, CLIENT_SECRET, settings_values, shut_down, started_bot
from tests.webexmock import (BOT_ID, ROOM_ID, USER_ID, USER_REFRESH, USER_TOKEN, call_event, chat, user_context,
                             user_tokens)
from wxc_cc.errors import TokenKeyMismatch
from wxc_cc.logsetup import json_formatter, text_formatter
from wxc_cc.redaction import Redactor, protect_logs
from wxc_cc.replies import MAX_MESSAGE_BYTES, Reply
from wxc_cc.signature import derive_secret, sign
from wxc_cc.stores import RedisTokenManager, UserContext, YAMLTokenManager

pytestmark = pytest.mark.unit

MALLORY = 'MALLORY_PERSON_ID'


@pytest.fixture
def authorized(bot):
    bot.core.stores.tokens.set_user_context(user_context())
    alice = user_context()
    bot.core.stores.tokens.set_user_context(alice.model_copy(update={
        'user_id': MALLORY, 'email': 'mallory@example.com',
        'tokens': alice.tokens.model_copy(update={'access_token': 'mallory-access-token-9'})}))


def dials(webex) -> list[tuple[str, dict]]:
    return [(s.identity, s.body) for s in webex.sent() if s.path == '/telephony/calls/dial']


# --- 1. who sent a message is what Webex says

@pytest.mark.parametrize('claims', [
    {'personId': USER_ID, 'personEmail': 'alice@example.com'},
    {'personId': USER_ID},
    {'personEmail': 'alice@example.com'},
    {'roomId': 'SOME_OTHER_ROOM'},
    {'roomType': 'group', 'mentionedPeople': [BOT_ID]},
])
def test_a_notification_that_disagrees_with_the_message_is_not_acted_on(client, webex, authorized, claims, caplog):
    """Mallory's message, in a notification that names Alice (or another room): nobody dials, nobody is told."""
    caplog.set_level(logging.WARNING)
    body = webex.message_notification('/dial 1234', person_id=MALLORY, email='mallory@example.com', claims=claims)
    assert client.post('/', data=body, headers=webex.signed(body)).status_code == 200
    assert webex.summary() == [('GET', '/messages/MSG1', 'bot')], 'read, and nothing else'
    assert 'notification of message MSG1 disagrees with Webex' in caplog.text


def test_the_sender_and_room_come_from_the_fetched_message(client, webex, authorized, bot):
    webex.add('POST', '/telephony/calls/dial', json_body={'callId': 'C1', 'callSessionId': 'S1'})
    assert chat(client, webex, '/dial 1234', person_id=MALLORY, email='mallory@example.com') == [
        'Dialing 1234: your phone rings first; the call to 1234 starts when you answer it.']
    assert dials(webex) == [('mallory-access-token-9', {'destination': '1234'})]


# --- 2. no stale or replayed commands

def test_an_old_message_is_not_acted_on_and_the_person_is_asked_again(client, webex, authorized, caplog):
    webex.add('POST', '/telephony/calls/dial', json_body={'callId': 'C1', 'callSessionId': 'S1'})
    assert chat(client, webex, '/dial 1234', age=301) == [
        'That command is too old to act on (more than a few minutes passed). Please send it again.']
    assert dials(webex) == []
    assert 'message MSG1 from ALICE_PERSON_ID is 301 s old: not acted on' in caplog.text
    assert chat(client, webex, '/dial 1234', age=290)[0].startswith('Dialing 1234'), 'within the age it works'


@pytest.mark.parametrize('settings', [{'WXC_CC_MAX_COMMAND_AGE': '30'}], indirect=True)
def test_the_age_is_configurable(client, webex, authorized):
    assert chat(client, webex, '/dial 1234', age=31)[0].startswith('That command is too old')


def test_an_old_card_press_is_not_acted_on(client, webex, authorized):
    body = webex.action_notification('CARD', {'action': 'callback', 'owner': USER_ID, 'number': '1001'}, age=400)
    client.post('/', data=body, headers=webex.signed(body))
    assert dials(webex) == []
    assert [r['markdown'] for r in webex.replies()] == [
        'That command is too old to act on (more than a few minutes passed). Please send it again.']


def test_a_replayed_notification_is_not_acted_on_by_a_restarted_bot(settings, webex, policy, tmp_path):
    """The YAML store's claims live in a database beside the file: a restarted process still knows them."""
    from wxc_cc_bot import CallControlBot
    (tmp_path / 'wxc_cc_config.json').write_text(json.dumps(policy))
    webex.add('POST', '/telephony/calls/dial', json_body={'callId': 'C1', 'callSessionId': 'S1'})
    body = webex.message_notification('/dial 1234')
    for _ in range(2):
        webex.bot_setup()
        bot = CallControlBot(settings=settings)
        bot.core.stores.tokens.set_user_context(user_context())
        assert bot.test_client().post('/', data=body, headers=webex.signed(body)).status_code == 200
        assert bot.core.worker.wait_idle(5)
        shut_down(bot)
    assert len(dials(webex)) == 1


# --- 4. encrypted records belong to their owner

@pytest.fixture(params=['yaml', 'redis'])
def encrypted_store(request, tmp_path):
    key = Fernet.generate_key().decode()
    if request.param == 'yaml':
        return YAMLTokenManager(tmp_path / 'wxc_cc_bot.yml', token_keys=[key])
    return RedisTokenManager(request.getfixturevalue('redis_client'), token_keys=[key])


def copy_record(store, source: str, target: str) -> None:
    """What an attacker with write access to the store does: copy one person's ciphertext under another's id."""
    if isinstance(store, YAMLTokenManager):
        import yaml
        data = yaml.safe_load(store.path.read_text())
        data['users'][target] = data['users'][source]
        store.path.write_text(yaml.safe_dump(data))
    else:
        store.redis.set(store.keys.key('user', target), store.redis.get(store.keys.key('user', source)))


def test_a_record_copied_under_another_person_is_refused(encrypted_store, caplog):
    encrypted_store.set_user_context(user_context())
    copy_record(encrypted_store, USER_ID, MALLORY)
    assert encrypted_store.get_user_context(MALLORY) is None
    assert [c.user_id for c in encrypted_store.user_contexts()] == [USER_ID]
    assert f'record stored under user {MALLORY} belongs to user {USER_ID}: refused' in caplog.text
    assert encrypted_store.get_user_context(USER_ID).tokens.access_token == USER_TOKEN


def test_a_wrong_key_is_told_by_the_key_check_not_the_reachability_check(tmp_path):
    YAMLTokenManager(tmp_path / 't.yml', token_keys=[Fernet.generate_key().decode()]).set_user_context(user_context())
    other = YAMLTokenManager(tmp_path / 't.yml', token_keys=[Fernet.generate_key().decode()])
    other.check()
    with pytest.raises(TokenKeyMismatch, match='another WXC_CC_TOKEN_KEY'):
        other.check_key()
    with pytest.raises(TokenKeyMismatch, match='set WXC_CC_TOKEN_KEY'):
        YAMLTokenManager(tmp_path / 't.yml').check_key()
    YAMLTokenManager(tmp_path / 'empty.yml', token_keys=[Fernet.generate_key().decode()]).check_key()


def test_a_wrong_key_makes_the_bot_not_ready_and_says_nothing_more(webex, tmp_path, caplog):
    YAMLTokenManager(tmp_path / 'wxc_cc_bot.yml', token_keys=[Fernet.generate_key().decode()]).set_user_context(
        user_context())
    app = started_bot(webex, WXC_CC_TOKEN_KEY=Fernet.generate_key().decode())
    try:
        client = app.test_client()
        response = client.get('/ready')
        assert (response.status_code, response.json) == (503, {'status': 'unavailable',
                                                               'reason': 'token store unavailable'})
        assert 'another WXC_CC_TOKEN_KEY' in caplog.text and str(tmp_path) not in response.text
        assert client.get('/health').status_code == 200, 'alive: a restart does not bring the key'
    finally:
        shut_down(app)


BOB = 'BOB_PERSON_ID'
#: what the people's records hold that must never be stored in plain text once a key is set
PEOPLE_TOKENS = (USER_TOKEN, USER_REFRESH, 'bob-access-token-3333', 'bob-refresh-token-4444')


def stored_text(store: str, tmp_path, redis_client) -> str:
    """Everything the token store holds, as text."""
    if store == 'yaml':
        return (tmp_path / 'wxc_cc_bot.yml').read_text()
    return ' '.join(redis_client.mget(redis_client.keys('wxc_cc_bot:user:*')))


@pytest.mark.parametrize('store', ['yaml', 'redis'])
def test_plain_records_are_encrypted_at_start_and_a_key_in_front_rotates_them(webex, store, request, tmp_path):
    """
    People authorized while the bot had no WXC_CC_TOKEN_KEY. It restarts with a key: every record is encrypted at
    start, none waits for its person to come back (the webhook check at start does not read the records again:
    it did so at the first start). It restarts with a new key in front of the old: every record is encrypted with
    the new key, and nobody signs in again. A process that has only the old key is not ready from then on.
    """
    redis_client = request.getfixturevalue('redis_client') if store == 'redis' else None
    where = {'REDIS_URL': request.getfixturevalue('redis_server').url} if store == 'redis' else {}
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    first = started_bot(webex, **where)
    try:
        first.core.stores.tokens.set_user_context(user_context())
        first.core.stores.tokens.set_user_context(UserContext(user_id=BOB, email='bob@example.com', tokens=user_tokens(
            access='bob-access-token-3333', refresh='bob-refresh-token-4444')))
    finally:
        shut_down(first)
    assert all(secret in stored_text(store, tmp_path, redis_client) for secret in PEOPLE_TOKENS)

    with ExitStack() as running:
        with_old = started_bot(webex, WXC_CC_TOKEN_KEY=old, **where)
        running.callback(shut_down, with_old)
        assert not [secret for secret in PEOPLE_TOKENS if secret in stored_text(store, tmp_path, redis_client)]
        assert 'fernet:' in stored_text(store, tmp_path, redis_client)

        with_new = started_bot(webex, WXC_CC_TOKEN_KEY=f'{new},{old}', **where)
        running.callback(shut_down, with_new)
        assert not [secret for secret in PEOPLE_TOKENS if secret in stored_text(store, tmp_path, redis_client)]
        only_new = (YAMLTokenManager(tmp_path / 'wxc_cc_bot.yml', token_keys=[new]) if store == 'yaml' else
                    RedisTokenManager(redis_client, token_keys=[new]))
        assert sorted(context.tokens.access_token for context in only_new.user_contexts()) == [
            USER_TOKEN, 'bob-access-token-3333']
        assert with_new.test_client().get('/ready').status_code == 200
        # its first answer since the new process started, so not one kept from before
        response = with_old.test_client().get('/ready')
        assert (response.status_code, response.json['reason']) == (503, 'token store unavailable'), \
            'the key changed: the old process cannot read the tokens any more'

        assert with_old.core.shutdown(5), 'the old process leaves, as in a rolling update'
        body = webex.message_notification('/auth')
        assert with_new.test_client().post('/', data=body, headers=webex.signed(body)).status_code == 200
        assert with_new.core.worker.wait_idle(10)
        assert webex.replies()[-1]['markdown'].startswith(r'You are authenticated as alice@example\.com'), \
            'nobody signs in again'


# --- 5. nothing dropped when busy, nothing cut

def test_a_notification_refused_while_stopping_is_served_when_delivered_again(settings, webex, bot):
    """A stopping bot answers 503 and claims nothing: the redelivery, to the next process, is served."""
    from wxc_cc_bot import CallControlBot
    body = webex.message_notification('/help')
    bot.core.shutdown(5)
    assert bot.test_client().post('/', data=body, headers=webex.signed(body)).status_code == 503
    webex.bot_setup()
    restarted = CallControlBot(settings=settings)
    try:
        assert restarted.test_client().post('/', data=body, headers=webex.signed(body)).status_code == 200
        assert restarted.core.worker.wait_idle(10)
    finally:
        restarted.core.shutdown(5)
    assert [r['markdown'].split('\n')[0] for r in webex.replies()] == [
        'Hello! I control your Webex Calling phone. I understand these commands:']


def test_a_notification_refused_while_the_queue_is_away_is_served_when_delivered_again(webex, policy, tmp_path,
                                                                                      redis_server, redis_client):
    """The queue (Redis) is away: 503, nothing claimed; when it is back, the redelivery is served."""
    from wxc_cc_bot import CallControlBot
    from wxc_cc.config import load_settings
    (tmp_path / 'wxc_cc_config.json').write_text(json.dumps(policy))
    live = load_settings(settings_values(REDIS_URL=redis_server.url), environ={})
    webex.bot_setup()
    bot = CallControlBot(settings=live)
    try:
        assert bot.core.healer.started.wait(5)
        body = webex.message_notification('/help')
        redis_server.stop()
        try:
            assert bot.test_client().post('/', data=body, headers=webex.signed(body)).status_code == 503
        finally:
            redis_server.start()
        assert bot.test_client().post('/', data=body, headers=webex.signed(body)).status_code == 200
        assert bot.core.worker.wait_idle(10)
    finally:
        bot.core.shutdown(5)
    assert [r['markdown'].split('\n')[0] for r in webex.replies()] == [
        'Hello! I control your Webex Calling phone. I understand these commands:']


def test_a_long_reply_with_a_card_loses_no_text(bot, webex):
    lines = [f'{number:04d} ' + 'é' * 300 for number in range(60)]
    markdown = '\n'.join(lines)
    assert len(markdown.encode()) > 2 * MAX_MESSAGE_BYTES
    card = {'type': 'AdaptiveCard', 'version': '1.3', 'body': []}
    bot.core.messenger.send(Reply(markdown, card), room_id=ROOM_ID)
    posts = webex.replies()
    assert len(posts) >= 3 and all(len(p['markdown'].encode()) <= MAX_MESSAGE_BYTES for p in posts)
    assert '\n'.join(p['markdown'] for p in posts) == markdown
    assert [bool(p.get('attachments')) for p in posts] == [False] * (len(posts) - 1) + [True], \
        'the card comes with the last part'


# --- 6. group spaces: only what mentions the bot

def test_a_group_message_without_mention_costs_nothing(client, webex, authorized):
    body = webex.message_notification('/dial 1234', room_type='group', mentions=[])
    assert client.post('/', data=body, headers=webex.signed(body)).status_code == 200
    assert webex.sent() == []


def test_a_claimed_mention_is_confirmed_on_the_message(client, webex, authorized, caplog):
    body = webex.message_notification('/dial 1234', room_type='group', mentions=[],
                                      claims={'mentionedPeople': [BOT_ID]})
    client.post('/', data=body, headers=webex.signed(body))
    assert webex.summary() == [('GET', '/messages/MSG1', 'bot')]
    assert 'disagrees with Webex on mentionedPeople' in caplog.text


# --- 10. /broadcast sends the bot token to Webex only

@pytest.mark.parametrize('url', ['https://evil.example/v1/contents/X', 'http://webex.test/v1/contents/X',
                                 'https://webex.test:8443/v1/contents/X', 'https://webex.test.evil.example/x'])
def test_broadcast_downloads_files_from_webex_only(client, webex, url, caplog):
    import responses
    original = webex.message_notification

    def with_file(text, **kwargs):
        body = original(text, **kwargs)
        message_id = json.loads(body)['data']['id']
        details = json.loads(body)['data']
        webex.rsps.replace(responses.GET, f'{API}/messages/{message_id}', json={**details, 'text': text,
                                                                                  'files': [url]})
        return body
    webex.message_notification = with_file
    assert chat(client, webex, '/broadcast Agenda attached') == [
        'The attached file is not on Webex, so I did not broadcast anything.']
    assert [s.path for s in webex.sent()] == ['/messages/MSG1', '/messages'], 'no download, no broadcast'
    assert 'refused: not on the Webex API host' in caplog.text


# --- 11. /monitor verbose: the raw event in a fence it cannot close

def test_verbose_fences_the_raw_event_whatever_it_holds(client, webex, bot):
    bot.core.stores.tokens.set_user_context(user_context().model_copy(update={'verbose': True}))
    body = call_event('C1', 'alerting', 'received', '2026-01-01T10:00:00.000Z', name='Eve ```` `` ```', event='created')
    secret = derive_secret(bot.settings.webhook_secret, f'callevent:{USER_ID}')
    client.post(f'/callevent/{USER_ID}', data=body, headers={'X-Spark-Signature': sign(secret, body)})
    raw = webex.replies()[-1]['markdown']
    assert raw.startswith('`````\n') and raw.endswith('\n`````')
    assert json.loads(raw[6:-6]) == json.loads(body)['data'], 'the event as Webex sent it, unchanged'


# --- 3. no secret in any log line (unit level; tests/test_e2e_trust.py runs the real bot at DEBUG)

def test_the_redactor_masks_secrets_in_every_shape():
    redactor = Redactor(['the-bot-token-123456', 'client-secret-9876'])
    samples = {
        'Authorization: Bearer abc.def-ghi': 'Authorization: ***',
        'headers: {"X-Auth-Token": "x1", "Content-Type": "application/json"}':
            'headers: {"X-Auth-Token": "***", "Content-Type": "application/json"}',
        '{"accessToken": "a b", "tokenType": "Bearer", "sipPassword": "x y z"}':
            '{"accessToken": "***", "tokenType": "Bearer", "sipPassword": "***"}',
        r'"{\"client_secret\": \"c s\", \"n\": 1}"': r'"{\"client_secret\": \"***\", \"n\": 1}"',
        "Tokens(access_token='AT 1', token_type='Bearer')": "Tokens(access_token='***', token_type='Bearer')",
        'password: "cut off here': 'password: "***',
        'status_code=404, exit code: 3': 'status_code=404, exit code: ***',
        '{"secret": "s3cr3t-value", "name": "x"}': '{"secret": "***", "name": "x"}',
        "{'access_token': 'AT123', 'refresh_token': 'RT456'}": "{'access_token': '***', 'refresh_token': '***'}",
        'grant_type=authorization_code&code=C0DE-1&redirect_uri=x': 'grant_type=authorization_code&code=***&'
                                                                    'redirect_uri=x',
        '  client_secret: cs-1\n  code: abc': '  client_secret: ***\n  code: ***',
        'GET /redirect?code=abc&state=s HTTP/1.1': 'GET /redirect?code=***&state=s HTTP/1.1',
        'token the-bot-token-123456 and client-secret-9876 inline': 'token *** and *** inline',
    }
    for text, masked in samples.items():
        assert redactor.redact(text) == masked


#: configured secrets of the shapes' test: a short one (under 8 characters) and a long one
SHORT_SECRET, LONG_SECRET = 'Zq7%x', 'a-long-configured-secret-4711'


def log_shapes(formatter: logging.Formatter) -> str:
    """What one of the bot's formatters writes for records of every shape a secret can come in."""
    protect_logs(SHORT_SECRET, LONG_SECRET)
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(formatter)
    log = logging.getLogger('wxc_cc.test.shapes')
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.INFO)
    try:
        # fields given with extra=, by key (any style) and by value, nested too
        log.info('extra', extra={'access_token': 'extra-access-value', 'url': f'https://x.example/?k={LONG_SECRET}',
                                 'body': {'refreshToken': 'extra-refresh-value', 'kept': 'visible',
                                          'items': [{'sipPassword': 'extra sip value'}]}})
        # camelCase names in a body
        log.info('body %s', json.dumps({'accessToken': 'camel-access-value', 'refreshToken': 'camel-refresh-value',
                                        'clientSecret': 'camel-client-value', 'sipPassword': 'camel-sip-value'}))
        # values with spaces, quoted and not
        log.info('sent %s and %s', {'password': 'correct horse battery staple'},
                 json.dumps({'client_secret': 'two secret words'}))
        log.info('dump:\n  webhook_secret: spaced webhook secret\n  name: kept')
        # a configured secret shorter than 8 characters
        log.info('connected with %s to redis://:%s@redis:6379', SHORT_SECRET, SHORT_SECRET)
    finally:
        log.removeHandler(handler)
    assert buffer.getvalue().count('wxc_cc.test.shapes') == 5, 'every record written'
    return buffer.getvalue()


#: what the shapes' test logs, none of which may be written, not even in part
SHAPE_SECRETS = ('extra-access-value', LONG_SECRET, 'extra-refresh-value', 'extra sip value', 'sip value',
                 'camel-access-value', 'camel-refresh-value', 'camel-client-value', 'camel-sip-value', 'horse',
                 'battery staple', 'two secret words', 'secret words', 'spaced webhook secret', 'webhook secret',
                 SHORT_SECRET)


def test_every_shape_of_secret_is_masked_in_text_logs():
    written = log_shapes(text_formatter())
    assert not [secret for secret in SHAPE_SECRETS if secret in written], written
    lines = [line.split(': ', 1)[1] for line in written.splitlines() if ' wxc_cc.test.shapes: ' in line]
    assert lines[1:3] == [
        'body {"accessToken": "***", "refreshToken": "***", "clientSecret": "***", "sipPassword": "***"}',
        'sent {\'password\': \'***\'} and {"client_secret": "***"}']
    assert '  webhook_secret: ***' in written.splitlines() and '  name: kept' in written.splitlines()
    assert lines[-1] == 'connected with *** to redis://:***@redis:6379'


def test_every_shape_of_secret_is_masked_in_json_logs():
    written = log_shapes(json_formatter())
    assert not [secret for secret in SHAPE_SECRETS if secret in written], written
    extra, body, sent, dump, connected = [json.loads(line) for line in written.splitlines()]
    assert extra['access_token'] == '***' and extra['url'] == 'https://x.example/?k=***'
    assert extra['body'] == {'refreshToken': '***', 'kept': 'visible', 'items': [{'sipPassword': '***'}]}
    assert json.loads(body['message'][5:]) == dict.fromkeys(['accessToken', 'refreshToken', 'clientSecret',
                                                             'sipPassword'], '***')
    assert sent['message'] == 'sent {\'password\': \'***\'} and {"client_secret": "***"}'
    assert dump['message'] == 'dump:\n  webhook_secret: ***\n  name: kept'
    assert connected['message'] == 'connected with *** to redis://:***@redis:6379'


def test_log_records_are_masked_with_exceptions(caplog):
    protect_logs('a-secret-only-the-test-knows')
    log = logging.getLogger('wxc_cc.test')
    try:
        raise ValueError('failed with a-secret-only-the-test-knows in it')
    except ValueError:
        log.exception('request %s', {'secret': 'webhook-secret-x'})
    [record] = caplog.records
    text = caplog.text
    assert 'a-secret-only-the-test-knows' not in text and 'webhook-secret-x' not in text
    assert record.getMessage() == "request {'secret': '***'}" and 'failed with *** in it' in text


def test_the_bot_logs_no_secret_at_debug(client, webex, bot, caplog):
    """A monitored user's webhooks carry secrets; wxc_sdk dumps bodies at DEBUG: none of it is logged."""
    caplog.set_level(logging.DEBUG)
    bot.core.stores.tokens.set_user_context(user_context())
    webex.add('GET', '/webhooks', json_body={'items': []})
    webex.rsps.add_callback('POST', f'{API}/webhooks', callback=lambda r: (
        200, {}, json.dumps({'id': 'WH', 'status': 'active', 'created': '2026-01-01T00:00:00Z',
                             **json.loads(r.body)})), content_type='application/json')
    assert chat(client, webex, '/monitor on')[0].startswith('Monitoring is on')
    user_secret = derive_secret(bot.settings.webhook_secret, f'callevent:{USER_ID}')
    assert [s.body['secret'] for s in webex.sent() if s.method == 'POST' and s.path == '/webhooks'] == [user_secret] * 2
    for secret in (BOT_TOKEN, CLIENT_SECRET, bot.settings.webhook_secret, user_secret, USER_TOKEN, USER_REFRESH):
        assert secret not in caplog.text
