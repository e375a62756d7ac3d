"""
The cards the bot builds: valid Adaptive Cards 1.3 that Webex renders, with the buttons that fit.
"""
import pytest
from wxc_sdk.me.callcenter import MeCallQueue
from wxc_sdk.me.callerid import MeSelectedCallerId
from wxc_sdk.telephony.calls import CallHistoryRecord, TelephonyCall

from tests.adaptivecard import validate_card
from tests.webexmock import call
from wxc_cc import cards
from wxc_cc.cards import Cards
from wxc_cc.commands import build_registry
from wxc_cc.locales import catalogue_for
from wxc_cc.replies import Replies
from wxc_cc.webex import AnswerDevice

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


def row_texts(card: dict) -> list[list[str]]:
    """The texts of each row of a list card."""
    rows = [item for container in card['body'][1:] for item in container['items'] if item['type'] == 'ColumnSet']
    return [[block['text'] for column in row['columns'] for block in column['items']] for row in rows]


def row_buttons(card: dict) -> list[dict]:
    """The data of each row's button, in order."""
    return [action['data'] for container in card['body'][1:] for item in container['items']
            if item['type'] == 'ActionSet' for action in item['actions']]


def test_devices_card_marks_the_preferred_one_and_names_the_others_by_webex_s_id():
    listed = [AnswerDevice.model_validate(device) for device in (
        {'id': 'D1', 'type': 'DEVICE', 'name': 'Cisco *8865*', 'isPreferredAnswerEndpoint': False},
        {'id': 'D2', 'type': 'APPLICATION', 'name': 'Webex App', 'isPreferredAnswerEndpoint': True},
        {'id': 'D3', 'type': 'PAGER', 'name': 'Old pager'})]
    card = CARDS.devices_card(listed, 'OWNER', 'Your devices (3)')
    validate_card(card)
    assert row_texts(card) == [['Cisco *8865*', 'phone'], ['Webex App', 'app', 'preferred'], ['Old pager', 'PAGER']]
    assert row_buttons(card) == [{'action': 'prefer_device', 'owner': 'OWNER', 'endpointId': 'D1'},
                                 {'action': 'prefer_device', 'owner': 'OWNER', 'endpointId': 'D3'}]
    assert buttons(card) == [('No preferred device', {'action': 'no_preferred_device', 'owner': 'OWNER'})]


def test_call_queues_card_offers_join_or_leave_where_allowed():
    queues = [MeCallQueue.model_validate(queue) for queue in (
        {'id': 'Q1', 'available': True, 'extension': '5001', 'phoneNumber': '+18555550101',
         'allowLogOffEnabled': True},
        {'id': 'Q2', 'available': False, 'allowLogOffEnabled': False},
        {'id': 'Q3', 'available': True, 'extension': '5003', 'allowLogOffEnabled': False})]
    card = CARDS.call_queues_card(queues, 'OWNER', 'Your call queues (3)')
    validate_card(card)
    assert row_texts(card) == [['5001 · +18555550101', 'joined'], ['a call queue without number', 'not joined'],
                               ['5003', 'joined · may not be left']]
    assert row_buttons(card) == [{'action': 'leave_call_queue', 'owner': 'OWNER', 'queueId': 'Q1'},
                                 {'action': 'join_call_queue', 'owner': 'OWNER', 'queueId': 'Q2'}]
    assert [data['state'] for _, data in buttons(card)] == ['AVAILABLE', 'UNAVAILABLE']


def test_caller_ids_card_selects_by_type_and_webex_s_id_or_number():
    entries = [(MeSelectedCallerId.model_validate(entry), selected) for entry, selected in (
        ({'type': 'HUNT_GROUP', 'id': 'HG1', 'name': 'Sales', 'extension': '6001'}, False),
        ({'type': 'ADDITIONAL_CLID', 'name': 'Mobile', 'directNumber': '+14085550177'}, True))]
    card = CARDS.caller_ids_card(entries, 'OWNER', 'Caller ID of your calls')
    validate_card(card)
    assert row_texts(card) == [['Sales', '6001 · hunt group'],
                               ['Mobile', '+14085550177 · additional number', 'selected']]
    assert row_buttons(card) == [{'action': 'select_caller_id', 'owner': 'OWNER', 'type': 'HUNT_GROUP',
                                  'callerId': 'HG1'}]
    assert buttons(card) == [('My default caller ID', {'action': 'select_caller_id', 'owner': 'OWNER',
                                                       'type': 'DEFAULT_CLID'})]
