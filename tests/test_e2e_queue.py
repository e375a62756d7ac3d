"""
Nothing accepted is lost, nothing done twice, end to end: real gunicorn processes, a real redis-server (or the file
store), the emulator on sockets holding one request at the moment a test chooses, workers killed with SIGKILL or
stopped with SIGTERM, Redis flushed and restarted.
"""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from fakewebex import FakeWebex
from fakewebex.harness import BotProcess
from tests.e2e import Chat, EndToEnd, SelfBound, bot_env, wait_until

pytestmark = pytest.mark.e2e

#: the heartbeat's lifetime in these tests, seconds: a dead worker's task is taken over within it
CLAIM_AFTER = '5'

#: a heartbeat's lifetime so long that a test that must not wait for a takeover would notice one
NO_TAKEOVER = '120'

#: the bot's gunicorn settings, as the image and the Procfile use them
CONF = ('-c', 'python:wxc_cc.gunicorn_conf')

#: seconds a stopping instance drains in these tests: longer than the other instance takes to serve three commands on
#: a loaded machine, so that the held command is released while the first still drains
DRAIN = '40'


def dials(fake: FakeWebex, mark: int) -> list[tuple[str, str]]:
    return [(r.identity, r.body['destination']) for r in fake.requests_since(mark)
            if (r.method, r.path) == ('POST', '/telephony/calls/dial')]


@pytest.fixture
def redis_env(redis_server, redis_client) -> dict[str, str]:
    return {'REDIS_URL': redis_server.url, 'WXC_CC_CLAIM_AFTER': CLAIM_AFTER}


def killed_during(e2e: EndToEnd, redis_env: dict, method: str, path: str) -> tuple[Chat, BotProcess, set[str], int]:
    """
    Alice's ``/dial 1234`` is taken by a first instance, which dies while Webex holds its ``method`` ``path``
    request; a second instance on the same Redis is running. Returns (chat, second instance, seen, mark).
    """
    fake = e2e.fake
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    first = e2e.start(e2e.directory / 'a', **redis_env)
    chat = e2e.chat(alice)
    chat.authorize()
    seen, mark = chat.seen(), fake.mark()
    hold = fake.hold_next(method, path)
    fake.send_message(alice, '/dial 1234')
    assert hold.arrived.wait(10), 'the first instance took the command; Webex is slow to answer'
    second = e2e.start(e2e.directory / 'b', **redis_env)
    first.kill()
    hold.release()
    return chat, second, seen, mark


def test_a_command_whose_worker_dies_is_completed_by_another_exactly_once(fake, e2e, redis_env):
    chat, second, seen, mark = killed_during(e2e, redis_env, 'GET', '/messages/.*')
    killed = time.monotonic()
    reply = chat.wait_reply('Dialing', seen, timeout=20)
    # its heartbeat lapses at most CLAIM_AFTER after the kill; another worker looks every second
    assert time.monotonic() - killed < float(CLAIM_AFTER) + 3
    assert reply.startswith('Dialing 1234')
    fake.wait_deliveries_idle()
    assert dials(fake, mark) == [(chat.person.email, '1234')], 'dialed once'
    assert len([r for r in chat.replies_since(seen) if 'Dialing' in r]) == 1, 'one reply'
    assert re.search(r'task message:\S+ started again \(attempt 2\)', second.log())


def test_a_worker_killed_while_dialing_does_not_dial_again(fake, e2e, redis_env):
    # Webex got the dial: the call happens, nobody hears of it
    chat, _, seen, mark = killed_during(e2e, redis_env, 'POST', '/telephony/calls/dial')
    reply = chat.wait_reply('interrupted', seen, timeout=20)
    assert reply.startswith('I was interrupted while I carried out your last command, so I do not know '
                            'whether it worked. Here is what I see now:')
    assert 'connecting outgoing call to 1234' in reply, 'what Webex shows now'
    fake.wait_deliveries_idle()
    assert dials(fake, mark) == [(chat.person.email, '1234')], 'never dialed twice'
    assert not [r for r in chat.replies_since(seen) if 'Dialing' in r]


@pytest.mark.parametrize('held', [('GET', '/messages/.*'), ('POST', '/telephony/calls/dial')])
def test_file_store_a_killed_process_restarted_takes_its_task_over_at_once(fake, e2e, held):
    """
    SIGKILL, and the same process started again at once: what its previous life held is taken over at its start, not
    once a heartbeat lapsed (it knows its predecessor is gone), done once, and the person's next command is not held
    up behind it.
    """
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    process = e2e.start(WXC_CC_CLAIM_AFTER=NO_TAKEOVER)
    chat = e2e.chat(alice)
    chat.authorize()
    seen, mark = chat.seen(), fake.mark()
    hold = fake.hold_next(*held)
    fake.send_message(alice, '/dial 1234')
    assert hold.arrived.wait(10)
    process.kill()
    hold.release()
    started = time.monotonic()
    process.start()
    if held[0] == 'GET':
        assert chat.wait_reply('Dialing', seen, timeout=20).startswith('Dialing 1234')
    else:
        assert 'connecting outgoing call to 1234' in chat.wait_reply('interrupted', seen, timeout=20)
    assert time.monotonic() - started < 15, f'not {NO_TAKEOVER} s for a heartbeat to lapse'
    assert chat.say('/dial 5678', 'Dialing').startswith('Dialing 5678'), 'her next command'
    fake.wait_deliveries_idle()
    assert dials(fake, mark) == [(alice.email, '1234'), (alice.email, '5678')], 'each once'


def test_a_poison_task_is_set_aside_and_told_once(fake, e2e, redis_env):
    """A command that kills its worker every time: after three starts it is set aside, and counted."""
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    process = e2e.start(policy={'admins': [alice.email]}, **redis_env)
    chat = e2e.chat(alice)
    chat.authorize()
    seen = chat.seen()
    for attempt in range(3):
        hold = fake.hold_next('GET', '/messages/.*')
        if attempt == 0:
            fake.send_message(alice, '/dial 1234')
        assert hold.arrived.wait(20), f'attempt {attempt + 1} started'
        [worker] = process.worker_pids()
        os.kill(worker, signal.SIGKILL)
        hold.release()
        wait_until(lambda: process.worker_pids() not in ([], [worker]), timeout=20)
    told = chat.wait_reply('set it aside', seen, timeout=20)
    assert told.startswith('Sorry, I could not carry out your last command, even after trying again.')
    info = chat.say('/redis info', 'Work queue')
    assert '1 set aside after failing' in info
    assert re.search(r'- set aside: message `message:\S+` after 3 attempt\(s\): started 3 times', info), info
    assert len([r for r in chat.replies_since(seen) if 'set it aside' in r]) == 1, 'told once'
    assert chat.say('/dial 5678', 'Dialing').startswith('Dialing 5678'), 'her next command is served'


def test_one_persons_commands_run_in_order_across_instances_and_workers(fake, e2e, tmp_path, redis_env):
    """Two instances of two workers each: each person's dials in the order sent, the people in parallel."""
    people = [fake.add_person(f'user{n}@example.com', f'User {n}', extension=f'20{n}') for n in range(2)]
    policy = {'rate_limit': {'commands': 100, 'seconds': 60}}
    instances = [e2e.start(tmp_path / name, workers=2, policy=policy, **redis_env) for name in 'ab']
    chats = [e2e.chat(person) for person in people]
    for chat in chats:
        chat.authorize()
    fake.latency = 0.05
    mark = fake.mark()
    numbers = {person.email: [f'{index}{n:03d}' for n in range(6)] for index, person in enumerate(people, 1)}
    for n in range(6):
        for person in people:
            fake.send_message(person, f'/dial {numbers[person.email][n]}')
    fake.wait_until(lambda: len(dials(fake, mark)) == 12, timeout=30)
    made = dials(fake, mark)
    for person in people:
        assert [number for who, number in made if who == person.email] == numbers[person.email]
    assert [who for who, _ in made] != [people[0].email] * 6 + [people[1].email] * 6, 'not one after another'
    logs = ''.join(instance.log() for instance in instances)
    assert len(set(re.findall(r'INFO (\d+) wxc_cc.conversation: /dial', logs))) > 1, 'more than one worker'


# --- deploys: SIGTERM drains

def point_webhooks(fake: FakeWebex, bot, url: str) -> None:
    """Point the bot's webhooks at ``url`` (the path kept), as Webex's API lets their owner."""
    headers = {'Authorization': f'Bearer {bot.token}'}
    for hook in requests.get(f'{fake.base_url}/webhooks', headers=headers, timeout=5).json()['items']:
        target = url + '/' + hook['targetUrl'].split('/', 3)[3] if hook['targetUrl'].count('/') >= 3 else url
        answer = requests.put(f'{fake.base_url}/webhooks/{hook["id"]}', headers=headers, timeout=5,
                              json={'name': hook['name'], 'targetUrl': target})
        assert answer.status_code == 200, answer.text


def test_a_deploy_drains_one_instance_while_the_other_serves(fake, e2e, tmp_path, redis_server, redis_client):
    """
    Two instances of two workers on one Redis, run as the image runs them. SIGTERM to one's gunicorn master while a
    worker of it waits for Webex on a dial: it takes nothing more, the dial ends and is replied to once, and it exits
    within the drain time; meanwhile the other instance serves every command that arrives at once, none waiting for a
    takeover.
    """
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    bob = fake.add_person('bob@example.com', 'Bob Example', extension='1002')
    env = {'REDIS_URL': redis_server.url, 'WXC_CC_CLAIM_AFTER': NO_TAKEOVER, 'WXC_CC_DRAIN_TIMEOUT': DRAIN}
    first = e2e.start(tmp_path / 'a', workers=2, gunicorn_args=CONF, **env)
    alices, bobs = e2e.chat(alice), e2e.chat(bob)
    alices.authorize()
    bobs.authorize()
    seen, mark = alices.seen(), fake.mark()
    hold = fake.hold_next('POST', '/telephony/calls/dial')
    fake.send_message(alice, '/dial 1234')
    assert hold.arrived.wait(10), 'the first instance is dialing; Webex is slow to answer'
    e2e.start(tmp_path / 'b', workers=2, gunicorn_args=CONF, **env)
    first.process.send_signal(signal.SIGTERM)
    terminated = time.monotonic()
    for number in ('5001', '5002', '5003'):
        asked = time.monotonic()
        assert bobs.say(f'/dial {number}', 'Dialing').startswith(f'Dialing {number}')
        assert time.monotonic() - asked < 10, 'served at once, not after a takeover'
    hold.release()
    first.process.wait(timeout=30)
    assert first.process.returncode == 0, first.log()
    assert time.monotonic() - terminated < float(DRAIN), 'within the drain time'
    assert alices.wait_reply('Dialing', seen).startswith('Dialing 1234')
    fake.wait_deliveries_idle()
    assert sorted(dials(fake, mark)) == [(alice.email, '1234')] + [(bob.email, f'500{n}') for n in (1, 2, 3)]
    assert len([r for r in alices.replies_since(seen) if 'Dialing' in r]) == 1, 'one reply'
    assert 'takes no more tasks' in first.log() and 'every task in flight finished' in first.log()


@pytest.mark.parametrize('how', ['gunicorn', 'python wxc_cc_bot.py'])
def test_sigterm_drains_without_the_bots_gunicorn_settings(fake, e2e, tmp_path, how):
    """
    A plain ``gunicorn 'wxc_cc_bot:create_app()'`` (the contract's command) and ``python wxc_cc_bot.py`` drain too:
    the dial Webex is slow to answer ends, and its reply is sent, before the process exits 0.
    """
    bot = e2e.bot
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    env = {'WXC_CC_DRAIN_TIMEOUT': '10', 'WXC_CC_CLAIM_AFTER': NO_TAKEOVER}
    if how == 'gunicorn':
        served = e2e.start(**env)
        process, url = served.process, served.url
    else:
        # its port is the kernel's choice, known once it serves: its webhooks are pointed there then, as a load
        # balancer in front of it would be
        served = SelfBound([sys.executable, str(Path(__file__).parent.parent / 'wxc_cc_bot.py')],
                           {'PATH': os.environ['PATH'], **bot_env(fake, bot, **env), 'WXC_CC_BOT_URL': 'http://lb.test'},
                           tmp_path)
        e2e.add_cleanup(served.stop)
        process, url = served.process, served.url()
        point_webhooks(fake, bot, url)
    chat = e2e.chat(alice)
    chat.authorize(redirect_to=url)
    seen = chat.seen()
    hold = fake.hold_next('POST', '/telephony/calls/dial')
    fake.send_message(alice, '/dial 1234')
    assert hold.arrived.wait(10)
    process.send_signal(signal.SIGTERM)
    time.sleep(1)  # the drain is under way: the process waits for the dial
    assert process.poll() is None, 'not gone while its task runs'
    hold.release()
    assert process.wait(timeout=15) == 0
    assert chat.wait_reply('Dialing', seen).startswith('Dialing 1234'), 'replied before it exited'


# --- Redis faults

@pytest.mark.parametrize('fault', ['FLUSHALL', 'restart without persistence'])
def test_serving_resumes_after_redis_loses_everything(fake, e2e, tmp_path_factory, fault):
    """
    Redis flushed, or restarted with nothing on disk, while commands flow: the bot goes on serving (the people it
    forgot are asked to authorize again), and its workers are alive and well afterwards.
    """
    from fakewebex.servers import RedisServer
    server = RedisServer.launch(tmp_path_factory.mktemp('redis'))
    e2e.add_cleanup(server.stop)
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    process = e2e.start(workers=2, REDIS_URL=server.url, WXC_CC_CLAIM_AFTER='3')
    chat = e2e.chat(alice)
    chat.authorize()
    assert chat.say('/dial 1000', 'Dialing')
    for number in range(1001, 1006):
        fake.send_message(alice, f'/dial {number}')
    if fault == 'FLUSHALL':
        server.client().flushall()
    else:
        server.stop()
        server.start()
    time.sleep(2)  # real time: two heartbeats and the take loops meet the empty Redis
    assert chat.say('/dial 2000', 'not authenticated'), 'served: she is asked to sign in again'
    chat.authorize()
    assert chat.say('/dial 2001', 'Dialing').startswith('Dialing 2001')
    health = requests.get(f'{process.url}/health', timeout=5)
    assert health.status_code == 200, health.text
    assert 'Traceback' not in process.log()
