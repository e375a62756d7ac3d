"""
The cards the bot builds: valid Adaptive Cards 1.3 that Webex renders, with the buttons that fit.
"""
import pytest
from wxc_sdk.telephony.calls import CallHistoryRecord, TelephonyCall

from tests.adaptivecard import validate_card
from tests.webexmock import call
from wxc_cc import cards
from wxc_cc.cards import Cards
from wxc_cc.commands import build_registry
from wxc_cc.locales import catalogue_for
from wxc_cc.replies import Replies

pytestmark = pytest.mark.unit

ENGLISH = catalogue_for('en_US')
CARDS = Cards(Replies(ENGLISH))


def buttons(card: dict) -> list[tuple[str, dict]]:
    return [(action['title'], action['data']) for action in card.get('actions', [])]


@pytest.mark.parametrize('state, personality, titles', [
    ('alerting', 'terminator', ['Answer', 'Decline', 'Send to voicemail']),
    ('connected', 'originator', ['Hold', 'Hang up', 'Transfer']),
    ('remoteHeld', 'originator', ['Hold', 'Hang up', 'Transfer']),
    ('held', 'terminator', ['Resume', 'Hang up', 'Transfer']),
    ('connecting', 'originator', ['Hang up']),
])
def test_call_card_buttons_fit_the_state(state, personality, titles):
    card = CARDS.call_card(TelephonyCall.model_validate(call('C9', state, personality, 'Ann *A*', '1001')), 'OWNER')
    validate_card(card)
    assert [title for title, _ in buttons(card)] == titles
    assert all(data['callId'] == 'C9' and data['owner'] == 'OWNER' for _, data in buttons(card))
    inputs = [item for item in card['body'] if item['type'] == 'Input.Text']
    assert bool(inputs) == ('Transfer' in titles)
    assert r'Ann \*A\* (1001)' in card['body'][1]['text'], 'outside text is escaped'


def test_history_card():
    records = [CallHistoryRecord.model_validate(r) for r in (
        {'type': 'missed', 'name': 'Ann', 'number': '1001', 'time': '2026-01-02T10:00:00Z'},
        {'type': 'missed', 'privacyEnabled': True, 'time': '2026-01-02T09:00:00Z'},
        {'type': 'placed', 'name': 'Bob', 'number': '1002', 'time': '2026-01-01T10:00:00Z'})]
    card = CARDS.history_card(records, 'OWNER', 'Call history')
    validate_card(card)
    action_sets = [item for container in card['body'][1:] for item in container['items']
                   if item['type'] == 'ActionSet']
    assert [a['actions'][0]['data'] for a in action_sets] == [
        {'action': 'callback', 'owner': 'OWNER', 'number': '1001'}], 'only missed calls with a number'


def test_help_card_has_every_command_grouped():
    commands = build_registry()
    groups = [(group.value, [(c.usage, c.help(ENGLISH)) for c in members]) for group, members in commands.groups()]
    card = CARDS.help_card(groups)
    validate_card(card)
    usages = [fact['title'] for item in card['body'] if item['type'] == 'FactSet' for fact in item['facts']]
    assert usages == [c.usage for _, members in commands.groups() for c in members]


def test_attachment_shape():
    assert cards.attachment({'x': 1}) == {'contentType': 'application/vnd.microsoft.card.adaptive',
                                          'content': {'x': 1}}
