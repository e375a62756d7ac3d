"""
The phone menu from the chat: /devices, `on <n>` after the commands whose request takes an endpointId, /pull,
/queue, /callerid, the new lines of /me, and the buttons of their cards. For each: the exact Webex requests (method,
path, body, with the user's token), the reply, numbers that match nothing (answered with what exists, nothing sent)
and Webex's refusals in plain words. Webex is faked with `responses`; every request is checked against Webex's
documents.
"""
import pytest

from tests.adaptivecard import validate_card
from tests.test_settings_commands import (DND, FORWARDING, ME, OLD_SCOPES, PROFILE, REAUTHORIZE, authorize,
                                          authorized, forwarding, person, requests_to)  # noqa: F401
from tests.webexmock import USER_ID, call, chat

pytestmark = pytest.mark.unit

SETTINGS = f'{ME}/settings'
DEVICES = f'{SETTINGS}/availablePreferredAnswerEndpoints'
PREFERRED = f'{SETTINGS}/preferredAnswerEndpoint'
QUEUES = f'{SETTINGS}/queues'
CALLER_IDS = f'{SETTINGS}/availableCallerIds'
SELECTED = f'{SETTINGS}/selectedCallerId'
CONFIG_SCOPES = OLD_SCOPES + ' spark:telephony_config_read spark:telephony_config_write'

DESK = {'id': 'DESK', 'type': 'DEVICE', 'name': 'Cisco 8865 (Desk)', 'isPreferredAnswerEndpoint': False}
APP = {'id': 'APP', 'type': 'APPLICATION', 'name': 'Webex Desktop Application', 'isPreferredAnswerEndpoint': True}
#: the devices as a reply names them
LISTED = '1. Cisco 8865 \\(Desk\\), 2. Webex Desktop Application'

SUPPORT = {'id': 'Q1', 'hasCxEssentials': False, 'available': True, 'skillLevel': 1, 'phoneNumber': '+18555550101',
           'extension': '5001', 'allowLogOffEnabled': True}
SALES = {'id': 'Q2', 'available': False, 'extension': '5002', 'allowLogOffEnabled': True}
FRONT = {'id': 'Q3', 'available': True, 'extension': '5003', 'allowLogOffEnabled': False}

QUEUE_ID = {'type': 'CALL_QUEUE', 'id': 'CQ1', 'name': 'Support', 'directNumber': '+18555550101', 'extension': '5001'}
MOBILE = {'type': 'ADDITIONAL_CLID', 'name': 'Alice mobile', 'directNumber': '+14085550177'}
OWN = {'type': 'DEFAULT_CLID', 'name': 'Alice Anders', 'directNumber': '+14085551001', 'extension': '1001'}


@pytest.fixture(autouse=True)
def with_config_scopes(bot):
    """Alice granted the settings scopes (so that a 403 is Webex's own refusal, not an old token)."""
    authorize(bot, CONFIG_SCOPES)


def devices(webex, *listed: dict) -> None:
    webex.add('GET', DEVICES, json_body={'endpoints': list(listed)})


def agent(webex, *queues: dict, state: str = 'AVAILABLE') -> None:
    webex.add('GET', QUEUES, json_body={'agentACDState': state, 'queues': list(queues)})


def caller_ids(webex, selected: dict, *available: dict) -> None:
    webex.add('GET', CALLER_IDS, json_body={'availableCallerIds': list(available)})
    webex.add('GET', SELECTED, json_body={'selected': selected})


def card_of(webex, index: int = -1) -> dict:
    card = webex.replies()[index]['attachments'][0]['content']
    validate_card(card)
    return card


def buttons(card: dict) -> list[tuple[str, dict]]:
    """(title, data) of every button, the rows' first, then the card's own."""
    rows = [item for container in card['body'] if container['type'] == 'Container' for item in container['items']]
    found = [action for row in rows if row['type'] == 'ActionSet' for action in row['actions']]
    return [(action['title'], action['data']) for action in found + card.get('actions', [])]


def press(client, webex, inputs: dict, person_id: str = USER_ID) -> list[str]:
    """A press on a card of the bot; the replies to it."""
    before = len(webex.replies())
    body = webex.action_notification('CARD', inputs, person_id=person_id)
    assert client.post('/', data=body, headers=webex.signed(body)).status_code == 200
    return [reply['markdown'] for reply in webex.replies()[before:]]


# --- /devices

def test_devices_are_listed_with_a_card_whose_buttons_carry_webex_s_ids(client, webex):
    devices(webex, DESK, APP)
    assert chat(client, webex, '/devices') == [
        '**Your devices (2)**\n'
        '1. Cisco 8865 \\(Desk\\) · phone\n'
        '2. Webex Desktop Application · app · **preferred**: answers your calls\n'
        '/devices <n> makes device n your preferred one, /devices none clears it; add on <n> to /dial, /answer, '
        '/retrieve, /pickup or /barge to use only device n, and /pull <n> moves your call there.']
    assert requests_to(webex) == [('GET', DEVICES, None)]
    assert buttons(card_of(webex)) == [
        ('Make preferred', {'action': 'prefer_device', 'owner': USER_ID, 'endpointId': 'DESK'}),
        ('No preferred device', {'action': 'no_preferred_device', 'owner': USER_ID})]


@pytest.mark.parametrize('text, listed, body, reply', [
    ('/devices 1', (DESK, APP), {'id': 'DESK'},
     'Cisco 8865 \\(Desk\\) is now your preferred device: Webex answers your calls there.'),
    ('/Devices NONE', (DESK, APP), {'id': None},
     'You have no preferred device now: Webex answers your calls on your primary device.'),
    ('/devices 2', (DESK, APP), None, 'Webex Desktop Application already is your preferred device.'),
    ('/devices none', (DESK, {**APP, 'isPreferredAnswerEndpoint': False}), None,
     'You have no preferred device: Webex answers your calls on your primary device.'),
])
def test_devices_n_or_none_chooses_the_preferred_device(client, webex, text, listed, body, reply):
    devices(webex, *listed)
    webex.add('PUT', PREFERRED, status=204)
    assert chat(client, webex, text) == [reply]
    assert requests_to(webex) == [('GET', DEVICES, None)] + ([('PUT', PREFERRED, body)] if body else [])


@pytest.mark.parametrize('text, listed, reply', [
    ('/devices 9', (DESK, APP), f'There is no device 9. Yours: {LISTED}.'),
    ('/devices 1', (), 'Webex lists no device of yours that can answer calls.'),
    ('/devices', (), 'Webex lists no device of yours that can answer calls.'),
])
def test_a_device_that_is_not_there_changes_nothing(client, webex, text, listed, reply):
    devices(webex, *listed)
    assert chat(client, webex, text) == [reply]
    assert requests_to(webex) == [('GET', DEVICES, None)]


@pytest.mark.parametrize('text', ['/devices phone', '/devices 1 2', '/devices -1'])
def test_devices_with_wrong_words_sends_nothing(client, webex, text):
    [reply] = chat(client, webex, text)
    assert reply.startswith('Usage: /devices [n|none]')
    assert requests_to(webex) == []


def test_devices_with_a_token_from_before_the_settings_scopes(client, webex, bot):
    authorize(bot, OLD_SCOPES)
    webex.error('GET', DEVICES, 403, 'The access token is missing the scope spark:telephony_config_read')
    assert chat(client, webex, '/devices') == [REAUTHORIZE]


def test_a_refused_change_of_the_preferred_device_is_told(client, webex):
    devices(webex, DESK, APP)
    webex.error('PUT', PREFERRED, 400, 'The endpoint does not support preferred answer.')
    assert chat(client, webex, '/devices 1') == [
        'Could not change your preferred device: 400 The endpoint does not support preferred answer']


# --- on <n>

DIALED = {'callId': 'C9', 'callSessionId': 'S9'}


@pytest.mark.parametrize('text, path, body, reply', [
    ('/dial 1234 on 1', 'dial', {'destination': '1234', 'endpointId': 'DESK'},
     'Dialing 1234: your phone rings first; the call to 1234 starts when you answer it.  \n'
     'Device: Cisco 8865 \\(Desk\\)'),
    ('/dial sip:bob@example.com ON 2', 'dial', {'destination': 'sip:bob@example.com', 'endpointId': 'APP'},
     None),
    ('/retrieve on 2', 'retrieve', {'endpointId': 'APP'}, 'Retrieving the call parked against you: your phone rings.'
                                                         '  \nDevice: Webex Desktop Application'),
    ('/retrieve 1234 on 1', 'retrieve', {'destination': '1234', 'endpointId': 'DESK'}, None),
    ('/pickup on 1', 'pickup', {'endpointId': 'DESK'}, None),
    ('/pickup 1002 on 2', 'pickup', {'target': '1002', 'endpointId': 'APP'},
     'Picking up the call ringing for 1002: your phone rings.  \nDevice: Webex Desktop Application'),
    ('/barge 1002 on 1', 'bargeIn', {'target': '1002', 'endpointId': 'DESK'},
     'Barging in on the call of 1002: your phone rings.  \nDevice: Cisco 8865 \\(Desk\\)'),
])
def test_on_n_uses_only_that_device(client, webex, text, path, body, reply):
    devices(webex, DESK, APP)
    webex.add('POST', f'/telephony/calls/{path}', status=201, json_body=DIALED)
    [answer] = chat(client, webex, text)
    if reply:
        assert answer == reply
    assert requests_to(webex) == [('GET', DEVICES, None), ('POST', f'/telephony/calls/{path}', body)]


@pytest.mark.parametrize('text, path, body', [
    ('/dial 1234', 'dial', {'destination': '1234'}), ('/retrieve', 'retrieve', {}),
    ('/pickup', 'pickup', {}), ('/barge 1002', 'bargeIn', {'target': '1002'}), ('/dial 1234 on', 'dial',
                                                                                 {'destination': '1234on'}),
])
def test_without_on_no_endpoint_is_sent_and_no_device_read(client, webex, text, path, body):
    webex.add('POST', f'/telephony/calls/{path}', status=201, json_body=DIALED)
    chat(client, webex, text)
    assert requests_to(webex) == [('POST', f'/telephony/calls/{path}', body)]


def test_answer_call_n_on_device_n(client, webex):
    devices(webex, DESK, APP)
    webex.add('GET', '/telephony/calls', json_body={'items': [
        call('C1', 'alerting', 'terminator', 'Ann', '1001', created='2026-01-01T10:00:00.000Z'),
        call('C2', 'alerting', 'terminator', 'Bob', '1002', created='2026-01-01T10:01:00.000Z')]})
    webex.add('POST', '/telephony/calls/answer', status=204)
    assert chat(client, webex, '/answer 2 on 1') == ['Answered the call from Bob (1002).  \n'
                                                     'Device: Cisco 8865 \\(Desk\\)']
    assert requests_to(webex) == [('GET', DEVICES, None), ('GET', '/telephony/calls', None),
                                  ('POST', '/telephony/calls/answer', {'callId': 'C2', 'endpointId': 'DESK'})]


@pytest.mark.parametrize('text', ['/dial 1234 on 3', '/answer on 3', '/answer 1 on 3', '/pickup on 3',
                                  '/retrieve 1234 on 3', '/barge 1002 on 3', '/pull 3', '/pull on 3',
                                  '/dial Bob Brown on 3'])
def test_a_device_number_that_matches_nothing_sends_nothing(client, webex, text):
    devices(webex, DESK, APP)
    assert chat(client, webex, text) == [f'There is no device 3. Yours: {LISTED}.']
    assert requests_to(webex) == [('GET', DEVICES, None)]


def test_on_n_without_the_settings_scope_is_told_to_auth_force(client, webex, bot):
    authorize(bot, OLD_SCOPES)
    webex.error('GET', DEVICES, 403, 'The access token is missing the scope spark:telephony_config_read')
    assert chat(client, webex, '/dial 1234 on 1') == [REAUTHORIZE]
    assert requests_to(webex) == [('GET', DEVICES, None)], 'no dial'


def test_dial_a_name_on_a_device(client, webex):
    devices(webex, DESK, APP)
    webex.add('GET', '/people', json_body={'items': [person('BOB', 'Bob Brown', extension='1002')]})
    webex.add('POST', '/telephony/calls/dial', status=201, json_body=DIALED)
    [reply] = chat(client, webex, '/dial Bob Brown on 2')
    assert reply.startswith('Dialing Bob Brown (1002): your phone rings first')
    assert reply.endswith('  \nDevice: Webex Desktop Application')
    assert [s.query for s in webex.sent() if s.path == '/people'][0]['displayName'] == 'Bob Brown'
    assert requests_to(webex) == [('GET', DEVICES, None), ('GET', '/people', None),
                                  ('POST', '/telephony/calls/dial', {'destination': '1002', 'endpointId': 'APP'})]


def test_the_buttons_that_dial_never_send_an_endpoint(client, webex):
    devices(webex, DESK, APP)
    webex.add('GET', '/people', json_body={'items': [person('BOB', 'Bob Brown', extension='1002'),
                                                     person('BOBBY', 'Bobby Blue', work='+14085551005')]})
    [reply] = chat(client, webex, '/dial bob on 1')
    assert reply.splitlines()[-1] == 'The Call buttons ring all your devices.'
    assert requests_to(webex) == [('GET', DEVICES, None), ('GET', '/people', None)], 'no dial'
    call_bob = buttons(card_of(webex))[0][1]
    assert call_bob == {'action': 'callback', 'owner': USER_ID, 'number': '1002'}

    webex.reset()
    webex.add('POST', '/telephony/calls/dial', status=201, json_body=DIALED)
    [dialing] = press(client, webex, call_bob)
    assert dialing.startswith('Dialing 1002')
    webex.add('GET', '/telephony/calls/history', json_body={'items': [
        {'type': 'missed', 'name': 'Carol Chen', 'number': '1003', 'privacyEnabled': False,
         'time': '2026-01-01T10:00:00.000Z'}]})
    chat(client, webex, '/history')
    [(_, call_back)] = buttons(card_of(webex))
    press(client, webex, call_back)
    assert [body for method, path, body in requests_to(webex, '/telephony/calls/dial')] == [
        {'destination': '1002'}, {'destination': '1003'}]


# --- /pull

def test_pull_lets_webex_choose_without_reading_the_devices(client, webex):
    webex.add('POST', '/telephony/calls/pull', status=201, json_body=DIALED)
    assert chat(client, webex, '/pull') == [
        'Pulling your call: Webex rings another of your devices; answer it there to take the call over.']
    assert requests_to(webex) == [('POST', '/telephony/calls/pull', {})]


@pytest.mark.parametrize('text', ['/pull 2', '/pull on 2', '/PULL On 2'])
def test_pull_to_device_n(client, webex, text):
    devices(webex, DESK, APP)
    webex.add('POST', '/telephony/calls/pull', status=201, json_body=DIALED)
    assert chat(client, webex, text) == [
        'Pulling your call to Webex Desktop Application: it rings there; answer it to take the call over.']
    assert requests_to(webex) == [('GET', DEVICES, None), ('POST', '/telephony/calls/pull', {'endpointId': 'APP'})]


@pytest.mark.parametrize('text', ['/pull desk', '/pull 2 on 1', '/pull on'])
def test_pull_with_wrong_words_sends_nothing(client, webex, text):
    [reply] = chat(client, webex, text)
    assert reply.startswith('Usage: /pull [[on] <device>]')
    assert requests_to(webex) == []


def test_pull_without_a_call_gets_webex_s_reason(client, webex):
    webex.error('POST', '/telephony/calls/pull', 404, 'There is no call to pull')
    assert chat(client, webex, '/pull') == ['Could not pull your call: 404 There is no call to pull']


# --- /queue

def test_queue_shows_the_state_and_every_call_queue_with_a_card(client, webex):
    agent(webex, SUPPORT, SALES, FRONT)
    assert chat(client, webex, '/queue') == [
        '**Your call queues (3), agent state: available**\n'
        '1. 5001 (\\+18555550101) · joined\n'
        '2. 5002 · not joined\n'
        '3. 5003 · joined · may not be left\n'
        '/queue join <n> or /queue leave <n> joins or leaves call queue n (without n: all of them); /queue '
        'available or /queue unavailable sets your state.']
    assert requests_to(webex) == [('GET', QUEUES, None)]
    assert buttons(card_of(webex)) == [
        ('Leave', {'action': 'leave_call_queue', 'owner': USER_ID, 'queueId': 'Q1'}),
        ('Join', {'action': 'join_call_queue', 'owner': USER_ID, 'queueId': 'Q2'}),
        ('Available', {'action': 'agent_state', 'owner': USER_ID, 'state': 'AVAILABLE'}),
        ('Unavailable', {'action': 'agent_state', 'owner': USER_ID, 'state': 'UNAVAILABLE'})]


@pytest.mark.parametrize('text, body, reply', [
    ('/queue join 2', {'queues': [{'id': 'Q2', 'available': True}]},
     'You joined call queue 5002: its calls can ring your phone.'),
    ('/queue join', {'queues': [{'id': 'Q2', 'available': True}]},
     'You joined call queue 5002: its calls can ring your phone.'),
    ('/queue leave 1', {'queues': [{'id': 'Q1', 'available': False}]},
     'You left call queue 5001 (\\+18555550101): its calls no longer ring your phone.'),
    ('/Queue Leave', {'queues': [{'id': 'Q1', 'available': False}]},
     'You left call queue 5001 (\\+18555550101): its calls no longer ring your phone. You stay in 5003: your '
     'administrator does not allow leaving it.'),
    ('/queue unavailable', {'agentACDState': 'UNAVAILABLE'}, 'You are now unavailable for your call queues.'),
    ('/queue join 1', None, 'You are already in call queue 5001 (\\+18555550101).'),
    ('/queue leave 2', None, 'You are not in call queue 5002.'),
    ('/queue available', None, 'You already are available for your call queues.'),
])
def test_queue_joins_leaves_and_sets_the_state_sending_only_what_changes(client, webex, text, body, reply):
    agent(webex, SUPPORT, SALES, FRONT)
    webex.add('PUT', QUEUES, status=204)
    assert chat(client, webex, text) == [reply]
    assert requests_to(webex) == [('GET', QUEUES, None)] + ([('PUT', QUEUES, body)] if body else [])


@pytest.mark.parametrize('text, reply', [
    ('/queue leave 3', 'You may not leave call queue 5003: your administrator does not allow it. Nothing was '
                       'changed.'),
    ('/queue leave 7', 'There is no call queue 7. Yours: 1. 5001 (\\+18555550101), 2. 5002, 3. 5003.'),
])
def test_a_call_queue_that_may_not_be_left_or_is_not_there_changes_nothing(client, webex, text, reply):
    agent(webex, SUPPORT, SALES, FRONT)
    assert chat(client, webex, text) == [reply]
    assert requests_to(webex) == [('GET', QUEUES, None)]


def test_leaving_all_when_only_fixed_ones_are_joined_sends_nothing(client, webex):
    agent(webex, {**SUPPORT, 'available': False}, FRONT)
    assert chat(client, webex, '/queue leave') == [
        'You may not leave call queue 5003: your administrator does not allow it. Nothing was changed.']
    assert requests_to(webex) == [('GET', QUEUES, None)]


@pytest.mark.parametrize('text', ['/queue', '/queue join', '/queue available'])
def test_a_person_without_the_call_centre_service_belongs_to_no_call_queue(client, webex, text):
    webex.error('GET', QUEUES, 404, 'The user is not a call queue agent: the call center service is not assigned.')
    assert chat(client, webex, text) == [
        'You belong to no call queue: The user is not a call queue agent: the call center service is not assigned.']
    assert requests_to(webex) == [('GET', QUEUES, None)]


def test_an_agent_of_no_call_queue(client, webex):
    agent(webex)
    assert chat(client, webex, '/queue join') == ['You belong to no call queue.']
    assert requests_to(webex) == [('GET', QUEUES, None)]


@pytest.mark.parametrize('text', ['/queue join x', '/queue leave 1 2', '/queue sleep', '/queue available now'])
def test_queue_with_wrong_words_sends_nothing(client, webex, text):
    [reply] = chat(client, webex, text)
    assert reply.startswith('Usage: /queue [join [n] | leave [n] | available | unavailable] [for <duration> | until '
                            '<time>]')
    assert requests_to(webex) == []


def test_a_refused_change_of_the_call_queues_is_told(client, webex):
    agent(webex, SUPPORT, SALES)
    webex.error('PUT', QUEUES, 400, 'Agents may not leave call queue 5001')
    assert chat(client, webex, '/queue leave 1') == [
        'Could not change your call queues: 400 Agents may not leave call queue 5001']


# --- /callerid

def test_callerid_shows_the_selected_one_and_those_to_choose_with_a_card(client, webex):
    caller_ids(webex, QUEUE_ID, QUEUE_ID, MOBILE)
    assert chat(client, webex, '/callerid') == [
        '**Your calls show**: Support (\\+18555550101), call queue\n'
        '1. Support (\\+18555550101), call queue · **selected**\n'
        '2. Alice mobile (\\+14085550177), additional number\n'
        '/callerid <n> chooses caller ID n; /callerid default goes back to your default.']
    assert requests_to(webex) == [('GET', CALLER_IDS, None), ('GET', SELECTED, None)]
    assert buttons(card_of(webex)) == [
        ('Use this', {'action': 'select_caller_id', 'owner': USER_ID, 'type': 'ADDITIONAL_CLID',
                      'directNumber': '+14085550177'}),
        ('My default caller ID', {'action': 'select_caller_id', 'owner': USER_ID, 'type': 'DEFAULT_CLID'})]


@pytest.mark.parametrize('text, selected, body, reply', [
    ('/callerid 1', OWN, {'selected': {'type': 'CALL_QUEUE', 'id': 'CQ1'}},
     'Your calls now show Support (\\+18555550101), call queue.'),
    ('/callerid 2', QUEUE_ID, {'selected': {'type': 'ADDITIONAL_CLID', 'directNumber': '+14085550177'}},
     'Your calls now show Alice mobile (\\+14085550177), additional number.'),
    ('/CallerID Default', MOBILE, {'selected': {'type': 'DEFAULT_CLID'}},
     'Your calls now show your default caller ID.'),
    ('/callerid default', OWN, None, 'Your calls already show Alice Anders (\\+14085551001), your default.'),
    ('/callerid 1', QUEUE_ID, None, 'Your calls already show Support (\\+18555550101), call queue.'),
])
def test_callerid_n_or_default_selects_one(client, webex, text, selected, body, reply):
    caller_ids(webex, selected, QUEUE_ID, MOBILE)
    webex.add('PUT', SELECTED, status=204)
    assert chat(client, webex, text) == [reply]
    reads = [('GET', CALLER_IDS, None), ('GET', SELECTED, None)]
    assert requests_to(webex) == reads + ([('PUT', SELECTED, body)] if body else [])


@pytest.mark.parametrize('available, reply', [
    ((QUEUE_ID, MOBILE), 'There is no caller ID 5. Yours: 1. Support (\\+18555550101), call queue, '
                         '2. Alice mobile (\\+14085550177), additional number.'),
    ((), 'You have no caller ID to choose; your calls show Alice Anders (\\+14085551001), your default.'),
])
def test_a_caller_id_that_is_not_there_changes_nothing(client, webex, available, reply):
    caller_ids(webex, OWN, *available)
    assert chat(client, webex, '/callerid 5') == [reply]
    assert requests_to(webex) == [('GET', CALLER_IDS, None), ('GET', SELECTED, None)]


def test_callerid_without_others_to_choose(client, webex):
    caller_ids(webex, OWN)
    assert chat(client, webex, '/callerid') == [
        '**Your calls show**: Alice Anders (\\+14085551001), your default\nYou have no other caller ID to choose.']
    assert 'attachments' not in webex.replies()[-1]


@pytest.mark.parametrize('text', ['/callerid mobile', '/callerid 1 2'])
def test_callerid_with_wrong_words_sends_nothing(client, webex, text):
    [reply] = chat(client, webex, text)
    assert reply.startswith('Usage: /callerid [n|default]')
    assert requests_to(webex) == []


def test_a_refused_caller_id_is_told(client, webex):
    caller_ids(webex, OWN, QUEUE_ID)
    webex.error('PUT', SELECTED, 400, 'The selected caller ID is not available to the user')
    assert chat(client, webex, '/callerid 1') == [
        'Could not change your caller ID: 400 The selected caller ID is not available to the user']


# --- /me

def me_basics(webex) -> None:
    webex.add('GET', ME, json_body=PROFILE)
    webex.add('GET', DND, json_body={'enabled': False, 'ringSplashEnabled': False, 'webexGoOverrideEnabled': False})
    webex.add('GET', FORWARDING, json_body=forwarding())
    webex.user_me(timezone='Europe/Berlin')


BASICS = ('**Alice Anders** (alice@example\\.com)\n'
          '- Your numbers: extension 1001, number \\+14085551001\n'
          '- Do Not Disturb: off\n'
          '- Call forwarding: off\n')
#: the last line of /me (the time zone, read again)
TIME_ZONE = '- Time zone: Central European Time (Europe/Berlin)'


def test_me_shows_the_preferred_device_the_call_queues_joined_and_the_caller_id(client, webex):
    me_basics(webex)
    devices(webex, DESK, APP)
    agent(webex, SUPPORT, SALES, FRONT, state='UNAVAILABLE')
    webex.add('GET', SELECTED, json_body={'selected': MOBILE})
    assert chat(client, webex, '/me') == [
        BASICS + '- Preferred device: Webex Desktop Application\n'
                 '- Call queues joined: 5001 (\\+18555550101), 5003 (agent state: unavailable)\n'
                 '- Caller ID: Alice mobile (\\+14085550177), additional number\n' + TIME_ZONE]
    assert requests_to(webex) == [('GET', ME, None), ('GET', DND, None), ('GET', FORWARDING, None),
                                  ('GET', DEVICES, None), ('GET', QUEUES, None), ('GET', SELECTED, None),
                                  ('GET', '/people/me', None)]


def test_me_leaves_out_what_webex_refuses(client, webex):
    me_basics(webex)
    devices(webex, DESK)
    webex.error('GET', QUEUES, 404, 'The user is not a call queue agent: the call center service is not assigned.')
    webex.error('GET', SELECTED, 403, 'Caller ID selection is not enabled for the user.')
    assert chat(client, webex, '/me') == [BASICS + '- Preferred device: none\n' + TIME_ZONE]


def test_me_still_fails_on_what_is_not_a_refusal(client, webex):
    me_basics(webex)
    webex.error('GET', DEVICES, 500, 'Internal error')
    assert chat(client, webex, '/me') == ['Could not read your devices: 500 Internal error']


# --- card buttons

def test_the_device_card_s_buttons_read_the_list_again_and_act_on_webex_s_id(client, webex):
    devices(webex, {**APP, 'isPreferredAnswerEndpoint': False}, DESK)
    webex.add('PUT', PREFERRED, status=204)
    assert press(client, webex, {'action': 'prefer_device', 'owner': USER_ID, 'endpointId': 'DESK'}) == [
        'Cisco 8865 \\(Desk\\) is now your preferred device: Webex answers your calls there.']
    assert requests_to(webex) == [('GET', DEVICES, None), ('PUT', PREFERRED, {'id': 'DESK'})]
    webex.reset()
    assert press(client, webex, {'action': 'prefer_device', 'owner': USER_ID, 'endpointId': 'GONE'}) == [
        'That device is no longer one of yours. Send /devices to see them now.']
    webex.reset()
    devices(webex, DESK, APP)
    assert press(client, webex, {'action': 'no_preferred_device', 'owner': USER_ID}) == [
        'You have no preferred device now: Webex answers your calls on your primary device.']
    assert requests_to(webex) == [('GET', DEVICES, None), ('PUT', PREFERRED, {'id': None})]


@pytest.mark.parametrize('inputs, body, reply', [
    ({'action': 'join_call_queue', 'queueId': 'Q2'}, {'queues': [{'id': 'Q2', 'available': True}]},
     'You joined call queue 5002: its calls can ring your phone.'),
    ({'action': 'leave_call_queue', 'queueId': 'Q1'}, {'queues': [{'id': 'Q1', 'available': False}]},
     'You left call queue 5001 (\\+18555550101): its calls no longer ring your phone.'),
    ({'action': 'leave_call_queue', 'queueId': 'Q3'}, None,
     'You may not leave call queue 5003: your administrator does not allow it. Nothing was changed.'),
    ({'action': 'agent_state', 'state': 'UNAVAILABLE'}, {'agentACDState': 'UNAVAILABLE'},
     'You are now unavailable for your call queues.'),
    ({'action': 'agent_state', 'state': 'ASLEEP'}, None, 'This button is not one I know.'),
    ({'action': 'join_call_queue', 'queueId': 'Q9'}, None,
     'That call queue is no longer one of yours. Send /queue to see them now.'),
])
def test_the_call_queue_card_s_buttons(client, webex, inputs, body, reply):
    agent(webex, SUPPORT, SALES, FRONT)
    webex.add('PUT', QUEUES, status=204)
    assert press(client, webex, {**inputs, 'owner': USER_ID}) == [reply]
    written = [(method, path, sent) for method, path, sent in requests_to(webex) if method == 'PUT']
    assert written == ([('PUT', QUEUES, body)] if body else [])


@pytest.mark.parametrize('inputs, body, reply', [
    ({'type': 'CALL_QUEUE', 'callerId': 'CQ1', 'directNumber': '+18555550101'},
     {'selected': {'type': 'CALL_QUEUE', 'id': 'CQ1'}}, 'Your calls now show Support (\\+18555550101), call queue.'),
    ({'type': 'DEFAULT_CLID'}, {'selected': {'type': 'DEFAULT_CLID'}}, 'Your calls now show your default caller ID.'),
    ({'type': 'ADDITIONAL_CLID', 'directNumber': '+14085550100'}, None,
     'That caller ID is no longer one you may choose. Send /callerid to see them now.'),
    ({'type': 'SPOOFED'}, None, 'This button is not one I know.'),
])
def test_the_caller_id_card_s_buttons(client, webex, inputs, body, reply):
    caller_ids(webex, MOBILE, QUEUE_ID, MOBILE)
    webex.add('PUT', SELECTED, status=204)
    assert press(client, webex, {'action': 'select_caller_id', 'owner': USER_ID, **inputs}) == [reply]
    written = [(method, path, sent) for method, path, sent in requests_to(webex) if method == 'PUT']
    assert written == ([('PUT', SELECTED, body)] if body else [])


@pytest.mark.parametrize('inputs', [{'action': 'prefer_device', 'endpointId': 'DESK'},
                                    {'action': 'join_call_queue', 'queueId': 'Q2'},
                                    {'action': 'select_caller_id', 'type': 'DEFAULT_CLID'}])
def test_only_the_person_the_card_was_sent_to_may_press(client, webex, inputs: dict):
    assert press(client, webex, {**inputs, 'owner': USER_ID}, person_id='MALLORY') == [
        'This card is not yours: only the person it was sent to can use its buttons.']
    assert requests_to(webex, '/telephony') == []
