"""
End to end, your own clock: the real bot under gunicorn in English and in German, against the Webex emulator with
Alice in Asia/Tokyo and Bob without a time zone. Both authorize; /history shows Alice's missed call in Japan's time
and Bob's in UTC, each named, with no extra request; Bob's zone changed in Webex shows after /me reads it again.
"""
import datetime

import pytest

from tests.e2e import Chat, calls_made

pytestmark = pytest.mark.e2e

#: Japan keeps one offset all year
JAPAN = datetime.timezone(datetime.timedelta(hours=9))

#: locale -> (what /auth's link and its outcome say, the history heading for one call, the zone names, /me's line)
SAYS = {
    'en_US': (('to authorize me', 'Authorized as'), 'Call history: 1 call, newest first', ('Japan Time', 'UTC'),
              'Time zone: Japan Time (Asia/Tokyo)'),
    'de_DE': (('um mir zu erlauben', 'Berechtigt als'), 'Anrufliste: 1 Anruf, neueste zuerst',
              ('Japanische Zeit', 'UTC'), 'Zeitzone: Japanische Zeit (Asia/Tokyo)'),
}


def written(moment: datetime.datetime, locale: str) -> str:
    """A time in a table as the locale writes it: medium date, short time (CLDR's patterns, written out here)."""
    if locale == 'en_US':
        return f'{moment:%b} {moment.day}, {moment.year}, {moment.hour % 12 or 12}:{moment:%M}\u202f{moment:%p}'
    return f'{moment:%d.%m.%Y, %H:%M}'


def missed_call(fake, person) -> datetime.datetime:
    """A call to ``person`` that nobody answers; when Webex's history says it was."""
    fake.ring_out(person, fake.ring(person, 'Henry Green', '7101'))
    [record] = fake.history(person)
    assert record['type'] == 'missed'
    return datetime.datetime.fromisoformat(record['time'].replace('Z', '+00:00'))


def history(chat: Chat, fake, heading: str) -> tuple[list[str], list]:
    """/history's lines, and the requests it took."""
    mark = fake.mark()
    lines = chat.say('/history', heading).splitlines()
    return lines, calls_made(fake, mark, 3)


@pytest.mark.parametrize('locale', ['en_US', 'de_DE'])
def test_history_in_each_persons_own_time(fake, e2e, locale):
    (asked, done), heading, (japan, utc), me_line = SAYS[locale]
    bot = e2e.bot
    alice = fake.add_person('alice@example.com', 'Alice Anders', extension='1001', timezone='Asia/Tokyo')
    bob = fake.add_person('bob@example.com', 'Bob Brown', extension='1002')
    e2e.start(LOCALE=locale)
    alice_chat, bob_chat = e2e.chat(alice), e2e.chat(bob)
    alice_chat.authorize(texts=(asked, done))
    bob_chat.authorize(texts=(asked, done))
    alice_missed, bob_missed = missed_call(fake, alice), missed_call(fake, bob)

    lines, requests = history(alice_chat, fake, heading)
    assert lines == [f'**{heading}** ({japan})', '```',
                     f'{written(alice_missed.astimezone(JAPAN), locale)}  missed    Henry Green (7101)', '```']
    assert requests == [('GET', '/messages/{id}', bot.email), ('GET', '/telephony/calls/history', alice.email),
                        ('POST', '/messages', bot.email)], 'the zone read at authorization is used'

    lines, _ = history(bob_chat, fake, heading)
    assert lines[0] == f'**{heading}** ({utc})'
    assert lines[2] == f'{written(bob_missed, locale)}  missed    Henry Green (7101)'
    [card] = [m['attachments'][0]['content'] for m in fake.messages(person=bob)
              if m['personId'] == bot.id and m.get('attachments')]
    assert card['body'][0]['text'] == f'{heading} ({utc})'

    # Bob's zone is set in Webex: the bot keeps its reading for a day, /me reads it again
    fake.set_timezone(bob, 'Asia/Tokyo')
    assert history(bob_chat, fake, heading)[0][0] == f'**{heading}** ({utc})'
    mark = fake.mark()
    assert bob_chat.say('/me', me_line.split(':')[0]).splitlines()[-1] == f'- {me_line}'
    assert ('GET', '/people/me', bob.email) in calls_made(fake, mark, 6)
    lines, _ = history(bob_chat, fake, heading)
    assert lines[0] == f'**{heading}** ({japan})'
    assert lines[2] == f'{written(bob_missed.astimezone(JAPAN), locale)}  missed    Henry Green (7101)'
