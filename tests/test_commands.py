"""
Every chat command through the real Flask app: the exact Webex requests it makes (method, path, body, whose
token) and its reply. Webex is faked with `responses`.
"""
import re
import urllib.parse

import pytest

from tests.conftest import API, CLIENT_SECRET, PUBLIC_URL
from tests.webexmock import (ROOM_ID, USER_EMAIL, USER_ID, USER_REFRESH, USER_TOKEN, call, chat, user_context,
                             webhook)
from tests.adaptivecard import validate_card
from wxc_cc.signature import derive_secret

pytestmark = pytest.mark.unit

MONITOR_ON = 'Monitoring is on: your calls show here as cards with buttons, and new voicemail too.'
NOT_AUTHENTICATED = f'User {USER_EMAIL.replace(".", chr(92) + ".")} not authenticated. Use /auth command first'


@pytest.fixture
def authorized(bot):
    bot.core.stores.tokens.set_user_context(user_context())


def test_help_lists_every_command_with_two_requests(client, webex, bot):
    [reply] = chat(client, webex, '/help')
    for command in bot.core.commands:
        if command.name != '/redis':
            assert f'**{command.usage}**' in reply
    assert '/redis' not in reply, '/redis is offered only with the Redis store'
    assert reply.index('**Calls**') < reply.index('**Phone settings**') < reply.index('**Monitoring**') \
        < reply.index('**Voicemail**') < reply.index('**Account**')
    assert webex.summary() == [('GET', webex.sent()[0].path, 'bot'), ('POST', '/messages', 'bot')]
    [message] = webex.replies()
    assert message['roomId'] == ROOM_ID
    [attachment] = message['attachments']
    assert attachment['contentType'] == 'application/vnd.microsoft.card.adaptive'
    validate_card(attachment['content'])
    titles = [block['text'] for block in attachment['content']['body'] if block['type'] == 'TextBlock']
    assert titles[1:] == ['Calls', 'Phone settings', 'Monitoring', 'Voicemail', 'Account']


@pytest.mark.parametrize('text', ['hello', '', 'please /dial 1234', 'dial 1234', '/dialx 1'])
def test_anything_else_gets_the_help_text(client, webex, authorized, text):
    [reply] = chat(client, webex, text)
    assert reply.startswith('Hello! I control your Webex Calling phone')
    assert not [s for s in webex.sent() if s.path.startswith('/telephony')]


def test_command_word_is_case_insensitive(client, webex, authorized):
    webex.add('POST', '/telephony/calls/dial', status=201, json_body={'callId': 'C1', 'callSessionId': 'S1'})
    [reply] = chat(client, webex, '/DIAL 1234')
    assert reply.startswith('Dialing 1234')


@pytest.mark.parametrize('text', ['/dial 1234', '/answer', '/hangup', '/history', '/monitor on'])
def test_commands_need_auth_first(client, webex, text):
    assert chat(client, webex, text) == [NOT_AUTHENTICATED]
    assert [s.path for s in webex.sent()][1:] == ['/messages']


def test_dial_is_one_get_one_dial_one_reply(client, webex, authorized):
    webex.add('POST', '/telephony/calls/dial', status=201, json_body={'callId': 'C1', 'callSessionId': 'S1'})
    [reply] = chat(client, webex, '/dial 1234')
    assert reply.startswith('Dialing 1234: your phone rings first')
    sent = webex.sent()
    assert [(s.method, s.path, s.identity) for s in sent] == [
        ('GET', sent[0].path, 'bot'), ('POST', '/telephony/calls/dial', 'user'), ('POST', '/messages', 'bot')]
    assert sent[1].body == {'destination': '1234'}


@pytest.mark.parametrize('typed, destination', [
    ('+1 (408) 555-1001', '+14085551001'), ('sip:bob@example.com', 'sip:bob@example.com'), ('*73', '*73'),
    ('bob@example.com', 'bob@example.com')])
def test_dial_strings(client, webex, authorized, typed, destination):
    webex.add('POST', '/telephony/calls/dial', status=201, json_body={'callId': 'C1', 'callSessionId': 'S1'})
    chat(client, webex, f'/dial {typed}')
    assert [s.body for s in webex.sent() if s.path == '/telephony/calls/dial'] == [{'destination': destination}]


def test_dial_without_destination_gives_usage(client, webex, authorized):
    [reply] = chat(client, webex, '/dial')
    assert reply.startswith('Usage: /dial <number, SIP URI or name>')
    assert [s.path for s in webex.sent()][1:] == ['/messages']


def test_dial_refuses_junk_and_escapes_the_echo(client, webex, authorized):
    [reply] = chat(client, webex, '/dial [click](http://evil.example)')
    assert reply.startswith(r'\[click\]\(http://evil\.example\) is not a number or SIP URI')
    assert '/telephony/calls/dial' not in [s.path for s in webex.sent()]


def test_dial_error_reaches_the_user_as_one_line(client, webex, authorized):
    webex.error('POST', '/telephony/calls/dial', 400, 'Destination is not allowed.')
    assert chat(client, webex, '/dial 1234') == ['Could not dial: 400 Destination is not allowed']


def test_dial_refreshes_an_expiring_token_first(client, webex, bot):
    bot.core.stores.tokens.set_user_context(user_context(seconds_left=60))
    webex.add('POST', '/access_token', json_body={
        'access_token': 'fresh-access-token', 'expires_in': 1209600, 'refresh_token': 'fresh-refresh-token',
        'refresh_token_expires_in': 7776000, 'token_type': 'Bearer'})
    webex.add('POST', '/telephony/calls/dial', status=201, json_body={'callId': 'C1', 'callSessionId': 'S1'})
    chat(client, webex, '/dial 1234')
    refresh, dial = [s for s in webex.sent() if s.path in ('/access_token', '/telephony/calls/dial')]
    assert refresh.token is None and refresh.body == {
        'grant_type': 'refresh_token', 'refresh_token': USER_REFRESH, 'client_id': 'client-id',
        'client_secret': CLIENT_SECRET}
    assert dial.token == 'fresh-access-token'
    assert bot.core.stores.tokens.get_user_context(USER_ID).tokens.refresh_token == 'fresh-refresh-token'


def test_rejected_token_is_refreshed_and_the_request_made_again_once(client, webex, bot, authorized):
    webex.error('POST', '/telephony/calls/dial', 401, 'The request requires a valid access token.')
    webex.add('POST', '/telephony/calls/dial', status=201, json_body={'callId': 'C1', 'callSessionId': 'S1'})
    webex.add('POST', '/access_token', json_body={
        'access_token': 'fresh-access-token', 'expires_in': 1209600, 'refresh_token': 'fresh-refresh-token',
        'refresh_token_expires_in': 7776000, 'token_type': 'Bearer'})
    [reply] = chat(client, webex, '/dial 1234')
    assert reply.startswith('Dialing 1234')
    assert [(s.path, s.token) for s in webex.sent()][1:] == [
        ('/telephony/calls/dial', USER_TOKEN), ('/access_token', None), ('/telephony/calls/dial', 'fresh-access-token'),
        ('/messages', webex.sent()[-1].token)]


def test_a_second_401_is_not_retried_again(client, webex, bot, authorized):
    webex.error('POST', '/telephony/calls/dial', 401, 'The request requires a valid access token.')
    webex.add('POST', '/access_token', json_body={'access_token': 'fresh', 'expires_in': 1209600,
                                                  'token_type': 'Bearer'})
    assert chat(client, webex, '/dial 1234') == [
        'Could not dial: 401 The request requires a valid access token']
    assert [s.path for s in webex.sent()].count('/telephony/calls/dial') == 2


def test_answer_answers_the_alerting_call(client, webex, authorized):
    webex.add('GET', '/telephony/calls', json_body={'items': [
        call('C1', 'connected', 'originator', 'Bob'), call('C2', 'alerting', 'terminator', 'Henry *Green*')]})
    webex.add('POST', '/telephony/calls/answer', status=204)
    assert chat(client, webex, '/answer') == [r'Answered the call from Henry \*Green\* (7101).']
    calls = [(s.method, s.path, s.identity, s.body) for s in webex.sent() if s.path.startswith('/telephony')]
    assert calls == [('GET', '/telephony/calls', 'user', None),
                     ('POST', '/telephony/calls/answer', 'user', {'callId': 'C2'})]


def test_answer_without_ringing_call(client, webex, authorized):
    webex.add('GET', '/telephony/calls', json_body={'items': [call('C1', 'connected', 'terminator')]})
    assert chat(client, webex, '/answer') == ['You have no call that can be answered.']
    assert '/telephony/calls/answer' not in [s.path for s in webex.sent()]


@pytest.mark.parametrize('personality, word', [('originator', 'to'), ('terminator', 'from')])
def test_hangup_says_to_or_from(client, webex, authorized, personality, word):
    webex.add('GET', '/telephony/calls', json_body={'items': [
        call('C0', 'held', 'originator', 'Other'), call('C1', 'connected', personality)]})
    webex.add('POST', '/telephony/calls/hangup', status=204)
    assert chat(client, webex, '/hangup') == [f'Hung up the call {word} Henry Green (7101).']
    assert [s.body for s in webex.sent() if s.path == '/telephony/calls/hangup'] == [{'callId': 'C1'}]


def test_hangup_without_call(client, webex, authorized):
    webex.add('GET', '/telephony/calls', json_body={'items': []})
    assert chat(client, webex, '/hangup') == ['You have no call that can be hung up.']


def test_history_is_sorted_newest_first(client, webex, authorized):
    webex.add('GET', '/telephony/calls/history', json_body={'items': [
        {'type': 'placed', 'name': 'Ann', 'number': '1001', 'privacyEnabled': False,
         'time': '2026-01-01T10:00:00.000Z'},
        {'type': 'missed', 'number': '+14085550000', 'privacyEnabled': False, 'time': '2026-01-03T10:00:00.000Z'},
        {'type': 'received', 'privacyEnabled': True, 'time': '2026-01-02T10:00:00.000Z'}]})
    [reply] = chat(client, webex, '/history')
    assert reply.splitlines() == [
        '**Call history: 3 calls, newest first** (UTC)', '```',
        'Jan 3, 2026, 10:00\u202fAM  missed    +14085550000',
        'Jan 2, 2026, 10:00\u202fAM  received  private',
        'Jan 1, 2026, 10:00\u202fAM  placed    Ann (1001)', '```']
    assert [(s.path, s.identity) for s in webex.sent() if s.path.startswith('/telephony')] == [
        ('/telephony/calls/history', 'user')]


def test_long_replies_are_split_not_refused(client, webex, authorized):
    webex.add('GET', '/telephony/voiceMessages', json_body={'items': [
        {'id': f'VM{i}', 'duration': 30, 'read': False, 'created': f'2026-01-01T10:{i % 60:02d}:00.000Z',
         'callingParty': {'name': f'Caller number {i} ' + 'x' * 40, 'number': str(1000 + i)}}
        for i in range(300)]})
    replies = chat(client, webex, '/voicemail list')
    assert len(replies) > 1
    assert all(len(reply.encode()) <= 7439 for reply in replies)
    assert sum(len(re.findall(r'^\d+\. ', reply, re.M)) for reply in replies) == 300


def user_webhook_secret(bot) -> str:
    return derive_secret(bot.settings.webhook_secret, f'callevent:{USER_ID}')


def test_monitor_on_creates_a_signed_webhook(client, webex, bot, authorized):
    webex.add('GET', '/webhooks', json_body={'items': [webhook('other app', 'https://x', 'messages', 'created',
                                                               None, webhook_id='OTHER')]})
    webex.add('POST', '/webhooks', json_body=webhook('ccbot.telephony_calls', 'u', 'telephony_calls', 'all', 's'))
    assert chat(client, webex, '/monitor on') == [MONITOR_ON]
    hooks = [(s.method, s.path, s.identity, s.body) for s in webex.sent() if s.path.startswith('/webhooks')]
    assert hooks == [('GET', '/webhooks', 'user', None)] + [('POST', '/webhooks', 'user', {
        'name': f'ccbot.{resource}', 'targetUrl': f'{PUBLIC_URL}/callevent/{USER_ID}',
        'resource': resource, 'event': 'all', 'secret': user_webhook_secret(bot)})
        for resource in ('telephony_calls', 'telephony_mwi')]
    assert user_webhook_secret(bot) != bot.settings.webhook_secret


def test_monitor_on_twice_keeps_the_webhook(client, webex, bot, authorized):
    webex.add('GET', '/webhooks', json_body={'items': [webhook(
        f'ccbot.{resource}', f'{PUBLIC_URL}/callevent/{USER_ID}', resource, 'all', user_webhook_secret(bot),
        webhook_id=resource) for resource in ('telephony_calls', 'telephony_mwi')]})
    assert chat(client, webex, '/monitor on') == ['Monitoring is already on.']
    assert [s.method for s in webex.sent() if s.path.startswith('/webhooks')] == ['GET']


def test_monitor_on_repoints_a_stale_webhook(client, webex, bot, authorized):
    webex.add('GET', '/webhooks', json_body={'items': [webhook(
        'ccbot.telephony_calls', 'https://old.ngrok.example/callevent/x', 'telephony_calls', 'all', 'old')]})
    webex.add('PUT', '/webhooks/WH1', json_body=webhook('ccbot.telephony_calls', 'u', 'telephony_calls', 'all', 's'))
    chat(client, webex, '/monitor on')
    [put] = [s for s in webex.sent() if s.method == 'PUT']
    assert put.path == '/webhooks/WH1' and put.identity == 'user'
    assert put.body == {'name': 'ccbot.telephony_calls', 'targetUrl': f'{PUBLIC_URL}/callevent/{USER_ID}',
                        'secret': user_webhook_secret(bot), 'status': 'active'}


def test_monitor_off_deletes_only_the_bots_webhooks(client, webex, authorized):
    webex.add('GET', '/webhooks', json_body={'items': [
        webhook('ccbot.telephony_calls', 'https://a', 'telephony_calls', 'all', 's', webhook_id='MINE'),
        webhook('my own thing', 'https://b', 'telephony_calls', 'all', None, webhook_id='THEIRS')]})
    webex.add('DELETE', '/webhooks/MINE', status=204)
    assert chat(client, webex, '/monitor off') == ['Monitoring is off.']
    assert [(s.method, s.path) for s in webex.sent() if s.method == 'DELETE'] == [('DELETE', '/webhooks/MINE')]


@pytest.mark.parametrize('text', ['/monitor', '/monitor maybe', '/monitor on off'])
def test_monitor_usage(client, webex, authorized, text):
    [reply] = chat(client, webex, text)
    assert reply.startswith('Usage: /monitor on|off')


def auth_link(reply: str) -> dict:
    url = re.search(r'\[link\]\(([^)]+)\)', reply).group(1)
    assert url.startswith(f'{API}/authorize?')
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def test_auth_sends_a_link_with_a_fresh_flow(client, webex, bot):
    [reply] = chat(client, webex, '/auth')
    query = auth_link(reply)
    assert query['client_id'] == 'client-id' and query['response_type'] == 'code'
    assert query['redirect_uri'] == f'{PUBLIC_URL}/redirect'
    assert query['scope'] == bot.settings.client_scopes
    assert bot.core.stores.flows.take(query['state']) == USER_ID
    assert [s.path for s in webex.sent()][1:] == ['/messages']


def test_auth_when_authorized_shows_expiry_not_tokens(client, webex, authorized):
    [reply] = chat(client, webex, '/auth')
    assert reply.startswith(r'You are authenticated as alice@example\.com.')
    assert re.search(r'Access token valid until \w{3} \d+, 20\d\d, \d+:\d\d:\d\d\u202f[AP]M UTC, refresh token until '
                     r'\w{3} \d+, 20\d\d, ', reply)
    assert USER_TOKEN not in reply and USER_REFRESH not in reply


def test_auth_force_starts_a_new_flow(client, webex, bot, authorized):
    [reply] = chat(client, webex, '/auth force')
    assert bot.core.stores.flows.take(auth_link(reply)['state']) == USER_ID


def test_auth_clear_deletes_webhooks_and_tokens(client, webex, bot, authorized):
    webex.add('GET', '/webhooks', json_body={'items': [
        webhook('ccbot.telephony_calls', 'https://a', 'telephony_calls', 'all', 's', webhook_id='MINE')]})
    webex.add('DELETE', '/webhooks/MINE', status=204)
    [reply] = chat(client, webex, '/auth clear')
    assert reply.startswith('Your tokens are forgotten and call monitoring is off.')
    assert [(s.method, s.path, s.identity) for s in webex.sent() if s.path.startswith('/webhooks')] == [
        ('GET', '/webhooks', 'user'), ('DELETE', '/webhooks/MINE', 'user')]
    assert bot.core.stores.tokens.get_user_context(USER_ID) is None


def test_auth_clear_with_dead_tokens_still_forgets(client, webex, bot, authorized):
    webex.error('GET', '/webhooks', 401, 'The request requires a valid access token.')
    chat(client, webex, '/auth clear')
    assert bot.core.stores.tokens.get_user_context(USER_ID) is None


def test_auth_maintenance(client, webex, bot):
    bot.core.stores.flows.start('someone else')
    bot.core.stores.flows.lifetime = -1
    bot.core.stores.flows.start('someone')
    bot.core.stores.flows.lifetime = 300
    assert chat(client, webex, '/auth maintenance') == ['Removed 1 expired sign-in link(s); 1 pending.']


def test_auth_usage(client, webex):
    [reply] = chat(client, webex, '/auth please')
    assert reply.startswith('Usage: /auth [clear|force|maintenance]')


def test_redis_command_needs_the_redis_store(client, webex):
    assert chat(client, webex, '/redis info') == ['The bot does not use Redis, so /redis is not available.']
