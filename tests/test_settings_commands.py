"""
The phone settings commands (/dnd, /forward, /me) and /dial by name: the exact Webex requests each makes (method,
path, query, body, with the user's token), the replies, the card of several matches and its Call buttons, and what
the person is told when Webex refuses (a token from before the settings scopes, no calling licence). Webex is faked
with `responses`; every request is checked against Webex's documents.
"""
from typing import Optional

import pytest

from tests.adaptivecard import validate_card
from tests.webexmock import USER_EMAIL, USER_ID, chat, user_context
from wxc_cc.commands.directory import MAX_MATCHES

pytestmark = pytest.mark.unit

ME = '/telephony/config/people/me'
DND = f'{ME}/settings/doNotDisturb'
FORWARDING = f'{ME}/settings/callForwarding'
OLD_SCOPES = 'spark:calls_write spark:kms spark:calls_read spark-admin:telephony_config_read spark:people_read'

OFF = {'enabled': False, 'destinationVoicemailEnabled': False}


def forwarding(always: Optional[dict] = None, busy: Optional[dict] = None, no_answer: Optional[dict] = None) -> dict:
    """A forwarding setting as Webex answers GET .../callForwarding."""
    return {'callForwarding': {'always': {**OFF, 'ringReminderEnabled': False, **(always or {})},
                               'busy': {**OFF, **(busy or {})},
                               'noAnswer': {**OFF, 'numberOfRings': 3, 'systemMaxNumberOfRings': 20,
                                            **(no_answer or {})}},
            'businessContinuity': OFF}


#: the PUT that writes :func:`forwarding` back unchanged (systemMaxNumberOfRings is not written)
def written(always: Optional[dict] = None, busy: Optional[dict] = None, no_answer: Optional[dict] = None) -> dict:
    body = forwarding(always, busy, no_answer)
    del body['callForwarding']['noAnswer']['systemMaxNumberOfRings']
    return body


PROFILE = {'id': USER_ID, 'lastName': 'Anders', 'firstName': 'Alice', 'email': USER_EMAIL,
           'announcementLanguage': 'English', 'locationDialingCode': '', 'supportMobility': False,
           'emergencyCallBackNumber': '+14085551001',
           'phoneNumbers': [{'directNumber': '+14085551001', 'extension': '1001', 'esn': '1001', 'primary': True}],
           'devices': [], 'location': {'id': 'LOC', 'name': 'Headquarters'}, 'receptionistUrl': '',
           'callingHostUrl': '', 'attendantConsoleUrl': ''}


def authorize(bot, scope: Optional[str] = None) -> None:
    context = user_context()
    context.tokens.scope = scope
    bot.core.stores.tokens.set_user_context(context)


@pytest.fixture(autouse=True)
def authorized(bot):
    authorize(bot)


def requests_to(webex, prefix: str = '/') -> list[tuple]:
    """(method, path, body) of the requests below ``prefix`` other than the bot's own, all with the user's token."""
    sent = [s for s in webex.sent() if s.path.startswith(prefix) and s.identity != 'bot']
    assert all(s.identity == 'user' for s in sent)
    return [(s.method, s.path, s.body) for s in sent]


def person(person_id: str, name: str, *, extension: Optional[str] = None, work: Optional[str] = None,
           title: Optional[str] = None, kind: str = 'person') -> dict:
    """A person as GET /people?callingData=true lists them."""
    data = {'id': person_id, 'emails': [f'{person_id.lower()}@example.com'], 'displayName': name, 'type': kind}
    if extension:
        data['extension'] = extension
    if work:
        data['phoneNumbers'] = [{'type': 'work', 'value': work}]
    if title:
        data['title'] = title
    return data


# --- /dnd

def test_dnd_shows_the_setting(client, webex):
    webex.add('GET', DND, json_body={'enabled': False, 'ringSplashEnabled': False, 'webexGoOverrideEnabled': False})
    assert chat(client, webex, '/dnd') == ['Do Not Disturb is off: your phone rings. /dnd on turns it on.']
    assert requests_to(webex) == [('GET', DND, None)]


@pytest.mark.parametrize('current, text, body, reply', [
    ({'enabled': False, 'ringSplashEnabled': True, 'webexGoOverrideEnabled': True}, '/dnd on',
     {'enabled': True, 'ringSplashEnabled': True, 'webexGoOverrideEnabled': True},
     'Do Not Disturb is now on: callers hear busy (or go where your busy forwarding sends them) until you send '
     '/dnd off.'),
    ({'enabled': True}, '/DND Off', {'enabled': False, 'webexGoOverrideEnabled': False},
     'Do Not Disturb is now off: your phone rings again.'),
])
def test_dnd_on_and_off_keep_the_other_fields(client, webex, current, text, body, reply):
    webex.add('GET', DND, json_body=current)
    webex.add('PUT', DND, status=204)
    assert chat(client, webex, text) == [reply]
    assert requests_to(webex) == [('GET', DND, None), ('PUT', DND, body)]


def test_dnd_already_as_asked_writes_nothing(client, webex):
    webex.add('GET', DND, json_body={'enabled': True, 'ringSplashEnabled': False, 'webexGoOverrideEnabled': False})
    [reply] = chat(client, webex, '/dnd on')
    assert reply.startswith('Do Not Disturb is on: callers hear busy')
    assert requests_to(webex) == [('GET', DND, None)]


# --- /forward

def test_forward_shows_every_kind(client, webex):
    webex.add('GET', FORWARDING, json_body=forwarding(busy={'enabled': True, 'destination': '1002'},
                                                      no_answer={'enabled': True, 'destination': '1001',
                                                                 'destinationVoicemailEnabled': True}))
    assert chat(client, webex, '/forward') == ['**Call forwarding**\n- always: off\n- when busy: to 1002\n'
                                               '- when not answered: to the voicemail of 1001 (after 3 rings)']
    assert requests_to(webex) == [('GET', FORWARDING, None)]


@pytest.mark.parametrize('text, changed, reply', [
    ('/forward always 1002', {'always': {'enabled': True, 'destination': '1002'}},
     'Call forwarding (always) is now on: calls go to 1002.'),
    ('/forward busy +1 (408) 555-1002', {'busy': {'enabled': True, 'destination': '+14085551002'}},
     r'Call forwarding (when busy) is now on: calls go to \+14085551002.'),
    ('/Forward NoAnswer 2000', {'no_answer': {'enabled': True, 'destination': '2000'}},
     'Call forwarding (when not answered) is now on: calls go to 2000.'),
])
def test_forward_turns_one_kind_on(client, webex, text, changed, reply):
    webex.add('GET', FORWARDING, json_body=forwarding(busy={'destination': '9999'}))
    webex.add('PUT', FORWARDING, status=204)
    assert chat(client, webex, text) == [reply]
    kinds = {'busy': {'destination': '9999'}}
    for kind, value in changed.items():
        kinds[kind] = {**kinds.get(kind, {}), **value}
    assert requests_to(webex) == [('GET', FORWARDING, None), ('PUT', FORWARDING, written(**kinds))]


def test_forward_to_voicemail_is_to_the_own_extension_with_voicemail(client, webex):
    webex.add('GET', ME, json_body=PROFILE)
    webex.add('GET', FORWARDING, json_body=forwarding())
    webex.add('PUT', FORWARDING, status=204)
    assert chat(client, webex, '/forward noanswer voicemail') == [
        'Call forwarding (when not answered) is now on: calls go to your voicemail.']
    assert requests_to(webex) == [('GET', ME, None), ('GET', FORWARDING, None), ('PUT', FORWARDING, written(
        no_answer={'enabled': True, 'destination': '1001', 'destinationVoicemailEnabled': True}))]


def test_forward_to_voicemail_needs_an_own_number(client, webex):
    webex.add('GET', ME, json_body={**PROFILE, 'phoneNumbers': []})
    assert chat(client, webex, '/forward always voicemail') == [
        'You have no extension or number of your own, so I cannot send your calls to your voicemail.']
    assert requests_to(webex) == [('GET', ME, None)]


def test_forward_off_turns_every_kind_off(client, webex):
    webex.add('GET', FORWARDING, json_body=forwarding(always={'enabled': True, 'destination': '1002'},
                                                      busy={'enabled': True, 'destination': '1003'}))
    webex.add('PUT', FORWARDING, status=204)
    assert chat(client, webex, '/forward off') == ['Call forwarding is now off: your calls ring your phone again.']
    assert requests_to(webex) == [('GET', FORWARDING, None), ('PUT', FORWARDING, written(
        always={'destination': '1002'}, busy={'destination': '1003'}))]


def test_forward_off_when_off_writes_nothing(client, webex):
    webex.add('GET', FORWARDING, json_body=forwarding())
    assert chat(client, webex, '/forward off') == ['Call forwarding is already off.']
    assert requests_to(webex) == [('GET', FORWARDING, None)]


USAGE = 'Usage: /forward [always|busy|noanswer <number or voicemail> | off] [for <duration> | until <time>]'
DND_USAGE = 'Usage: /dnd [on|off] [for <duration> | until <time>]'


@pytest.mark.parametrize('text, first_line', [
    ('/forward always', USAGE), ('/forward sometimes 1002', USAGE), ('/forward off now', USAGE),
    ('/forward 1002', USAGE), ('/dnd maybe', DND_USAGE), ('/dnd on off', DND_USAGE),
    ('/me please', 'Usage: /me'),
    ('/forward busy bob', 'bob is not a phone number or extension.'),
    ('/forward always sip:bob@example.com', r'sip:bob@example\.com is not a phone number or extension.'),
])
def test_wrong_arguments_change_nothing(client, webex, text, first_line):
    [reply] = chat(client, webex, text)
    assert reply.splitlines()[0].rstrip() == first_line
    if not first_line.startswith('Usage'):
        assert reply.splitlines()[1] == USAGE
    assert requests_to(webex) == []


# --- /me

def phone_menu(webex) -> None:
    """
    The reads of /me's lines of the phone menu (tests/test_phone_commands.py): no device, no call-centre service (Webex
    refuses, the line is left out), the default caller ID.
    """
    webex.add('GET', f'{ME}/settings/availablePreferredAnswerEndpoints', json_body={'endpoints': []})
    webex.error('GET', f'{ME}/settings/queues', 404, 'The user is not a call queue agent.')
    webex.add('GET', f'{ME}/settings/selectedCallerId', json_body={'selected': {
        'type': 'DEFAULT_CLID', 'name': 'Alice Anders', 'directNumber': '+14085551001'}})


def test_me_at_a_glance(client, webex):
    webex.add('GET', ME, json_body=PROFILE)
    webex.add('GET', DND, json_body={'enabled': True, 'ringSplashEnabled': False, 'webexGoOverrideEnabled': False})
    webex.add('GET', FORWARDING, json_body=forwarding(always={'enabled': True, 'destination': '1002'},
                                                      no_answer={'enabled': True, 'destination': '1001',
                                                                 'destinationVoicemailEnabled': True}))
    phone_menu(webex)
    webex.user_me(timezone='Asia/Tokyo')
    assert chat(client, webex, '/me') == [
        '**Alice Anders** (alice@example\\.com)\n'
        '- Your numbers: extension 1001, number \\+14085551001\n'
        '- Do Not Disturb: on\n'
        '- Call forwarding: always to 1002; when not answered to the voicemail of 1001 (after 3 rings)\n'
        '- Preferred device: none\n'
        '- Caller ID: Alice Anders (\\+14085551001), your default\n'
        '- Time zone: Japan Time (Asia/Tokyo)']
    assert requests_to(webex) == [('GET', ME, None), ('GET', DND, None), ('GET', FORWARDING, None),
                                  ('GET', f'{ME}/settings/availablePreferredAnswerEndpoints', None),
                                  ('GET', f'{ME}/settings/queues', None),
                                  ('GET', f'{ME}/settings/selectedCallerId', None), ('GET', '/people/me', None)]


# --- what Webex refuses

REAUTHORIZE = ('You authorized me before I could read and change your phone settings. Send /auth force to '
               'authorize me again, then try once more.')


@pytest.mark.parametrize('scope', [OLD_SCOPES, None])
@pytest.mark.parametrize('text, method, path', [('/dnd', 'GET', DND), ('/forward', 'GET', FORWARDING),
                                                ('/me', 'GET', ME)])
def test_a_token_from_before_the_settings_scopes_is_told_to_auth_force(client, webex, bot, scope, text, method,
                                                                       path):
    authorize(bot, scope)
    webex.error(method, path, 403, 'The access token is missing the scope spark:telephony_config_read')
    assert chat(client, webex, text) == [REAUTHORIZE]
    assert requests_to(webex) == [(method, path, None)]


def test_a_refused_change_with_an_old_token_is_told_to_auth_force(client, webex, bot):
    authorize(bot, OLD_SCOPES + ' spark:telephony_config_read')
    webex.add('GET', DND, json_body={'enabled': False, 'webexGoOverrideEnabled': False})
    webex.error('PUT', DND, 403, 'The access token is missing the scope spark:telephony_config_write')
    assert chat(client, webex, '/dnd on') == [REAUTHORIZE]


def test_a_403_despite_the_scope_is_webex_s_reason(client, webex, bot):
    authorize(bot, OLD_SCOPES + ' spark:telephony_config_read spark:telephony_config_write')
    webex.error('GET', DND, 403, 'Your organisation does not allow this.')
    assert chat(client, webex, '/dnd') == [
        'Could not read your Do Not Disturb setting: 403 Your organisation does not allow this']


def test_no_calling_licence_gets_webex_s_reason(client, webex):
    webex.error('GET', FORWARDING, 404, 'The user is not a Webex Calling user: no calling license is assigned.')
    assert chat(client, webex, '/forward') == [
        'Webex has no phone settings for you: The user is not a Webex Calling user: no calling license is '
        'assigned. Your account seems to have no Webex Calling licence; ask your administrator.']


# --- /dial by name

def people_query(webex) -> list[dict]:
    return [s.query for s in webex.sent() if s.path == '/people']


def test_dial_a_name_dials_the_one_person_found(client, webex):
    webex.add('GET', '/people', json_body={'items': [person('BOB', 'Bob Brown', extension='1002',
                                                            work='+1 408 555 1002')]})
    webex.add('POST', '/telephony/calls/dial', status=201, json_body={'callId': 'C1', 'callSessionId': 'S1'})
    [reply] = chat(client, webex, '/dial  Bob   Brown')
    assert reply.startswith('Dialing Bob Brown (1002): your phone rings first')
    assert people_query(webex) == [{'displayName': 'Bob Brown', 'callingData': 'true', 'max': str(MAX_MATCHES + 1)}]
    assert requests_to(webex) == [('GET', '/people', None), ('POST', '/telephony/calls/dial', {'destination': '1002'})]


def test_dial_a_name_without_extension_dials_the_work_number(client, webex):
    webex.add('GET', '/people', json_body={'items': [person(USER_ID, 'Alice Anders', extension='1001'),
                                                     person('BOT', 'Al Bot', extension='1', kind='bot'),
                                                     person('AL', 'Al Green', work='+1 408 555 1009')]})
    webex.add('POST', '/telephony/calls/dial', status=201, json_body={'callId': 'C1', 'callSessionId': 'S1'})
    [reply] = chat(client, webex, '/dial al')
    assert reply.startswith(r'Dialing Al Green (\+14085551009)'), 'not oneself, not a bot'
    assert requests_to(webex)[1:] == [('POST', '/telephony/calls/dial', {'destination': '+14085551009'})]


def test_dial_a_name_of_several_people_offers_a_card(client, webex):
    webex.add('GET', '/people', json_body={'items': [
        person('BOB', 'Bob Brown', extension='1002', title='Sales Engineer'),
        person('BOBBY', 'Bobby Blue', work='+14085551005'), person('BOBO', 'Bobo Nonumber')]})
    assert chat(client, webex, '/dial bob') == [
        '2 people in your organisation are called bob:\n'
        '- Bob Brown (1002), Sales Engineer\n'
        '- Bobby Blue (\\+14085551005)\n'
        'Press Call on the card, or send /dial with more of the name.']
    assert requests_to(webex) == [('GET', '/people', None)], 'no dial'
    card = webex.replies()[0]['attachments'][0]['content']
    validate_card(card)
    rows = [item for container in card['body'] if container['type'] == 'Container' for item in container['items']]
    texts = [[block['text'] for column in row['columns'] for block in column['items']]
             for row in rows if row['type'] == 'ColumnSet']
    assert texts == [['Bob Brown', 'Sales Engineer', '1002'], ['Bobby Blue', '+14085551005']]
    buttons = [action for row in rows if row['type'] == 'ActionSet' for action in row['actions']]
    assert [(b['title'], b['data']) for b in buttons] == [
        ('Call Bob Brown', {'action': 'callback', 'owner': USER_ID, 'number': '1002'}),
        ('Call Bobby Blue', {'action': 'callback', 'owner': USER_ID, 'number': '+14085551005'})]

    webex.reset()
    webex.add('POST', '/telephony/calls/dial', status=201, json_body={'callId': 'C1', 'callSessionId': 'S1'})
    body = webex.action_notification('PEOPLE-CARD', buttons[1]['data'])
    assert client.post('/', data=body, headers=webex.signed(body)).status_code == 200
    assert requests_to(webex, '/telephony') == [('POST', '/telephony/calls/dial', {'destination': '+14085551005'})]
    assert [r['markdown'] for r in webex.replies()][0].startswith(r'Dialing \+14085551005')

    webex.reset()
    body = webex.action_notification('PEOPLE-CARD', buttons[0]['data'], person_id='MALLORY')
    assert client.post('/', data=body, headers=webex.signed(body)).status_code == 200
    assert not [s for s in webex.sent() if s.path.startswith('/telephony')], 'only the card owner may press'


def test_dial_a_name_with_more_people_than_shown(client, webex):
    webex.add('GET', '/people', json_body={'items': [person(f'P{i}', f'Sam {i:02d}', extension=f'2{i:03d}')
                                                     for i in range(MAX_MATCHES + 1)]})
    [reply] = chat(client, webex, '/dial sam')
    lines = reply.splitlines()
    assert lines[0] == f'{MAX_MATCHES} people in your organisation are called sam:'
    assert len(lines) == MAX_MATCHES + 3 and lines[-2] == f'These are the first {MAX_MATCHES}; there are more.'


@pytest.mark.parametrize('items, reply', [
    ([], 'I found nobody called Zed Zulu in your organisation. /dial also takes a number or SIP URI.'),
    ([person('ZED', 'Zed Zulu')], 'I found Zed Zulu, but no number to call.'),
])
def test_dial_a_name_nobody_can_be_called_by(client, webex, items, reply):
    webex.add('GET', '/people', json_body={'items': items})
    assert chat(client, webex, '/dial Zed Zulu') == [reply]
    assert requests_to(webex) == [('GET', '/people', None)]


@pytest.mark.parametrize('typed', ["O'Brien", 'Jean-Luc Picard', 'J. Smith', 'Zoë'])
def test_names_as_people_write_them_are_looked_up(client, webex, typed):
    webex.add('GET', '/people', json_body={'items': []})
    chat(client, webex, f'/dial {typed}')
    assert people_query(webex)[0]['displayName'] == typed
