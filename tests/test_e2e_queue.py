"""
Nothing accepted is lost, end to end: real gunicorn processes, a real redis-server (or the file store), the
emulator on sockets holding one request at the moment a test chooses, and workers killed with SIGKILL.
"""
import os
import re
import signal

import pytest

from fakewebex import FakeWebex
from fakewebex.harness import BotProcess
from tests.e2e import Chat, EndToEnd, wait_until

pytestmark = pytest.mark.e2e

#: seconds after which a dead worker's task is taken over, in these tests
CLAIM_AFTER = '2'


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
    reply = chat.wait_reply('Dialing', seen, timeout=20)
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


def test_file_store_a_killed_process_completes_the_command_after_restart(fake, e2e):
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    process = e2e.start(WXC_CC_CLAIM_AFTER=CLAIM_AFTER)
    chat = e2e.chat(alice)
    chat.authorize()
    seen, mark = chat.seen(), fake.mark()
    hold = fake.hold_next('GET', '/messages/.*')
    fake.send_message(alice, '/dial 1234')
    assert hold.arrived.wait(10)
    process.kill()
    hold.release()
    process.start()
    assert chat.wait_reply('Dialing', seen, timeout=20).startswith('Dialing 1234')
    fake.wait_deliveries_idle()
    assert dials(fake, mark) == [(alice.email, '1234')]


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
