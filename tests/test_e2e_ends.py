"""
Settings that undo themselves, end to end: the real bot under gunicorn against the Webex emulator, with real time.
A 2 s end happens once; a cancelled end does nothing; the forwarding there was before comes back; a setting changed
at Webex meanwhile is left alone; an end whose worker is killed (SIGKILL) at the moment it writes, or tells, is done
once by the process started again (file store); a bot that was not running at the due time does it when it starts;
a Redis restarted with persistence keeps a pending end.
"""
import re
import time

import pytest

from fakewebex import FakeWebex, Person
from tests.e2e import Chat, EndToEnd

pytestmark = pytest.mark.e2e

SETTINGS = '/telephony/config/people/me/settings'
DND, FORWARDING = f'{SETTINGS}/doNotDisturb', f'{SETTINGS}/callForwarding'

#: a heartbeat's lifetime so long that a test would notice a takeover that waited for it
NO_TAKEOVER = '120'

#: seconds a test looks for what must not happen (a second message, a write of a cancelled end): longer than the
#: worker's look at the queue and its heartbeat, which offers what became due
QUIET = 3.0


def writes(fake: FakeWebex, mark: int, path: str) -> list[tuple[str, dict]]:
    """(whose token, body) of each PUT of ``path`` since ``mark``."""
    return [(r.identity, r.body) for r in fake.requests_since(mark) if (r.method, r.path) == ('PUT', path)]


def alice_of(e2e: EndToEnd) -> Person:
    """Alice, who uses the bot; Bob, whom she forwards to."""
    alice = e2e.fake.add_person('alice@example.com', 'Alice Anders', extension='1001', number='+14085551001')
    e2e.fake.add_person('bob@example.com', 'Bob Brown', extension='1002')
    return alice


def backs(chat: Chat, seen: set[str]) -> list[str]:
    """The bot's messages since ``seen`` that tell a setting went back, or did not."""
    return [text for text in chat.replies_since(seen) if 'is back to' in text or 'changed after' in text]


def test_a_two_second_end_happens_once_and_a_cancelled_one_not_at_all(fake, e2e):
    alice = alice_of(e2e)
    e2e.start()
    chat = e2e.chat(alice)
    chat.authorize()
    mark, seen = fake.mark(), chat.seen()
    reply = chat.say('/dnd on for 2s', 'Do Not Disturb')
    assert reply.startswith('Do Not Disturb is now on: callers hear busy') and '(in 2 seconds) to what it was: ' \
        'off.' in reply
    assert fake.dnd_of(alice) is True
    back = chat.wait_reply('is back to', seen, timeout=15)
    assert back.startswith('Do Not Disturb is back to what it was before your change at ')
    assert back.endswith(' UTC: off.'), 'no time zone in Webex: UTC, named'
    assert fake.dnd_of(alice) is False
    time.sleep(QUIET)
    assert backs(chat, seen) == [back], 'told once'
    assert writes(fake, mark, DND) == [(alice.email, {'enabled': True, 'ringSplashEnabled': False,
                                                      'webexGoOverrideEnabled': False}),
                                       (alice.email, {'enabled': False, 'ringSplashEnabled': False,
                                                      'webexGoOverrideEnabled': False})], 'with her token, once'
    assert chat.say('/timers', 'goes back').startswith('None of your settings goes back by itself.')

    mark, seen = fake.mark(), chat.seen()
    chat.say('/dnd on for 2s', 'Do Not Disturb')
    cancelled = chat.say('/timers cancel 1', 'no longer')
    assert cancelled.startswith('Do Not Disturb no longer goes back at ') and \
        cancelled.endswith(': it stays as it is.')
    time.sleep(2 + QUIET)
    assert fake.dnd_of(alice) is True and backs(chat, seen) == []
    assert len(writes(fake, mark, DND)) == 1, 'only the change asked for'


def test_the_forwarding_there_was_comes_back_and_one_changed_at_webex_is_left(fake, e2e):
    alice = alice_of(e2e)
    fake.set_forwarding(alice, 'always', '1003')
    e2e.start()
    chat = e2e.chat(alice)
    chat.authorize()
    seen = chat.seen()
    reply = chat.say('/forward always 1002 for 2s', 'forwarding')
    assert reply.startswith('Call forwarding (always) is now on: calls go to 1002. Call forwarding goes back at ')
    assert reply.endswith(' to what it was: always to 1003.')
    assert fake.forwarding_of(alice)['callForwarding']['always']['destination'] == '1002'
    back = chat.wait_reply('is back to', seen, timeout=15)
    assert back.endswith(' UTC: always to 1003.')
    always = fake.forwarding_of(alice)['callForwarding']['always']
    assert (always['enabled'], always['destination']) == (True, '1003'), 'not blindly off'

    seen = chat.seen()
    chat.say('/forward busy 1002 for 2s', 'forwarding')
    # Alice changes her forwarding herself, in the Webex app
    fake.set_forwarding(alice, 'always', enabled=False)
    mark = fake.mark()
    left = chat.wait_reply('changed after', seen, timeout=15)
    assert left.startswith('Call forwarding changed after your change at ')
    assert left.endswith('so I left it as it is: when busy to 1002. It would have gone back to: always to 1003.')
    assert writes(fake, mark, FORWARDING) == [], 'left alone'
    kinds = fake.forwarding_of(alice)['callForwarding']
    assert (kinds['always']['enabled'], kinds['busy']['enabled']) == (False, True)


@pytest.mark.parametrize('held', [('PUT', DND), ('POST', '/messages')], ids=['writing', 'telling'])
def test_file_store_killed_at_the_due_moment_and_started_again_ends_it_once(fake, e2e, held):
    """
    SIGKILL while Webex holds the end's write of Do Not Disturb (or its message); Webex then carries the request
    out. The process started again takes the end over at once, reads the setting back already, does not write again
    and tells once: the message of the killed run is found in the 1:1 space, and not sent again.
    """
    alice = alice_of(e2e)
    process = e2e.start(WXC_CC_CLAIM_AFTER=NO_TAKEOVER)
    chat = e2e.chat(alice)
    chat.authorize()
    chat.say('/dnd on for 3s', 'Do Not Disturb')
    mark, seen = fake.mark(), chat.seen()
    hold = fake.hold_next(*held)
    assert hold.arrived.wait(15), 'the end is under way'
    process.kill()
    hold.release()
    started = time.monotonic()
    process.start()
    chat.wait_reply('is back to', seen, timeout=20)
    assert time.monotonic() - started < 20, f'not {NO_TAKEOVER} s for a heartbeat to lapse'
    time.sleep(QUIET)
    assert fake.dnd_of(alice) is False
    assert len(backs(chat, seen)) == 1, 'told once'
    assert [body['enabled'] for _, body in writes(fake, mark, DND)] == [False], 'written once'
    log = process.log()
    assert re.search(r'task end:\S+ started again \(attempt 2\)', log), 'run again, not told as unknown'
    assert 'outcome unknown' not in log and 'interrupted' not in ''.join(chat.replies_since(seen))
    if held[0] == 'POST':
        assert 'told before, not again' in log


def test_a_bot_that_was_not_running_at_the_due_time_does_it_when_it_starts(fake, e2e):
    alice = alice_of(e2e)
    process = e2e.start()
    chat = e2e.chat(alice)
    chat.authorize()
    seen = chat.seen()
    chat.say('/dnd on for 1s', 'Do Not Disturb')
    process.stop()
    time.sleep(2)
    assert fake.dnd_of(alice) is True and backs(chat, seen) == []
    process.start()
    assert chat.wait_reply('is back to', seen, timeout=20).endswith(': off.')
    assert fake.dnd_of(alice) is False


def test_a_redis_restart_with_persistence_keeps_a_pending_end(fake, e2e, tmp_path_factory):
    from fakewebex.servers import RedisServer
    server = RedisServer.launch(tmp_path_factory.mktemp('redis'), persistent=True)
    e2e.add_cleanup(server.stop)
    alice = alice_of(e2e)
    e2e.start(REDIS_URL=server.url, WXC_CC_CLAIM_AFTER='3')
    chat = e2e.chat(alice)
    chat.authorize()
    seen, mark = chat.seen(), fake.mark()
    chat.say('/dnd on for 4s', 'Do Not Disturb')
    server.stop()
    server.start()
    assert chat.wait_reply('is back to', seen, timeout=20).endswith(': off.')
    time.sleep(QUIET)
    assert fake.dnd_of(alice) is False and len(backs(chat, seen)) == 1
    assert [body['enabled'] for _, body in writes(fake, mark, DND)] == [True, False]
