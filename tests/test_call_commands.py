"""
The call-control and voicemail commands: the exact Webex request each makes (method, path, body, with the
user's token) and the reply; choosing the call by number or by state. Webex is faked with `responses`.
"""
import pytest

from tests.adaptivecard import validate_card
from tests.conftest import API
from tests.webexmock import USER_ID, call, chat, user_context

pytestmark = pytest.mark.unit

ALERTING = call('C1', 'alerting', 'terminator', 'Ann', '1001', created='2026-01-01T10:00:00.000Z')
CONNECTED = call('C2', 'connected', 'originator', 'Bob', '1002', created='2026-01-01T09:00:00.000Z',
                 answered='2026-01-01T09:00:05.000Z', muteCapable=True)
HELD = call('C3', 'held', 'terminator', 'Cyd', '1003', created='2026-01-01T08:00:00.000Z',
            answered='2026-01-01T08:00:05.000Z')


@pytest.fixture(autouse=True)
def authorized(bot):
    bot.core.stores.tokens.set_user_context(user_context())


def calls(webex, *items: dict) -> None:
    webex.add('GET', '/telephony/calls', json_body={'items': list(items)})


def requests_to(webex, prefix: str = '/telephony') -> list[tuple[str, str, object]]:
    """(method, path, body) of the user's requests below ``prefix`` (all made with the user's token)."""
    sent = [s for s in webex.sent() if s.path.startswith(prefix)]
    assert all(s.identity == 'user' for s in sent)
    return [(s.method, s.path, s.body) for s in sent]


def test_calls_lists_numbered_oldest_first(client, webex):
    calls(webex, ALERTING, {**CONNECTED, 'muted': True, 'recordingState': 'started'}, HELD)
    [reply] = chat(client, webex, '/calls')
    lines = reply.splitlines()
    assert lines[0] == '**Your calls** (3)'
    assert lines[1].startswith('1. held incoming call from Cyd (1003) · ')
    assert lines[2].startswith('2. connected outgoing call to Bob (1002) · ')
    assert lines[2].endswith(', muted, recording started')
    assert lines[3].startswith('3. alerting incoming call from Ann (1001) · ')
    assert requests_to(webex) == [('GET', '/telephony/calls', None)]


def test_calls_when_there_are_none(client, webex):
    calls(webex)
    assert chat(client, webex, '/calls') == ['You have no active calls.']


@pytest.mark.parametrize('text, path, body, reply', [
    ('/hold', 'hold', {'callId': 'C2'}, 'Put the call with Bob (1002) on hold.'),
    ('/resume', 'resume', {'callId': 'C3'}, 'Resumed the call with Cyd (1003).'),
    ('/answer', 'answer', {'callId': 'C1'}, 'Answered the call from Ann (1001).'),
    ('/hangup', 'hangup', {'callId': 'C2'}, 'Hung up the call to Bob (1002).'),
    ('/hangup 1', 'hangup', {'callId': 'C3'}, 'Hung up the call from Cyd (1003).'),
    ('/reject', 'reject', {'callId': 'C1', 'action': 'busy'}, 'Declined the call from Ann (1001) (busy).'),
    ('/reject unavailable', 'reject', {'callId': 'C1', 'action': 'temporarilyUnavailable'},
     'Declined the call from Ann (1001) (unavailable).'),
    ('/reject 3 ignore', 'reject', {'callId': 'C1', 'action': 'ignore'}, 'Declined the call from Ann (1001) (ignore).'),
    ('/divert voicemail', 'divert', {'callId': 'C1', 'toVoicemail': True},
     'Sent the call from Ann (1001) to your voicemail.'),
    ('/divert +1 408 555 0000', 'divert', {'callId': 'C1', 'destination': '+14085550000'},
     r'Diverted the call with Ann (1001) to \+14085550000.'),
    ('/mute', 'mute', {'callId': 'C2'}, 'Muted the call with Bob (1002).'),
    ('/unmute 2', 'unmute', {'callId': 'C2'}, 'Unmuted the call with Bob (1002).'),
    ('/dtmf 12#*a,9', 'transmitDtmf', {'callId': 'C2', 'dtmf': '12#*A,9'}, r'Sent 12\#\*A,9 to Bob (1002).'),
    ('/record start', 'startRecording', {'callId': 'C2'}, 'Started recording the call with Bob (1002).'),
    ('/record pause 1', 'pauseRecording', {'callId': 'C3'}, 'Paused recording the call with Cyd (1003).'),
    ('/record stop', 'stopRecording', {'callId': 'C2'}, 'Stopped recording the call with Bob (1002).'),
    ('/record resume 2', 'resumeRecording', {'callId': 'C2'}, 'Resumed recording the call with Bob (1002).'),
    ('/push 2', 'push', {'callId': 'C2'}, 'Pushed the call with Bob (1002) to your executive.'),
])
def test_actions_on_a_call(client, webex, text, path, body, reply):
    calls(webex, ALERTING, CONNECTED, HELD)
    webex.add('POST', f'/telephony/calls/{path}', status=204)
    assert chat(client, webex, text) == [reply]
    assert requests_to(webex) == [('GET', '/telephony/calls', None), ('POST', f'/telephony/calls/{path}', body)]


@pytest.mark.parametrize('text, reply', [
    ('/hold 5', 'There is no call 5: you have 3 call(s). See /calls.'),
    ('/hold 3', 'Call 3 is alerting: it cannot be put on hold.'),
    ('/answer 1', 'Call 1 is held: it cannot be answered.'),
    ('/resume 2', 'Call 2 is connected: it cannot be resumed.'),
])
def test_wrong_call_numbers(client, webex, text, reply):
    calls(webex, ALERTING, CONNECTED, HELD)
    assert chat(client, webex, text) == [reply]
    assert requests_to(webex) == [('GET', '/telephony/calls', None)]


def test_several_fitting_calls_are_asked_about(client, webex):
    other = call('C4', 'connected', 'terminator', 'Dan', '1004', created='2026-01-01T09:30:00.000Z')
    calls(webex, CONNECTED, other, HELD)
    [reply] = chat(client, webex, '/hold')
    assert reply.splitlines() == ['Which call? You have 2 that can be put on hold:  ',
                                  '2. connected outgoing call to Bob (1002)  ',
                                  '3. connected incoming call from Dan (1004)  ',
                                  'Send /hold 2, for example.']
    assert requests_to(webex) == [('GET', '/telephony/calls', None)]


def test_no_fitting_call(client, webex):
    calls(webex, {**HELD, 'muteCapable': True})
    webex.add('POST', '/telephony/calls/mute', status=204)
    assert chat(client, webex, '/mute') == ['Muted the call with Cyd (1003).'], 'a held call is the current one'
    webex.rsps.replace('GET', f'{API}/telephony/calls', json={'items': []})
    assert chat(client, webex, '/dtmf 1') == ['You have no call that can be sent tones.']


def test_mute_needs_a_mute_capable_call(client, webex):
    calls(webex, {**CONNECTED, 'muteCapable': False})
    assert chat(client, webex, '/mute') == ['This call cannot be muted from here (its device does not allow it).']
    assert requests_to(webex) == [('GET', '/telephony/calls', None)]


@pytest.mark.parametrize('text, usage', [
    ('/reject loudly', '/reject [n] [busy|unavailable|ignore]'), ('/divert', '/divert <number>|voicemail'),
    ('/dtmf hello', '/dtmf <digits>'), ('/record', '/record start|stop|pause|resume [n]'),
    ('/record louder', '/record start|stop|pause|resume [n]'), ('/hold now', '/hold [n]'),
    ('/barge', '/barge <number>'), ('/calls all', '/calls'),
])
def test_usage_lines(client, webex, text, usage):
    [reply] = chat(client, webex, text)
    assert reply.startswith(f'Usage: {usage}')
    assert requests_to(webex) == []


def test_blind_transfer(client, webex):
    calls(webex, CONNECTED, HELD)
    webex.add('POST', '/telephony/calls/transfer', status=201, json_body={'callId': 'N', 'callSessionId': 'S'})
    assert chat(client, webex, '/transfer 2000') == ['Transferred the call with Bob (1002) to 2000.']
    assert requests_to(webex)[1:] == [('POST', '/telephony/calls/transfer', {'callId1': 'C2', 'destination': '2000'})]


def test_transfer_connects_two_calls(client, webex):
    calls(webex, CONNECTED, HELD)
    webex.add('POST', '/telephony/calls/transfer', status=204)
    assert chat(client, webex, '/transfer') == ['Connected Cyd (1003) with Bob (1002).']
    assert requests_to(webex)[1:] == [('POST', '/telephony/calls/transfer', {'callId1': 'C3', 'callId2': 'C2'})]


def test_transfer_without_two_calls(client, webex):
    calls(webex, CONNECTED)
    [reply] = chat(client, webex, '/transfer')
    assert reply.startswith('Without a number, /transfer connects two calls, and you have 1 in progress.')
    assert requests_to(webex) == [('GET', '/telephony/calls', None)]


@pytest.mark.parametrize('text, body', [('/park', {'callId': 'C2'}),
                                        ('/park 7001', {'callId': 'C2', 'destination': '7001'})])
def test_park(client, webex, text, body):
    calls(webex, CONNECTED)
    webex.add('POST', '/telephony/calls/park', json_body={'parkedAgainst': {'name': 'Park 1', 'number': '7001'}})
    assert chat(client, webex, text) == ['Parked the call with Bob (1002) against Park 1 (7001). Get it back with '
                                         '/retrieve 7001.']
    assert requests_to(webex)[1:] == [('POST', '/telephony/calls/park', body)]


@pytest.mark.parametrize('text, path, body, reply', [
    ('/retrieve', 'retrieve', {}, 'Retrieving the call parked against you: your phone rings.'),
    ('/retrieve 7001', 'retrieve', {'destination': '7001'},
     'Retrieving the call parked against 7001: your phone rings.'),
    ('/pickup', 'pickup', {}, 'Picking up the call ringing for your group: your phone rings.'),
    ('/pickup 1001', 'pickup', {'target': '1001'}, 'Picking up the call ringing for 1001: your phone rings.'),
    ('/barge 1001', 'bargeIn', {'target': '1001'}, 'Barging in on the call of 1001: your phone rings.'),
])
def test_new_call_commands(client, webex, text, path, body, reply):
    webex.add('POST', f'/telephony/calls/{path}', status=201, json_body={'callId': 'N', 'callSessionId': 'S'})
    assert chat(client, webex, text) == [reply]
    assert requests_to(webex) == [('POST', f'/telephony/calls/{path}', body)]


def test_history_filter_count_and_call_back_buttons(client, webex, bot):
    webex.add('GET', '/telephony/calls/history', json_body={'items': [
        {'type': 'missed', 'name': 'Ann', 'number': '1001', 'time': f'2026-01-0{day}T10:00:00.000Z'}
        for day in range(1, 8)]})
    [reply] = chat(client, webex, '/history missed 3')
    assert requests_to(webex) == [('GET', '/telephony/calls/history', None)]
    assert [s.query for s in webex.sent() if s.path == '/telephony/calls/history'] == [{'type': 'missed'}]
    assert reply.splitlines()[:3] == ['**Call history: 3 missed calls, newest first** (UTC)', '```',
                                      'Jan 7, 2026, 10:00\u202fAM  missed    Ann (1001)']
    card = webex.replies()[0]['attachments'][0]['content']
    validate_card(card)
    buttons = [action for container in card['body'] if container['type'] == 'Container'
               for item in container['items'] if item['type'] == 'ActionSet' for action in item['actions']]
    assert [b['data'] for b in buttons] == [{'action': 'callback', 'owner': USER_ID, 'number': '1001'}] * 3


@pytest.mark.parametrize('text', ['/history lost', '/history missed placed', '/history 0', '/history 1000',
                                  '/history 10 5', '/history 5 10', '/history 3 3', '/history missed 2 placed'])
def test_history_usage(client, webex, text):
    """One kind and one count at most: two counts are a mistake, not "the last one wins"."""
    [reply] = chat(client, webex, text)
    assert reply.startswith('Usage: /history [missed|placed|received] [count]')
    assert requests_to(webex) == [], 'no history asked for'


VOICEMAILS = [{'id': f'VM{i}', 'duration': 65, 'read': i == 2, 'urgent': i == 3,
               'created': f'2026-01-0{i}T10:00:00.000Z', 'callingParty': {'name': f'Caller {i}', 'number': f'10{i}'}}
              for i in (1, 2, 3)]


def test_voicemail_summary(client, webex):
    webex.add('GET', '/telephony/voiceMessages/summary', json_body={
        'newMessages': 2, 'oldMessages': 1, 'newUrgentMessages': 1, 'oldUrgentMessages': 0})
    assert chat(client, webex, '/voicemail') == [
        'You have 2 new (1 urgent) and 1 old voice message(s). /voicemail list shows them.']
    assert requests_to(webex) == [('GET', '/telephony/voiceMessages/summary', None)]


def test_voicemail_list_newest_first(client, webex):
    webex.add('GET', '/telephony/voiceMessages', json_body={'items': VOICEMAILS})
    [reply] = chat(client, webex, '/voicemail list')
    assert reply.splitlines() == ['**Voice messages** (3, newest first, UTC)',
                                  '1. **new** · Jan 3, 2026, 10:00\u202fAM · Caller 3 (103) · 1:05 · urgent',
                                  '2. read · Jan 2, 2026, 10:00\u202fAM · Caller 2 (102) · 1:05',
                                  '3. **new** · Jan 1, 2026, 10:00\u202fAM · Caller 1 (101) · 1:05']


@pytest.mark.parametrize('text, method, path, body, reply', [
    ('/voicemail read 1', 'POST', '/telephony/voiceMessages/markAsRead', {'messageId': 'VM3'},
     'Marked message 1 as read.'),
    ('/voicemail unread 2', 'POST', '/telephony/voiceMessages/markAsUnread', {'messageId': 'VM2'},
     'Marked message 2 as unread.'),
    ('/voicemail delete 3', 'DELETE', '/telephony/voiceMessages/VM1', None, 'Deleted message 3.'),
])
def test_voicemail_actions(client, webex, text, method, path, body, reply):
    webex.add('GET', '/telephony/voiceMessages', json_body={'items': VOICEMAILS})
    webex.add(method, path, status=204)
    assert chat(client, webex, text) == [reply]
    assert requests_to(webex) == [('GET', '/telephony/voiceMessages', None), (method, path, body)]


@pytest.mark.parametrize('text, reply', [
    ('/voicemail read 4', 'There is no message 4: you have 3. See /voicemail list.'),
    ('/voicemail play 1', 'Usage: /voicemail [list | read <n> | unread <n> | delete <n>]'),
])
def test_voicemail_errors(client, webex, text, reply):
    webex.add('GET', '/telephony/voiceMessages', json_body={'items': VOICEMAILS})
    assert chat(client, webex, text)[0].startswith(reply)


def test_monitor_verbose_is_remembered(client, webex, bot):
    webex.add('GET', '/webhooks', json_body={'items': []})
    webex.add('POST', '/webhooks', json_body={'id': 'W', 'name': 'n', 'targetUrl': 't', 'status': 'active',
                                              'created': '2026-01-01T00:00:00Z'})
    [reply] = chat(client, webex, '/monitor verbose')
    assert reply.startswith('Monitoring is on with the raw events')
    assert bot.core.stores.tokens.get_user_context(USER_ID).verbose is True
