"""
/broadcast: who may, which spaces, the sender's identity, the first file (a JSON card as a card), announcement
spaces, and the summary.
"""
import json

import pytest
import responses

from tests.adaptivecard import validate_card
from tests.conftest import API
from tests.webexmock import BOT_ID, BOT_ORG, USER_ID, chat, webex_time
from wxc_cc.cards import card

pytestmark = pytest.mark.unit

SPACES = [{'id': 'OURS', 'title': 'Our team', 'type': 'group', 'ownerId': BOT_ORG, 'isAnnouncementOnly': False},
          {'id': 'THEIRS', 'title': 'Partner', 'type': 'group', 'ownerId': 'OTHER_ORG', 'isAnnouncementOnly': False},
          {'id': 'NEWS', 'title': 'News', 'type': 'group', 'ownerId': BOT_ORG, 'isAnnouncementOnly': True}]
CARD = card([{'type': 'TextBlock', 'text': 'Fire drill at 10:00'}])


@pytest.fixture
def spaces(webex):
    webex.add('GET', '/rooms', json_body={'items': SPACES})
    webex.add('GET', '/memberships', json_body={'items': [{'id': 'M', 'roomId': 'NEWS', 'personId': BOT_ID,
                                                           'isModerator': False}]})


def refuse_cards_in(webex, room_id: str, status: int, error: dict, cards_only: bool = True) -> None:
    """POST /messages answers ``status`` for JSON posts (with a card, if ``cards_only``) to ``room_id``."""
    webex.rsps.remove(responses.POST, f'{API}/messages')

    def answer(request):
        try:
            body = json.loads(request.body)
        except (TypeError, ValueError):
            return webex._message_created(request)
        if body.get('roomId') == room_id and (body.get('attachments') or not cards_only):
            return status, {}, json.dumps(error)
        return webex._message_created(request)
    webex.rsps.add_callback(responses.POST, f'{API}/messages', callback=answer, content_type='application/json')


def posted(webex) -> list[dict]:
    return [s.body for s in webex.sent() if (s.method, s.path) == ('POST', '/messages') and 'roomId' in s.body
            and s.body['roomId'] != 'DIRECT_ROOM_ALICE']


@pytest.mark.parametrize('policy', [{'admins': ['root@example.com']}])
def test_only_admins_and_broadcast_senders(client, webex):
    assert chat(client, webex, '/broadcast hello') == [
        "Only the bot's administrators and the configured broadcast senders may use /broadcast."]
    assert '/rooms' not in [s.path for s in webex.sent()]


def test_broadcast_to_the_bots_organisation(client, webex, spaces, bot):
    bot.core.stores.coordination.set_note('added-by:NEWS', 'ADDER', 60)
    *_, summary = chat(client, webex, '/broadcast Lunch is *served*')
    assert summary.splitlines() == ['Broadcast: sent to 1 space(s), skipped 1, failed 0.',
                                    '- skipped News: announcement mode, and I am not a moderator (asked ADDER to '
                                    'make me one)']
    [message] = posted(webex)
    assert message['roomId'] == 'OURS'
    assert message['markdown'] == '**Broadcast from alice@example\\.com:**\n\nLunch is *served*'
    [ask] = [r for r in webex.replies() if r.get('toPersonId') == 'ADDER']
    assert 'make me a moderator' in ask['markdown']
    assert [s.query for s in webex.sent() if s.path == '/rooms'] == [{'type': 'group'}]


@pytest.mark.parametrize('policy', [{'admins': ['alice@example.com'], 'broadcast': {'destinations': 'all'}}])
def test_broadcast_to_all_spaces(client, webex, spaces):
    summary = chat(client, webex, '/broadcast hello')[-1]
    assert summary.startswith('Broadcast: sent to 2 space(s), skipped 1, failed 0.')
    assert [m['roomId'] for m in posted(webex)] == ['OURS', 'THEIRS']


@pytest.mark.parametrize('policy', [{'broadcast': {'senders': ['alice@example.com'], 'destinations': 'senders_org'}}])
def test_broadcast_to_the_senders_organisation(client, webex, spaces):
    webex.add('GET', f'/people/{USER_ID}', json_body={'id': USER_ID, 'emails': ['alice@example.com'],
                                                     'orgId': 'OTHER_ORG'})
    chat(client, webex, '/broadcast hello')
    assert [m['roomId'] for m in posted(webex)] == ['THEIRS']


def with_file(webex, name: str, content: bytes, content_type: str) -> None:
    url = f'{API}/contents/FILE1'
    webex.add('GET', '/contents/FILE1', body=content, content_type=content_type,
              headers={'Content-Disposition': f'attachment; filename="{name}"'})
    original = webex.message_notification

    def notification(text, **kwargs):
        body = original(text, **kwargs)
        message_id = json.loads(body)['data']['id']
        webex.rsps.replace(responses.GET, f'{API}/messages/{message_id}', json={
            'id': message_id, 'roomId': 'DIRECT_ROOM_ALICE', 'roomType': 'direct', 'text': text, 'files': [url],
            'personId': USER_ID, 'personEmail': 'alice@example.com', 'created': webex_time()})
        return body
    webex.message_notification = notification


def test_a_json_card_file_goes_as_a_card(client, webex, spaces):
    with_file(webex, 'drill.json', json.dumps(CARD).encode(), 'application/json')
    chat(client, webex, '/broadcast Please read')
    [message] = posted(webex)
    assert message['attachments'] == [{'contentType': 'application/vnd.microsoft.card.adaptive', 'content': CARD}]
    validate_card(message['attachments'][0]['content'])
    [download] = [s for s in webex.sent() if s.path == '/contents/FILE1']
    assert download.identity == 'bot'


def test_a_refused_card_goes_as_a_file(client, webex, spaces):
    with_file(webex, 'drill.json', json.dumps(CARD).encode(), 'application/json')
    refuse_cards_in(webex, 'OURS', 400, {'message': 'Invalid card'})
    chat(client, webex, '/broadcast Please read')
    uploads = [c.request for c in webex.rsps.calls if c.request.url.endswith('/messages')
               and 'multipart/form-data' in c.request.headers.get('Content-Type', '')]
    assert len(uploads) == 1
    body = uploads[0].body if isinstance(uploads[0].body, bytes) else uploads[0].body.to_string()
    assert b'filename="drill.json"' in body and b'OURS' in body


def test_other_files_go_along(client, webex, spaces):
    with_file(webex, 'agenda.pdf', b'%PDF-1.4 agenda', 'application/pdf')
    summary = chat(client, webex, '/broadcast Agenda attached')[-1]
    assert summary.startswith('Broadcast: sent to 1 space(s)')
    uploads = [c for c in webex.rsps.calls if 'multipart/form-data' in c.request.headers.get('Content-Type', '')]
    assert len(uploads) == 1


def test_failures_are_reported(client, webex, spaces):
    refuse_cards_in(webex, 'OURS', 403, {'message': 'Not a member',
                                         'errors': [{'description': 'The bot is not allowed to post here.'}]},
                    cards_only=False)
    summary = chat(client, webex, '/broadcast hello')[-1]
    assert summary.splitlines()[0] == 'Broadcast: sent to 0 space(s), skipped 1, failed 1.'
    assert '- failed Our team: 403 The bot is not allowed to post here\\.' in summary.splitlines()


def test_nothing_to_broadcast(client, webex):
    assert chat(client, webex, '/broadcast')[0].startswith('Usage: /broadcast <message>')
