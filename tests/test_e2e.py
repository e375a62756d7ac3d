"""
End to end: the real bot under gunicorn on 127.0.0.1, talking to the local fake Webex (which delivers signed
notifications), used the way a person uses it, with each token store; then restarted.
"""
import re
import sys

import pytest
import requests

from fakewebex import FakeWebex
from fakewebex.harness import BotProcess
from tests.conftest import CLIENT_SECRET, PUBLIC_URL, REPO
from tests.e2e import SelfBound, bot_env, calls_made

pytestmark = pytest.mark.e2e


@pytest.fixture(params=['yaml', 'redis'])
def store_env(request: pytest.FixtureRequest) -> dict:
    if request.param == 'redis':
        request.getfixturevalue('redis_client')  # empties the session's Redis
        return {'REDIS_URL': request.getfixturevalue('redis_server').url}
    return {}

def test_a_day_with_the_bot(fake: FakeWebex, e2e, store_env):
    bot = e2e.bot
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001', number='+14085551001')
    policy = {'admins': [alice.email], 'rate_limit': {'commands': 200, 'seconds': 60}}
    process = e2e.start(policy=policy, **store_env)
    chat = e2e.chat(alice)
    hooks = {h['resource']: h for h in fake.webhooks(owner=bot)}
    assert sorted(hooks) == ['attachmentActions', 'memberships', 'messages']
    assert all(h['event'] == 'created' and h['targetUrl'] == f'{process.url}/' and h['secret']
               for h in hooks.values())

    assert chat.say('/dial 1234', 'not authenticated') == \
        r'User alice@example\.com not authenticated. Use /auth command first'
    assert '**/dial <number, SIP URI or name> [on <device>]**' in chat.say('/help', 'I understand these commands')
    assert chat.say('/auth maintenance', 'expired sign-in link') == 'Removed 0 expired sign-in link(s); 0 pending.'

    # /auth -> consent in the "browser" -> /redirect
    link = re.search(r'\[link\]\((\S+)\)', chat.say('/auth', 'to authorize me')).group(1)
    fake.consent_as = alice
    seen = chat.seen()
    page = requests.get(link, timeout=10)
    assert page.status_code == 200 and page.url.startswith(f'{process.url}/redirect')
    assert 'can now control your Webex Calling phone' in page.text
    chat.wait_reply('Authorized as alice@example', seen)
    assert requests.get(link, timeout=10).status_code == 400, 'the link works once'

    # an access token Webex no longer takes is refreshed and the dial made once (refresh tokens rotate here)
    fake.expire_access_tokens(alice)
    mark = fake.mark()
    assert chat.say('/dial 1001', 'Dialing')
    assert calls_made(fake, mark, 5) == [
        ('GET', '/messages/{id}', bot.email), ('POST', '/telephony/calls/dial', 'anonymous'),
        ('POST', '/access_token', 'anonymous'), ('POST', '/telephony/calls/dial', alice.email),
        ('POST', '/messages', bot.email)]
    [first_call] = fake.calls(alice)
    assert first_call['remoteParty']['number'] == '1001'
    fake.remote_hangup(alice, first_call['id'])


    # /dial: one GET of the message, one dial, one reply
    mark = fake.mark()
    assert chat.say('/dial 1234', 'Dialing').startswith('Dialing 1234')
    assert calls_made(fake, mark, 3) == [('GET', '/messages/{id}', bot.email),
                                          ('POST', '/telephony/calls/dial', alice.email),
                                          ('POST', '/messages', bot.email)]
    [outgoing] = fake.calls(alice)
    assert (outgoing['state'], outgoing['remoteParty']['number']) == ('connecting', '1234')
    fake.remote_answer(alice, outgoing['id'])

    assert chat.say('/monitor on', 'Monitoring is on')
    monitors = fake.webhooks(owner=alice)
    assert sorted(h['resource'] for h in monitors) == ['telephony_calls', 'telephony_mwi']
    assert all(h['targetUrl'] == f'{process.url}/callevent/{alice.id}' and h['secret'] for h in monitors)

    assert chat.say('/hangup', 'Hung up') == 'Hung up the call to 1234.'
    chat.wait_reply('Disconnected outgoing call to 1234', set())

    # an incoming call: event message, /answer, /hangup
    event = chat.expect(lambda: fake.ring(alice, 'Henry Green', '7101'), 'Alerting')
    assert event.splitlines()[0] == '📞 **Alerting incoming call from Henry Green (7101)**'
    assert chat.say('/answer', 'Answered') == 'Answered the call from Henry Green (7101).'
    assert [c['state'] for c in fake.calls(alice)] == ['connected']
    assert chat.say('/hangup', 'Hung up') == 'Hung up the call from Henry Green (7101).'
    assert fake.calls(alice) == []

    history = chat.say('/history', 'Call history').splitlines()
    assert history[0] == '**Call history: 3 calls, newest first** (UTC)'
    assert history[2].endswith('received  Henry Green (7101)') and history[3].endswith('placed    1234')
    assert history[4].endswith('placed    1001')

    # a restart keeps the user authenticated and the webhooks as they are
    process.restart()
    assert chat.say('/history', 'Call history').splitlines()[0] == '**Call history: 3 calls, newest first** (UTC)'
    assert sorted(h['id'] for h in fake.webhooks(owner=bot)) == sorted(h['id'] for h in hooks.values())

    assert 'to authorize me' in chat.say('/auth force', 'link')
    assert chat.say('/auth', 'authenticated as').startswith(r'You are authenticated as alice@example\.com')
    assert chat.say('/monitor off', 'Monitoring') == 'Monitoring is off.'
    assert fake.webhooks(owner=alice) == []
    assert chat.say('/monitor on', 'Monitoring') == \
        'Monitoring is on: your calls show here as cards with buttons, and new voicemail too.'

    if store_env:
        info = chat.say('/redis info', 'Redis token store')
        assert r'alice@example\.com' in info and alice.id in info and '1 pending sign-in' in info
    else:
        assert chat.say('/redis info', 'Redis') == 'The bot does not use Redis, so /redis is not available.'

    # /auth clear: tokens and call-event webhook gone, no more events
    assert chat.say('/auth clear', 'forgotten')
    assert fake.webhooks(owner=alice) == []
    seen = chat.seen()
    fake.ring(alice, 'Late Caller', '7102')
    fake.wait_deliveries_idle()
    assert not [m for m in fake.messages(person=alice) if m['id'] not in seen]
    assert chat.say('/history', 'not authenticated')

    if store_env:
        fake.consent_as = alice
        requests.get(re.search(r'\[link\]\((\S+)\)', chat.say('/auth', 'link')).group(1), timeout=10)
        chat.say('/monitor on', 'Monitoring is on')
        assert chat.say('/redis clear', 'Cleared') == \
            'Cleared the Redis store: 1 user(s) forgotten, their call monitoring turned off.'
        assert fake.webhooks(owner=alice) == []
        assert chat.say('/dial 1', 'not authenticated')
    process.close()
    log = process.log()
    assert 'tokens refreshed for user' in log, 'the log was written at DEBUG'
    for secret in fake.issued_tokens() + [CLIENT_SECRET]:
        assert secret not in log


def test_forged_notifications_do_nothing(fake: FakeWebex, e2e):
    alice = fake.add_person('alice@example.com', 'Alice Example')
    process = e2e.start()
    mark = fake.mark()
    body = b'{"id": "x", "resource": "messages", "event": "created", "data": {"id": "m", "roomId": "r", ' \
           b'"personId": "p"}}'
    assert requests.post(f'{process.url}/', data=body, timeout=5).status_code == 401
    assert requests.post(f'{process.url}/', data=body, headers={'X-Spark-Signature': 'ab' * 20},
                         timeout=5).status_code == 403
    assert requests.post(f'{process.url}/callevent/{alice.id}', data=body, timeout=5).status_code == 401
    assert requests.post(f'{process.url}/', data=b'', timeout=5).status_code == 401
    assert fake.requests_since(mark) == []
    assert requests.get(f'{process.url}/health', timeout=5).json() == {'status': 'ok', 'store': 'yaml'}


def test_missing_settings_stop_the_start_with_one_line(tmp_path):
    process = BotProcess({'WXC_CC_BOT_NAME': 'ccbot'}, tmp_path)
    try:
        with pytest.raises(RuntimeError, match='exited with 3'):
            process.start(timeout=20)
    finally:
        process.close()
    log = process.log()
    assert ('wxc_cc_bot cannot start: missing required setting(s): WXC_CC_BOT_EMAIL, WXC_CC_BOT_ACCESS_TOKEN, '
            'WXC_CC_INTEGRATION_CLIENT_ID, WXC_CC_INTEGRATION_CLIENT_SECRET') in log
    assert 'Traceback' not in log


def test_python_wxc_cc_bot_serves_on_port(fake: FakeWebex, tmp_path):
    """
    ``python wxc_cc_bot.py`` against the emulator serves on ``$PORT`` (0 here: see :class:`tests.e2e.SelfBound`); the
    access log leaves out query strings.
    """
    bot = fake.add_bot('ccbot@webex.bot', 'CC Bot')
    env = {'PATH': '/usr/bin:/bin', **bot_env(fake, bot, WXC_CC_BOT_URL=PUBLIC_URL)}
    process = SelfBound([sys.executable, str(REPO / 'wxc_cc_bot.py')], env, tmp_path)
    try:
        url = process.url()
        assert requests.get(f'{url}/health', timeout=5).json() == {'status': 'ok', 'store': 'yaml'}
        assert requests.get(f'{url}/redirect?code=SECRETCODE&state=x', timeout=5).status_code == 400
    finally:
        status = process.stop()
    assert status == 0 and 'stopped' in process.output, process.output
    assert '"GET /redirect" 400' in process.output and 'SECRETCODE' not in process.output
