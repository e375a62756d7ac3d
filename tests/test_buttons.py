"""
Every button the bot's cards carry is answered by the one command row that does what it does, and every button a
row answers is on some card: the cards and the registry agree.
"""
import pytest
from wxc_sdk.me.callcenter import MeCallQueue
from wxc_sdk.me.callerid import MeSelectedCallerId
from wxc_sdk.telephony.calls import CallHistoryRecord, TelephonyCall

from tests.webexmock import call
from wxc_cc.cards import Cards
from wxc_cc.commands import build_registry
from wxc_cc.commands.directory import Match
from wxc_cc.locales import catalogue_for
from wxc_cc.replies import Replies
from wxc_cc.webex import AnswerDevice

pytestmark = pytest.mark.unit

CARDS = Cards(Replies(catalogue_for('en_US')))


def submitted(value: object) -> set[str]:
    """The ``action`` of every Action.Submit anywhere in a card."""
    if isinstance(value, dict):
        found = {value['data']['action']} if value.get('type') == 'Action.Submit' else set()
        return found.union(*(submitted(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(submitted(item) for item in value))
    return set()


def every_card() -> list[dict]:
    calls = [CARDS.call_card(TelephonyCall.model_validate(call('C1', state, 'terminator')), 'OWNER')
             for state in ('alerting', 'connected', 'held', 'connecting')]
    missed = CallHistoryRecord.model_validate({'type': 'missed', 'name': 'Ann', 'number': '1001',
                                               'startTime': '2026-01-08T10:00:00.000Z'})
    people = [Match(person_id='BOB', name='Bob Brown', title='Sales', extension='1002', number=None)]
    devices = [AnswerDevice.model_validate({'id': 'D1', 'type': 'DEVICE', 'name': 'Desk'})]
    queues = [MeCallQueue.model_validate({'id': 'Q1', 'available': True, 'extension': '5001',
                                          'allowLogOffEnabled': True}),
              MeCallQueue.model_validate({'id': 'Q2', 'available': False, 'allowLogOffEnabled': True})]
    caller_ids = [(MeSelectedCallerId.model_validate({'type': 'HUNT_GROUP', 'id': 'HG1', 'name': 'Sales'}), False)]
    return calls + [CARDS.history_card([missed], 'OWNER', 'History'), CARDS.people_card(people, 'OWNER', 'People'),
                    CARDS.devices_card(devices, 'OWNER', 'Devices'), CARDS.call_queues_card(queues, 'OWNER', 'Queues'),
                    CARDS.caller_ids_card(caller_ids, 'OWNER', 'Caller ID')]


def test_the_cards_and_the_registry_agree_on_the_buttons():
    registry = build_registry()
    on_cards = set().union(*(submitted(card) for card in every_card()))
    answered = {button.name for command in registry for button in command.buttons}
    assert on_cards == answered
    assert registry.button('decline')[0].name == '/reject', 'Decline is /reject'
    assert registry.button('transfer')[0].name == '/transfer' and registry.button('callback')[0].name == '/dial'
    assert registry.button('teleport') is None


def test_a_button_is_answered_once():
    from wxc_cc.commands import Button, Command, Group, Registry
    with pytest.raises(ValueError, match='card button hold answered twice'):
        Registry([Command(name, name, Group.CALLS, 'x', print, buttons=(Button('hold', print),))
                  for name in ('/a', '/b')])
