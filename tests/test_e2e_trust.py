"""
Trust, end to end: the real bot under gunicorn against the local Webex emulator, tried as an attacker who holds
the webhook secret and as a careful operator would: forged and replayed notifications, old commands, copied
records, a wrong key, secrets in the DEBUG log, long replies with cards, card presses under a strict policy.
"""
import datetime
import json
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator

import pytest
import requests
import yaml
from cryptography.fernet import Fernet

from fakewebex import FakeWebex
from fakewebex.harness import BotProcess
from tests.conftest import CLIENT_SECRET
from tests.e2e import running_fake, wait_until
from wxc_cc.signature import derive_secret, sign

pytestmark = pytest.mark.e2e

#: the webhook secret the attacker holds (see issue: anyone with it could act as any user)
SECRET = 'the-webhook-secret-an-attacker-holds'


class Clock:
    """The emulator's clock, which a test can turn back to create messages "in the past"."""

    def __init__(self):
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> Iterator[FakeWebex]:
    with running_fake(clock=clock) as fake:
        yield fake


def forge(process: BotProcess, resource: str, data: dict) -> int:
    """Post a notification signed with the webhook secret, as an attacker holding it would."""
    body = json.dumps({'id': 'FORGED', 'name': f'ccbot.{resource}.created', 'resource': resource,
                       'event': 'created', 'actorId': data.get('personId'), 'data': data}).encode()
    return requests.post(f'{process.url}/', data=body, timeout=10, headers={
        'X-Spark-Signature': sign(SECRET, body), 'Content-Type': 'application/json'}).status_code


def dial_requests(fake: FakeWebex, mark: int) -> list[str]:
    return [r.identity for r in fake.requests_since(mark) if r.path == '/telephony/calls/dial']


def test_a_forged_notification_cannot_act_as_another_user(fake, e2e):
    bot = e2e.bot
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    mallory = fake.add_person('mallory@example.com', 'Mallory Mole', extension='1066')
    room = fake.add_group_room('Team', [mallory, alice, bot])
    process = e2e.start(policy={'admins': [alice.email]}, WXC_CC_WEBHOOK_SECRET=SECRET)
    alice_chat = e2e.chat(alice)
    alice_chat.authorize()
    # a message the bot was never told of (it does not mention the bot), so it is not a duplicate either
    message = fake.send_message(mallory, '/dial 900', room_id=room)
    mark, seen = fake.mark(), alice_chat.seen()
    assert forge(process, 'messages', {'id': message['id'], 'roomId': fake.direct_room(alice),
                                       'roomType': 'direct', 'personId': alice.id,
                                       'personEmail': alice.email}) == 200
    alice_chat.say('/help', 'I understand these commands')  # Alice's commands run in order: a barrier
    assert dial_requests(fake, mark) == [] and fake.calls(alice) == []
    assert [r for r in alice_chat.replies_since(seen) if 'Dialing' in r] == []
    assert re.search(f'WARNING .* notification of message {message["id"]} disagrees with Webex on personId, '
                     'roomId, roomType, personEmail, mentionedPeople: not acted on', process.log())


def test_an_old_message_is_not_acted_on(fake, clock, e2e):
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    e2e.start()
    chat = e2e.chat(alice)
    chat.authorize()
    mark = fake.mark()
    clock.offset = -400
    seen = chat.seen()
    fake.send_message(alice, '/dial 1234')
    clock.offset = 0
    assert chat.wait_reply('too old', seen) == \
        'That command is too old to act on (more than a few minutes passed). Please send it again.'
    assert dial_requests(fake, mark) == []
    assert chat.say('/dial 1234', 'Dialing'), 'sent again, it works'


def test_a_replayed_notification_never_repeats_an_action(fake, e2e, tmp_path):
    """Replayed after a restart (the claims survive it), and to another instance with its own store (too old)."""
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    first_dir, second_dir = tmp_path / 'first', tmp_path / 'second'
    process = e2e.start(first_dir)
    chat = e2e.chat(alice)
    chat.authorize()
    chat.say('/dial 1001', 'Dialing')
    [captured] = [d for d in fake.deliveries if d.resource == 'messages'
                  and fake.world.messaging.get(alice, d.body['data']['id']).get('text') == '/dial 1001']
    fake.remote_hangup(alice, fake.calls(alice)[0]['id'])
    process.restart()
    mark = fake.mark()
    fake.redeliver(captured)
    chat.say('/calls', 'calls')
    assert dial_requests(fake, mark) == [], 'the restarted bot knows it was taken'
    assert 'duplicate notification message:' in process.log()
    process.close()

    second_dir.mkdir()
    shutil.copy(first_dir / 'wxc_cc_bot.yml', second_dir / 'wxc_cc_bot.yml')  # tokens, not the claims
    other = e2e.start(second_dir, WXC_CC_MAX_COMMAND_AGE='2')
    created = fake.world.messaging.get(alice, captured.body['data']['id'])['created']
    # real time passing: the message grows older than WXC_CC_MAX_COMMAND_AGE by the bot's (real) clock
    time.sleep(max(0.0, datetime.datetime.fromisoformat(created).timestamp() + 2.5 - time.time()))
    mark, seen = fake.mark(), chat.seen()
    fake.redeliver(captured, target_url=f'{other.url}/')
    assert chat.wait_reply('too old', seen).startswith('That command is too old')
    assert dial_requests(fake, mark) == []


def test_no_secret_in_the_debug_log(fake, e2e):
    """At DEBUG through /auth, /monitor on, a token refresh and /broadcast: nothing secret is in the log."""
    key = Fernet.generate_key().decode()
    bot = e2e.bot
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    fake.add_group_room('Team', [alice, bot])
    process = e2e.start(policy={'admins': [alice.email]}, WXC_CC_WEBHOOK_SECRET=SECRET, WXC_CC_TOKEN_KEY=key,
                        LOG_LEVEL='DEBUG')
    chat = e2e.chat(alice)
    chat.authorize()
    assert chat.say('/monitor on', 'Monitoring is on')
    fake.expire_access_tokens(alice)
    mark = fake.mark()
    assert chat.say('/dial 1001', 'Dialing')
    assert [r.path for r in fake.requests_since(mark)].count('/access_token') == 1, 'a refresh happened'
    assert chat.say('/broadcast Fire drill at ten', 'Broadcast:').startswith('Broadcast: sent to 1 space(s)')
    process.close()
    log = process.log()
    assert '--- body ---' in log and 'DEBUG' in log, 'wxc_sdk dumped requests and responses'
    assert '"secret": "***"' in log, 'the webhook bodies were logged, masked'
    secrets = {'bot token': bot.token, 'client secret': CLIENT_SECRET, 'webhook secret': SECRET, 'token key': key,
               "alice's webhook secret": derive_secret(SECRET, f'callevent:{alice.id}')}
    secrets.update({f'issued #{number}': value for number, value in enumerate(fake.issued_tokens())})
    assert len(secrets) >= 9, 'tokens (first and refreshed) and the OAuth code'
    chat_text = json.dumps(fake.messages())
    for name, value in secrets.items():
        assert value not in log, f'{name} is in the log'
        assert value not in chat_text, f'{name} is in a chat message'


def test_a_copied_record_is_refused_and_a_wrong_key_is_not_ready(fake, e2e, tmp_path):
    key = Fernet.generate_key().decode()
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    mallory = fake.add_person('mallory@example.com', 'Mallory Mole', extension='1066')
    process = e2e.start(WXC_CC_TOKEN_KEY=key)
    e2e.chat(alice).authorize()
    process.stop()
    path = tmp_path / 'wxc_cc_bot.yml'
    data = yaml.safe_load(path.read_text())
    assert data['users'][alice.id].startswith('fernet:')
    data['users'][mallory.id] = data['users'][alice.id]
    path.write_text(yaml.safe_dump(data))
    process.start()
    mark = fake.mark()
    assert 'not authenticated' in e2e.chat(mallory).say('/dial 1234', 'authenticated')
    assert dial_requests(fake, mark) == [] and fake.calls(alice) == []
    assert f'record stored under user {mallory.id} belongs to user {alice.id}: refused' in process.log()

    process.stop()
    process.env['WXC_CC_TOKEN_KEY'] = Fernet.generate_key().decode()
    process.start(ready=False)
    ready = requests.get(f'{process.url}/ready', timeout=2)
    assert (ready.status_code, ready.json()) == (503, {'status': 'unavailable',
                                                       'reason': 'token store unavailable'})
    assert str(tmp_path) not in ready.text
    assert requests.get(f'{process.url}/health', timeout=2).status_code == 200, 'alive: a restart brings no key'


def test_a_long_history_with_a_card_loses_no_text(fake, e2e):
    bot = e2e.bot
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    e2e.start()
    chat = e2e.chat(alice)
    chat.authorize()
    names = [f'Caller {number:02d} ' + 'from a very long department name ' * 12 for number in range(20)]
    for number, name in enumerate(names):
        fake.remote_hangup(alice, fake.ring(alice, name, f'71{number:02d}'))
    seen = chat.seen()
    fake.send_message(alice, '/history missed 20')
    fake.wait_until(lambda: any(m.get('attachments') for m in fake.messages(person=alice) if m['id'] not in seen),
                    timeout=10)
    parts = [m for m in fake.messages(person=alice) if m['id'] not in seen and m['personId'] == bot.id]
    assert len(parts) >= 2, 'too long for one message'
    assert [bool(m.get('attachments')) for m in parts] == [False] * (len(parts) - 1) + [True]
    text = '\n'.join(m['markdown'] for m in parts)
    assert all(name.strip() in text for name in names), 'every row arrived'


def test_a_group_message_without_mention_costs_nothing(fake, e2e):
    bot = e2e.bot
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    room = fake.add_group_room('Team', [alice, bot])
    process = e2e.start(WXC_CC_WEBHOOK_SECRET=SECRET)
    chat = e2e.chat(alice)
    message = fake.send_message(alice, '/dial 1234', room_id=room)  # Webex tells the bot nothing of it
    mark, seen = fake.mark(), chat.seen()
    assert forge(process, 'messages', {'id': message['id'], 'roomId': room, 'roomType': 'group',
                                       'personId': alice.id, 'personEmail': alice.email}) == 200
    chat.say('/help', 'I understand these commands')
    fake.wait_until(lambda: len(fake.requests_since(mark)) >= 2)
    assert [(r.method, r.path.split('/')[1]) for r in fake.requests_since(mark)] == [
        ('GET', 'messages'), ('POST', 'messages')], 'only the /help that followed'
    assert len(chat.replies_since(seen)) == 1


def test_card_presses_work_under_a_people_policy(fake, e2e):
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    e2e.start(policy={'senders': {'people': [alice.email]}})
    chat = e2e.chat(alice)
    chat.authorize()
    chat.say('/monitor on', 'Monitoring is on')
    call_id = fake.ring(alice, 'Henry Green', '7101')
    fake.wait_until(lambda: len(fake.cards(alice)) == 1, timeout=10)
    [card] = fake.cards(alice)
    [answer] = [a['data'] for a in card['attachments'][0]['content']['actions'] if a['title'] == 'Answer']
    fake.press(alice, card['id'], answer)
    fake.wait_until(lambda: fake.call(alice, call_id)['state'] == 'connected', timeout=10)


def test_auth_in_a_loop_keeps_one_pending_flow(fake, e2e, tmp_path):
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    e2e.start()
    chat = e2e.chat(alice)
    links = [re.search(r'\[link\]\((\S+)\)', chat.say('/auth', 'to authorize me')).group(1) for _ in range(5)]
    with sqlite3.connect(tmp_path / 'wxc_cc_bot.db') as database:
        assert database.execute('SELECT COUNT(*) FROM flows').fetchone()[0] == 1
    fake.consent_as = alice
    assert requests.get(links[0], timeout=10).status_code == 400, 'an old link no longer works'
    assert requests.get(links[-1], timeout=10).status_code == 200, 'the newest does'
