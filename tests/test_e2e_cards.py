"""
End to end with cards: the real bot under gunicorn, the fake Webex delivering call events and card presses.
Ring → card → press Answer → connected card → press Hold → /calls shows it held → /hangup → card gone.
"""

import pytest

from fakewebex import FakeWebex
from tests.adaptivecard import validate_card

pytestmark = pytest.mark.e2e


def buttons(message: dict) -> dict[str, dict]:
    """The card's buttons by title, with the data a client submits."""
    content = message['attachments'][0]['content']
    validate_card(content)
    return {action['title']: action['data'] for action in content.get('actions', [])}


def live_cards(fake: FakeWebex, person) -> list[dict]:
    return fake.cards(person)


def next_card(fake: FakeWebex, person, old: dict) -> dict:
    """Wait until the one live card is a new one (the old card deleted), and return it."""
    fake.wait_until(lambda: [c['id'] for c in live_cards(fake, person)] not in ([], [old['id']])
                    and len(live_cards(fake, person)) == 1, timeout=10)
    return live_cards(fake, person)[0]


def test_cards_follow_the_call(fake, e2e):
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    e2e.start()
    chat = e2e.chat(alice)
    chat.authorize()
    chat.say('/monitor on', 'Monitoring is on')

    call_id = fake.ring(alice, 'Henry Green', '7101')
    fake.wait_until(lambda: len(live_cards(fake, alice)) == 1, timeout=10)
    [ringing] = live_cards(fake, alice)
    assert ringing['markdown'].startswith('📞 **Alerting incoming call from Henry Green (7101)**')
    answer = buttons(ringing)
    assert list(answer) == ['Answer', 'Decline', 'Send to voicemail']

    fake.press(alice, ringing['id'], answer['Answer'])
    connected = next_card(fake, alice, ringing)
    assert list(buttons(connected)) == ['Hold', 'Hang up', 'Transfer']
    assert fake.call(alice, call_id)['state'] == 'connected'

    fake.press(alice, connected['id'], {**buttons(connected)['Hold'], 'destination': ''})
    held = next_card(fake, alice, connected)
    assert list(buttons(held)) == ['Resume', 'Hang up', 'Transfer']
    assert chat.say('/calls', 'Your calls').splitlines()[1].startswith(
        '1. held incoming call from Henry Green (7101)')

    seen = chat.seen()
    assert chat.say('/hangup', 'Hung up') == 'Hung up the call from Henry Green (7101).'
    fake.wait_until(lambda: live_cards(fake, alice) == [], timeout=10)
    chat.wait_reply('Disconnected incoming call from Henry Green', seen)
    assert fake.calls(alice) == []


def test_voicemail_is_announced_and_listed(fake, e2e):
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    e2e.start()
    chat = e2e.chat(alice)
    chat.authorize()
    chat.say('/monitor on', 'Monitoring is on')
    announcement = chat.expect(lambda: fake.leave_voicemail(alice, 'Henry Green', '7101', duration=75),
                               'New voice message')
    assert announcement == '📬 New voice message: you have 1 new. /voicemail list shows them.'
    listing = chat.say('/voicemail list', 'Voice messages').splitlines()
    assert listing[1].startswith('1. **new** · ') and listing[1].endswith('Henry Green (7101) · 1:15')
    assert chat.say('/voicemail read 1', 'Marked') == 'Marked message 1 as read.'
    assert chat.say('/voicemail', 'voice message') == \
        'You have 0 new and 1 old voice message(s). /voicemail list shows them.'
    assert chat.say('/voicemail delete 1', 'Deleted') == 'Deleted message 1.'
    assert fake.voicemails(alice) == []
