"""
Formatting: escaping of outside text, message splitting, call events.
"""
import datetime

import pytest
from wxc_sdk.telephony.calls import TelephonyCall

from wxc_cc import replies
from wxc_cc.locales import catalogue_for

pytestmark = pytest.mark.unit

SAY = replies.Replies(catalogue_for('en_US'))


@pytest.mark.parametrize('text, expected', [
    ('Henry Green', 'Henry Green'),
    ('**bold** _it_ `code`', r'\*\*bold\*\* \_it\_ \`code\`'),
    ('[x](http://evil)', r'\[x\]\(http://evil\)'),
    ('<@personEmail:boss@example.com>', r'\<@personEmail:boss@example\.com\>'),
    ('line\n# heading', r'line \# heading'),
    ('+1-408', r'\+1\-408'),
    (None, ''),
])
def test_escape(text, expected):
    assert replies.escape(text) == expected


def test_split_keeps_short_messages_whole():
    assert replies.split_message('a\nb') == ['a\nb']


def test_split_at_line_breaks_within_the_byte_limit():
    lines = [f'line {i} ' + 'é' * 50 for i in range(300)]
    parts = replies.split_message('\n'.join(lines))
    assert len(parts) > 1
    assert all(len(part.encode()) <= replies.MAX_MESSAGE_BYTES for part in parts)
    assert '\n'.join(parts).splitlines() == lines


def test_split_cuts_an_overlong_line_on_character_boundaries():
    text = '€' * 5000  # 15000 bytes, one line
    parts = replies.split_message(text)
    assert [len(part.encode()) <= replies.MAX_MESSAGE_BYTES for part in parts] == [True, True, True]
    assert ''.join(parts) == text


def test_html_page_escapes():
    page = replies.html_page('<b>', 'a & <script>')
    assert '<script>' not in page and '&lt;script&gt;' in page and '&lt;b&gt;' in page


def make_call(**overrides) -> TelephonyCall:
    data = {'callId': 'C1', 'callSessionId': 'S1', 'personality': 'originator', 'state': 'connected',
            'remoteParty': {'name': 'Ann', 'number': '1001', 'privacyEnabled': False, 'callType': 'external'},
            'created': '2026-01-01T10:00:00Z', 'answered': '2026-01-01T10:00:05Z'}
    data.update(overrides)
    return TelephonyCall.model_validate(data)


def test_call_event_details():
    call = make_call(recordingState='started')
    text = SAY.call_event(call, 'connected', datetime.datetime(2026, 1, 1, 10, 0, 5, tzinfo=datetime.UTC))
    assert text.splitlines() == [
        '📞 **Connected outgoing call to Ann (1001)**',
        '- event: connected at Jan 1, 2026, 10:00:05\u202fAM UTC',
        '- state: connected, personality: originator',
        '- remote party: Ann (1001), call type external',
        '- answered: Jan 1, 2026, 10:00:05\u202fAM UTC',
        '- recording: started',
        '- call id: `C1`']


def test_private_caller():
    call = make_call(personality='terminator', state='alerting', remoteParty={'privacyEnabled': True})
    assert SAY.call_summary(call) == 'alerting incoming call from a private number'
