"""
One correct bot with several gunicorn workers and several instances sharing one real Redis, against the fake
Webex: start-up, duplicate deliveries, OAuth across instances, concurrent refresh, Webex faults, Redis going
away and coming back, and a graceful stop.
"""
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from fakewebex import FakeWebex
from fakewebex.servers import RedisServer
from tests.e2e import calls_made, running_fake, wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture
def fake() -> Iterator[FakeWebex]:
    with running_fake(delivery_threads=8) as fake:
        yield fake


@pytest.fixture
def redis_url(redis_server: RedisServer, redis_client) -> str:
    return redis_server.url


def webhook_checks(fake: FakeWebex, mark: int = 0) -> int:
    """How many processes have checked the bot's webhooks (each does once at start-up) since ``mark``."""
    return len([r for r in fake.requests_since(mark) if (r.method, r.path) == ('GET', '/webhooks')])


@pytest.mark.parametrize('store', ['yaml', 'redis'])
def test_four_workers_register_one_webhook(fake, e2e, store, request):
    bot = e2e.bot
    extra = {'REDIS_URL': request.getfixturevalue('redis_url')} if store == 'redis' else {}
    fake.latency = 0.3  # widens the window between listing and creating, where unlocked workers would race
    process = e2e.start(workers=4, **extra)
    fake.wait_until(lambda: webhook_checks(fake) == 4, timeout=20)
    assert sorted(h['resource'] for h in fake.webhooks(owner=bot)) == ['attachmentActions', 'memberships',
                                                                         'messages']
    assert [(r.method, r.path) for r in fake.requests if r.method != 'GET'] == [('POST', '/webhooks')] * 3
    assert len([r for r in fake.requests if r.path == '/people/me']) == 4, 'each worker asks once'
    mark = fake.mark()
    process.restart()
    fake.wait_until(lambda: webhook_checks(fake, mark) == 4, timeout=20)
    assert [r.method for r in fake.requests_since(mark) if r.path.startswith('/webhooks')] == ['GET'] * 4


def dial_numbers(fake: FakeWebex, alice) -> list[str]:
    return sorted(c['remoteParty']['number'] for c in fake.calls(alice))


def test_duplicate_deliveries_are_acted_on_once(fake, e2e, redis_url):
    alice = fake.add_person('alice@example.com', 'Alice')
    process = e2e.start(workers=4, REDIS_URL=redis_url)
    chat = e2e.chat(alice)
    chat.authorize()
    fake.deliver_copies = 2
    seen = chat.seen()
    for number in range(2001, 2007):
        fake.send_message(alice, f'/dial {number}')
    fake.wait_until(lambda: len(dial_numbers(fake, alice)) >= 6, timeout=10)
    fake.wait_deliveries_idle(10)
    fake.wait_until(lambda: len([r for r in chat.replies_since(seen) if r.startswith('Dialing')]) == 6)
    assert dial_numbers(fake, alice) == [str(n) for n in range(2001, 2007)]
    assert len([d for d in fake.deliveries if d.resource == 'messages']) > 12, 'every delivery came twice'
    process.close()
    assert len([r for r in chat.replies_since(seen) if r.startswith('Dialing')]) == 6


def test_two_instances_share_flows_and_notifications(fake, e2e, tmp_path, redis_url):
    bot = e2e.bot
    alice = fake.add_person('alice@example.com', 'Alice')
    first = e2e.start(tmp_path / 'a', REDIS_URL=redis_url)
    # both behind one public URL, as behind a load balancer: here the first instance's
    second = e2e.start(tmp_path / 'b', REDIS_URL=redis_url, WXC_CC_BOT_URL=first.url)
    chat = e2e.chat(alice)
    assert len(fake.webhooks(owner=bot)) == 3
    chat.authorize(redirect_to=second.url)  # /auth served by the first, /redirect by the second
    seen = chat.seen()
    mark = fake.mark()
    fake.send_message(alice, '/dial 3001')
    chat.wait_reply('Dialing', seen)
    fake.wait_deliveries_idle()
    [delivery] = [d for d in fake.deliveries if d.body['data'].get('personId') == alice.id][-1:]
    fake.redeliver(delivery, target_url=f'{second.url}/')
    fake.wait_deliveries_idle()
    assert fake.deliveries[-1].status_code == 200 and fake.deliveries[-1].target_url == f'{second.url}/'
    wait_until(lambda: 'duplicate notification message:' in second.log(), timeout=10)
    assert dial_numbers(fake, alice) == ['3001']
    assert [r.path for r in fake.requests_since(mark)].count('/telephony/calls/dial') == 1


def test_concurrent_commands_refresh_once(fake, e2e, redis_url):
    alice = fake.add_person('alice@example.com', 'Alice')
    e2e.start(workers=4, REDIS_URL=redis_url)
    chat = e2e.chat(alice)
    chat.authorize()
    fake.expire_access_tokens(alice)  # Webex now refuses the token the bot holds
    fake.latency = 0.2  # the workers' refreshes would overlap without the shared lock
    mark = fake.mark()
    seen = chat.seen()
    for _ in range(8):
        fake.send_message(alice, '/history')
    fake.wait_until(lambda: len(chat.replies_since(seen)) == 8, timeout=15)
    assert all(reply.startswith('Your call history is empty') for reply in chat.replies_since(seen))
    refreshes = [r for r in fake.requests_since(mark) if r.path == '/access_token']
    assert len(refreshes) == 1 and refreshes[0].status == 200


def test_webex_faults(fake, e2e):
    bot = e2e.bot
    alice = fake.add_person('alice@example.com', 'Alice')
    e2e.start()
    chat = e2e.chat(alice)
    chat.authorize()
    # 429: waited for and tried again
    fake.fail_next('POST', '/telephony/calls/dial', 429, headers={'Retry-After': '1'})
    mark = fake.mark()
    assert chat.say('/dial 4001', 'Dialing').startswith('Dialing 4001')
    assert [r.status for r in fake.requests_since(mark) if r.path == '/telephony/calls/dial'] == [429, 201]
    # 500 on a dial: never sent twice, the user hears it in one line
    fake.fail_next('POST', '/telephony/calls/dial', 500, description='Internal error.')
    mark = fake.mark()
    assert chat.say('/dial 4002', 'Could not') == 'Could not dial: 500 Internal error'
    assert [r.status for r in fake.requests_since(mark) if r.path == '/telephony/calls/dial'] == [500]
    assert dial_numbers(fake, alice) == ['4001']
    # 503 on reading the message and on posting the reply: both tried again
    fake.fail_next('GET', '/messages/.*', 503)
    fake.fail_next('POST', '/messages', 503)
    seen = chat.seen()
    mark = fake.mark()
    chat.say('/help', 'I understand')
    assert calls_made(fake, mark, 4) == [('GET', '/messages/{id}', bot.email), ('GET', '/messages/{id}', bot.email),
                                         ('POST', '/messages', bot.email), ('POST', '/messages', bot.email)]
    assert len(chat.replies_since(seen)) == 1


def test_redis_going_away_and_coming_back(fake, e2e, tmp_path: Path):
    (tmp_path / 'redis').mkdir()
    server = RedisServer.launch(tmp_path / 'redis', persistent=True)
    e2e.add_cleanup(server.stop)
    alice = fake.add_person('alice@example.com', 'Alice')
    process = e2e.start(workers=2, REDIS_URL=server.url)
    chat = e2e.chat(alice)
    chat.authorize()
    server.stop()
    # each worker keeps its answer 5 s: the first 503 is looked at
    answers = []
    wait_until(lambda: answers.append(requests.get(f'{process.url}/ready', timeout=5))
               or answers[-1].status_code == 503, timeout=15)
    ready = answers[-1].json()
    assert ready == {'status': 'unavailable', 'reason': 'token store unavailable'}, 'no host, no exception'
    assert 'ready: Redis unavailable' in process.log(), "the details are in the bot's log"
    assert requests.get(f'{process.url}/health', timeout=5).status_code == 200, 'alive: no restart for it'
    # nothing is accepted that cannot be kept: Webex hears 503 and delivers it again later
    deliveries = len(fake.deliveries)
    fake.send_message(alice, '/dial 5001')
    fake.wait_deliveries_idle()
    [refused] = [d for d in fake.deliveries[deliveries:] if d.resource == 'messages']
    assert refused.status_code == 503
    server.start()
    wait_until(lambda: requests.get(f'{process.url}/ready', timeout=5).status_code == 200, timeout=20)
    seen = chat.seen()
    fake.redeliver(refused)
    assert chat.wait_reply('Dialing', seen).startswith('Dialing 5001'), 'served once Redis is back'
    assert chat.say('/dial 5002', 'Dialing').startswith('Dialing 5002')


def test_sigterm_finishes_what_runs_and_leaves_the_rest_queued(fake, e2e):
    """SIGTERM: no new task is taken, the one in flight finishes, the others wait in the queue for the next start."""
    people = [fake.add_person(f'user{i}@example.com', f'User {i}') for i in range(3)]
    process = e2e.start(WXC_CC_WORKER_THREADS='1')
    chats = [e2e.chat(person) for person in people]
    seen = [chat.seen() for chat in chats]
    hold = fake.hold_next('GET', '/messages/.*')
    fake.send_message(people[0], '/help')
    assert hold.arrived.wait(10), "the first command is in flight, waiting on Webex"
    for person in people[1:]:
        fake.send_message(person, '/help')
    fake.wait_deliveries_idle(10)  # accepted: in the queue
    process.process.send_signal(signal.SIGTERM)
    hold.release()
    assert process.process.wait(timeout=20) == 0
    assert [r for r in chats[0].replies_since(seen[0]) if 'I understand' in r], 'the one in flight finished'
    assert not chats[1].replies_since(seen[1]) and not chats[2].replies_since(seen[2]), 'the rest waits'
    process.start()
    for chat, before in zip(chats[1:], seen[1:]):
        assert chat.wait_reply('I understand', before), 'served after the restart'
    process.close()
    assert re.search(r'Shutting down: Master', process.log())


def test_a_new_webhook_secret_reaches_the_users_webhooks(fake, e2e):
    alice = fake.add_person('alice@example.com', 'Alice')
    first = e2e.start(WXC_CC_WEBHOOK_SECRET='old-secret')
    chat = e2e.chat(alice)
    chat.authorize()
    chat.say('/monitor on', 'Monitoring is on')
    old = {h['secret'] for h in fake.webhooks(owner=alice)}
    first.stop()
    first.env['WXC_CC_WEBHOOK_SECRET'] = 'new-secret'
    first.start()
    fake.wait_until(lambda: {h['secret'] for h in fake.webhooks(owner=alice)}.isdisjoint(old), timeout=10)
    assert chat.expect(lambda: fake.ring(alice, 'Henry Green', '7101'), 'Alerting')


def test_webhooks_heal_themselves(fake, e2e):
    """Webex disables a webhook: the periodic check re-activates it. The public URL changes (a new ngrok URL):
    the next start re-points the bot's webhook and the monitored user's call-event webhook."""
    bot = e2e.bot
    alice = fake.add_person('alice@example.com', 'Alice')
    first = e2e.start(WXC_CC_WEBHOOK_CHECK_INTERVAL='0.3')
    chat = e2e.chat(alice)
    chat.authorize()
    chat.say('/monitor on', 'Monitoring is on')
    hook = next(h for h in fake.webhooks(owner=bot) if h['resource'] == 'messages')
    fake.set_webhook_status(hook['id'], 'inactive')
    fake.wait_until(lambda: all(h['status'] == 'active' for h in fake.webhooks(owner=bot)), timeout=10)
    assert hook['id'] in [h['id'] for h in fake.webhooks(owner=bot)] and len(fake.webhooks(owner=bot)) == 3
    first.close()
    second = e2e.start()  # same token file, new address
    assert second.url != first.url
    assert {h['targetUrl'] for h in fake.webhooks(owner=bot)} == {f'{second.url}/'}
    assert hook['id'] in [h['id'] for h in fake.webhooks(owner=bot)]
    fake.wait_until(lambda: {h['targetUrl'] for h in fake.webhooks(owner=alice)} == {
        f'{second.url}/callevent/{alice.id}'}, timeout=10)
    assert chat.expect(lambda: fake.ring(alice, 'Henry Green', '7101'), 'Alerting')
