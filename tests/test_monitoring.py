"""
Monitoring with cards: one live card per call, replaced when the state changes and removed when the call ends;
button presses acting only for the card's owner and only on a live card; new voicemail announced.
"""
import json

import pytest

from tests.adaptivecard import validate_card
from tests.webexmock import USER_ID, call_event, user_context
from wxc_cc.signature import derive_secret, sign
from wxc_cc.stores import UserContext

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def monitored(bot):
    bot.core.stores.tokens.set_user_context(user_context())


def post_event(client, bot, body: bytes) -> int:
    secret = derive_secret(bot.settings.webhook_secret, f'callevent:{USER_ID}')
    return client.post(f'/callevent/{USER_ID}', data=body, headers={'X-Spark-Signature': sign(secret, body)}
                       ).status_code


def sent(webex) -> list[tuple[str, str]]:
    return [(s.method, s.path) for s in webex.sent()]


def card_titles(message: dict) -> list[str]:
    [attachment] = message['attachments']
    validate_card(attachment['content'])
    return [action['title'] for action in attachment['content'].get('actions', [])]


def test_one_live_card_per_call(client, webex, bot):
    webex.add('DELETE', '/messages/SENT1', status=204)
    webex.add('DELETE', '/messages/SENT2', status=204)
    assert post_event(client, bot, call_event('C1', 'alerting', 'received', '2026-01-01T10:00:00.000Z',
                                              event='created')) == 200
    [ringing] = webex.replies()
    assert ringing['toPersonId'] == USER_ID and card_titles(ringing) == ['Answer', 'Decline', 'Send to voicemail']
    assert ringing['markdown'].startswith('📞 **Alerting incoming call from Henry Green (7101)**')
    assert sent(webex) == [('POST', '/messages')]

    post_event(client, bot, call_event('C1', 'connected', 'connected', '2026-01-01T10:00:05.000Z'))
    assert card_titles(webex.replies()[1]) == ['Hold', 'Hang up', 'Transfer']
    assert sent(webex)[1:] == [('POST', '/messages'), ('DELETE', '/messages/SENT1')], 'the stale card goes'

    post_event(client, bot, call_event('C1', 'connected', 'recording', '2026-01-01T10:00:06.000Z'))
    assert 'attachments' not in webex.replies()[2], 'same state: a line, no new card'
    assert sent(webex)[3:] == [('POST', '/messages')]

    post_event(client, bot, call_event('C1', 'disconnected', 'disconnected', '2026-01-01T10:01:00.000Z',
                                       event='deleted'))
    ended = webex.replies()[3]
    assert 'attachments' not in ended and ended['markdown'].startswith('📞 **Disconnected incoming call')
    assert sent(webex)[4:] == [('POST', '/messages'), ('DELETE', '/messages/SENT2')], 'the card is gone'
    assert bot.core.conversation.presses.monitor.live_card(USER_ID, 'C1') is None


def test_events_older_than_the_card_are_ignored(client, webex, bot):
    post_event(client, bot, call_event('C1', 'connected', 'connected', '2026-01-01T10:00:05.000Z'))
    webex.reset()
    post_event(client, bot, call_event('C1', 'alerting', 'received', '2026-01-01T10:00:00.000Z'))
    assert webex.sent() == []


def test_verbose_adds_the_raw_event(client, webex, bot):
    bot.core.stores.tokens.set_user_context(user_context().model_copy(update={'verbose': True}))
    post_event(client, bot, call_event('C1', 'alerting', 'received', '2026-01-01T10:00:00.000Z'))
    card_message, raw = webex.replies()
    assert card_message['attachments']
    body = raw['markdown'].removeprefix('```\n').removesuffix('\n```')
    assert json.loads(body)['callId'] == 'C1'


def mwi(new: int) -> bytes:
    return json.dumps({'id': 'WH2', 'name': 'ccbot.telephony_mwi', 'resource': 'telephony_mwi', 'event': 'updated',
                       'data': {'eventType': 'mwi', 'newMessages': new, 'oldMessages': 0}}).encode()


def test_new_voicemail_is_announced_once(client, webex, bot):
    post_event(client, bot, mwi(1))
    post_event(client, bot, mwi(1))
    post_event(client, bot, mwi(0))
    post_event(client, bot, mwi(2))
    assert [r['markdown'] for r in webex.replies()] == [
        '📬 New voice message: you have 1 new. /voicemail list shows them.',
        '📬 New voice message: you have 2 new. /voicemail list shows them.']


def live_card(client, webex, bot, state: str = 'alerting') -> str:
    post_event(client, bot, call_event('C1', state, 'received', '2026-01-01T10:00:00.000Z'))
    message_id = bot.core.conversation.presses.monitor.live_card(USER_ID, 'C1')
    assert message_id
    webex.reset()
    return message_id


def press(client, webex, message_id: str, inputs: dict, person_id: str = USER_ID) -> list:
    body = webex.action_notification(message_id, inputs, person_id=person_id)
    assert client.post('/', data=body, headers=webex.signed(body)).status_code == 200
    return [r['markdown'] for r in webex.replies()]


@pytest.mark.parametrize('action, path, body', [
    ('answer', 'answer', {'callId': 'C1'}),
    ('decline', 'reject', {'callId': 'C1', 'action': 'busy'}),
    ('voicemail', 'divert', {'callId': 'C1', 'toVoicemail': True}),
])
def test_buttons_on_a_ringing_call(client, webex, bot, action, path, body):
    message_id = live_card(client, webex, bot)
    webex.add('POST', f'/telephony/calls/{path}', status=204)
    assert press(client, webex, message_id, {'action': action, 'owner': USER_ID, 'callId': 'C1'}) == []
    assert [(s.method, s.path, s.identity) for s in webex.sent()] == [
        ('GET', webex.sent()[0].path, 'bot'), ('POST', f'/telephony/calls/{path}', 'user')]
    assert webex.sent()[0].path.startswith('/attachment/actions/')
    assert webex.sent()[1].body == body


def test_transfer_button_uses_the_typed_number(client, webex, bot):
    message_id = live_card(client, webex, bot, 'connected')
    webex.add('POST', '/telephony/calls/transfer', status=201, json_body={'callId': 'N', 'callSessionId': 'S'})
    press(client, webex, message_id, {'action': 'transfer', 'owner': USER_ID, 'callId': 'C1', 'destination': '2000'})
    assert [s.body for s in webex.sent() if s.path == '/telephony/calls/transfer'] == [
        {'callId1': 'C1', 'destination': '2000'}]
    webex.reset()
    [reply] = press(client, webex, message_id, {'action': 'transfer', 'owner': USER_ID, 'callId': 'C1',
                                                'destination': ''})
    assert reply.startswith('Usage: type a number into "Transfer to"')


def test_press_by_someone_else_is_refused(client, webex, bot):
    message_id = live_card(client, webex, bot)
    replies = press(client, webex, message_id, {'action': 'answer', 'owner': USER_ID, 'callId': 'C1'},
                    person_id='MALLORY')
    assert replies == ['This card is not yours: only the person it was sent to can use its buttons.']
    assert not [s for s in webex.sent() if s.path.startswith('/telephony')]


def test_press_on_a_stale_or_ended_call_says_so(client, webex, bot):
    message_id = live_card(client, webex, bot)
    assert press(client, webex, 'OLD-CARD', {'action': 'answer', 'owner': USER_ID, 'callId': 'C1'}) == [
        'That call has ended.']
    webex.reset()
    webex.error('POST', '/telephony/calls/answer', 404, 'Call not found.')
    assert press(client, webex, message_id, {'action': 'answer', 'owner': USER_ID, 'callId': 'C1'}) == [
        'That call has ended.']


def test_call_back_button(client, webex, bot):
    webex.add('POST', '/telephony/calls/dial', status=201, json_body={'callId': 'N', 'callSessionId': 'S'})
    [reply] = press(client, webex, 'HISTORY-CARD', {'action': 'callback', 'owner': USER_ID, 'number': '1001'})
    assert reply.startswith('Dialing 1001')
    assert [s.body for s in webex.sent() if s.path == '/telephony/calls/dial'] == [{'destination': '1001'}]


def test_press_without_tokens(client, webex, bot):
    bot.core.stores.tokens.clear_user_context(USER_ID)
    assert press(client, webex, 'X', {'action': 'callback', 'owner': USER_ID, 'number': '1001'}) == [
        'You are not authenticated. Use /auth command first']
    assert isinstance(user_context(), UserContext)
