"""
The cards the bot builds: valid Adaptive Cards 1.3 that Webex renders, with the buttons that fit, made only of the
elements and properties that wxc_cc.cards declares, which the sandbox's page and the documentation render.
"""
import importlib.util
import re
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from wxc_sdk.me.callcenter import MeCallQueue
from wxc_sdk.me.callerid import MeSelectedCallerId
from wxc_sdk.telephony.calls import CallHistoryRecord, TelephonyCall

from tests.adaptivecard import validate_card
from tests.conftest import REPO
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

RECORDS = [CallHistoryRecord.model_validate(r) for r in (
    {'type': 'missed', 'name': 'Ann', 'number': '1001', 'time': '2026-01-02T10:00:00Z'},
    {'type': 'missed', 'privacyEnabled': True, 'time': '2026-01-02T09:00:00Z'},
    {'type': 'placed', 'name': 'Bob', 'number': '1002', 'time': '2026-01-01T10:00:00Z'})]
DEVICES = [AnswerDevice.model_validate(device) for device in (
    {'id': 'D1', 'type': 'DEVICE', 'name': 'Cisco *8865*', 'isPreferredAnswerEndpoint': False},
    {'id': 'D2', 'type': 'APPLICATION', 'name': 'Webex App', 'isPreferredAnswerEndpoint': True},
    {'id': 'D3', 'type': 'PAGER', 'name': 'Old pager'})]
QUEUES = [MeCallQueue.model_validate(queue) for queue in (
    {'id': 'Q1', 'available': True, 'extension': '5001', 'phoneNumber': '+18555550101', 'allowLogOffEnabled': True},
    {'id': 'Q2', 'available': False, 'allowLogOffEnabled': False},
    {'id': 'Q3', 'available': True, 'extension': '5003', 'allowLogOffEnabled': False})]
CALLER_IDS = [(MeSelectedCallerId.model_validate(entry), selected) for entry, selected in (
    ({'type': 'HUNT_GROUP', 'id': 'HG1', 'name': 'Sales', 'extension': '6001'}, False),
    ({'type': 'ADDITIONAL_CLID', 'name': 'Mobile', 'directNumber': '+14085550177'}, True))]
PEOPLE = [SimpleNamespace(name='Bob Brown', title='Support', dial_string='1002'),
          SimpleNamespace(name='Bobby Blue', title=None, dial_string='+14085551005')]


def help_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    commands = build_registry()
    return [(group.value, [(c.usage, c.help(ENGLISH)) for c in members]) for group, members in commands.groups()]


def every_card() -> dict[str, dict]:
    """One card of each kind the bot sends, a call card for each state."""
    found = {f'call {state}': CARDS.call_card(TelephonyCall.model_validate(call('C9', state, personality)), 'OWNER')
             for state, personality in (('alerting', 'terminator'), ('connected', 'originator'),
                                        ('remoteHeld', 'originator'), ('held', 'terminator'),
                                        ('connecting', 'clickToDial'), ('disconnected', 'originator'))}
    return found | {'history': CARDS.history_card(RECORDS, 'OWNER', 'Call history'),
                    'people': CARDS.people_card(PEOPLE, 'OWNER', '2 people are called Bob'),
                    'devices': CARDS.devices_card(DEVICES, 'OWNER', 'Your devices (3)'),
                    'queues': CARDS.call_queues_card(QUEUES, 'OWNER', 'Your call queues (3)'),
                    'caller ids': CARDS.caller_ids_card(CALLER_IDS, 'OWNER', 'Caller ID of your calls'),
                    'help': CARDS.help_card(help_groups())}


def typed(node: dict) -> Iterator[dict]:
    """The card, and every element and action in it (not the data of a button)."""
    yield node
    for key in ('body', 'actions', 'items', 'columns'):
        for child in node.get(key, ()):
            yield from typed(child)


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
    card = CARDS.history_card(RECORDS, 'OWNER', 'Call history')
    validate_card(card)
    action_sets = [item for container in card['body'][1:] for item in container['items']
                   if item['type'] == 'ActionSet']
    assert [a['actions'][0]['data'] for a in action_sets] == [
        {'action': 'callback', 'owner': 'OWNER', 'number': '1001'}], 'only missed calls with a number'


def test_help_card_has_every_command_grouped():
    card = CARDS.help_card(help_groups())
    validate_card(card)
    usages = [fact['title'] for item in card['body'] if item['type'] == 'FactSet' for fact in item['facts']]
    assert usages == [c.usage for _, members in build_registry().groups() for c in members]


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
    card = CARDS.devices_card(DEVICES, 'OWNER', 'Your devices (3)')
    validate_card(card)
    assert row_texts(card) == [['Cisco *8865*', 'phone'], ['Webex App', 'app', 'preferred'], ['Old pager', 'PAGER']]
    assert row_buttons(card) == [{'action': 'prefer_device', 'owner': 'OWNER', 'endpointId': 'D1'},
                                 {'action': 'prefer_device', 'owner': 'OWNER', 'endpointId': 'D3'}]
    assert buttons(card) == [('No preferred device', {'action': 'no_preferred_device', 'owner': 'OWNER'})]


def test_call_queues_card_offers_join_or_leave_where_allowed():
    card = CARDS.call_queues_card(QUEUES, 'OWNER', 'Your call queues (3)')
    validate_card(card)
    assert row_texts(card) == [['5001 · +18555550101', 'joined'], ['a call queue without number', 'not joined'],
                               ['5003', 'joined · may not be left']]
    assert row_buttons(card) == [{'action': 'leave_call_queue', 'owner': 'OWNER', 'queueId': 'Q1'},
                                 {'action': 'join_call_queue', 'owner': 'OWNER', 'queueId': 'Q2'}]
    assert [data['state'] for _, data in buttons(card)] == ['AVAILABLE', 'UNAVAILABLE']


def test_caller_ids_card_selects_by_type_and_webex_s_id_or_number():
    card = CARDS.caller_ids_card(CALLER_IDS, 'OWNER', 'Caller ID of your calls')
    validate_card(card)
    assert row_texts(card) == [['Sales', '6001 · hunt group'],
                               ['Mobile', '+14085550177 · additional number', 'selected']]
    assert row_buttons(card) == [{'action': 'select_caller_id', 'owner': 'OWNER', 'type': 'HUNT_GROUP',
                                  'callerId': 'HG1'}]
    assert buttons(card) == [('My default caller ID', {'action': 'select_caller_id', 'owner': 'OWNER',
                                                       'type': 'DEFAULT_CLID'})]


def test_people_card_calls_each_by_what_to_dial():
    card = CARDS.people_card(PEOPLE, 'OWNER', '2 people are called Bob')
    validate_card(card)
    assert row_texts(card) == [['Bob Brown', 'Support', '1002'], ['Bobby Blue', '+14085551005']]
    assert [(action['title'], action['data'], action['style']) for container in card['body'][1:]
            for item in container['items'] if item['type'] == 'ActionSet' for action in item['actions']] == [
        ('Call Bob Brown', {'action': 'callback', 'owner': 'OWNER', 'number': '1002'}, 'positive'),
        ('Call Bobby Blue', {'action': 'callback', 'owner': 'OWNER', 'number': '+14085551005'}, 'positive')]


def test_a_connected_call_s_card_whole():
    """The whole card, as Webex gets it: the heading, the other party escaped, the facts, the transfer field."""
    card = CARDS.call_card(TelephonyCall.model_validate(call('C9', 'connected', 'originator', 'Ann *A*', '1001')),
                           'OWNER')
    assert card == {
        'type': 'AdaptiveCard', '$schema': 'http://adaptivecards.io/schemas/adaptive-card.json', 'version': '1.3',
        'body': [
            {'type': 'TextBlock', 'text': '📞 Connected call', 'wrap': True, 'weight': 'Bolder', 'size': 'Medium'},
            {'type': 'TextBlock', 'text': r'To Ann \*A\* (1001)', 'wrap': True},
            {'type': 'FactSet', 'facts': [{'title': 'State', 'value': 'connected'},
                                          {'title': 'Direction', 'value': 'outgoing'},
                                          {'title': 'Since', 'value': 'Jan 1, 2026, 10:00:00\u202fAM UTC'}]},
            {'type': 'Input.Text', 'id': 'destination', 'label': 'Transfer to', 'placeholder': 'Transfer to (number)'}],
        'actions': [
            {'type': 'Action.Submit', 'title': 'Hold', 'data': {'action': 'hold', 'owner': 'OWNER', 'callId': 'C9'}},
            {'type': 'Action.Submit', 'title': 'Hang up',
             'data': {'action': 'hangup', 'owner': 'OWNER', 'callId': 'C9'}, 'style': 'destructive'},
            {'type': 'Action.Submit', 'title': 'Transfer',
             'data': {'action': 'transfer', 'owner': 'OWNER', 'callId': 'C9'}}]}


@pytest.mark.parametrize('name, card', every_card().items())
def test_every_card_is_valid_and_made_of_the_declared_vocabulary(name: str, card: dict):
    validate_card(card)
    for node in typed(card):
        assert node['type'] in cards.VOCABULARY, f'{name}: {node["type"]} is not declared'
        assert set(node) - {'type'} <= cards.VOCABULARY[node['type']], f'{name}: {node}'


def test_the_vocabulary_declares_only_what_the_cards_use():
    used: dict[str, set[str]] = {}
    for card in every_card().values():
        for node in typed(card):
            used.setdefault(node['type'], set()).update(set(node) - {'type'})
    assert used == {kind: set(properties) for kind, properties in cards.VOCABULARY.items()}


def test_the_builders_refuse_what_is_not_declared():
    with pytest.raises(ValueError, match=r"'Image' is not an element of the cards"):
        cards.element('Image', url='https://example.com/a.png')
    with pytest.raises(ValueError, match='TextBlock has no property colour, maxLines in the cards'):
        cards.text('x', colour='Good', maxLines=2)
    assert cards.element('Container', items=[], separator=None) == {'type': 'Container', 'items': []}


def test_the_sandbox_and_the_docs_render_every_declared_element():
    script = (REPO / 'sandbox' / 'static' / 'cards.js').read_text(encoding='utf-8')
    rendered = set(re.findall(r"case '([\w.]+)':", script)) | set(re.findall(r"type !== '([\w.]+)'", script))
    assert set(cards.VOCABULARY) - {'AdaptiveCard'} <= rendered, 'sandbox/static/cards.js'

    spec = importlib.util.spec_from_file_location('botdocs', REPO / 'docs' / '_ext' / 'botdocs.py')
    botdocs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(botdocs)
    with pytest.raises(ValueError, match='not rendered by botdocs'):
        botdocs.card_nodes({'type': 'Image'})
    row = cards.element('ColumnSet', columns=[cards.element('Column', items=[cards.text('c')])])
    buttons = cards.element('ActionSet', actions=[cards.submit('Go', 'go', 'OWNER')])
    one_of_each = cards.card([cards.heading('All'), cards.facts([('a', 'b')]), cards.text_input('x', 'X', 'x'),
                              cards.element('Container', items=[row, buttons])])
    assert {node['type'] for node in typed(one_of_each)} == set(cards.VOCABULARY)
    assert botdocs.card_nodes(one_of_each)
