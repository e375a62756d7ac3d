"""
Your own clock: every time the bot shows is in the person's own time zone (``timezone`` of ``GET /people/me``,
kept with their tokens), written for the deployment's locale by Babel, the zone named; without a zone, UTC, named.
For ``en_US`` and ``de_DE``, a person in ``Asia/Tokyo`` and one without a zone: /history (text and card),
/voicemail list, /auth, call events and their cards, /me, /redis info; the zone read at authorization, again when
the reading is a day old (a controllable clock), on /me, and kept when Webex does not answer.
"""
import datetime
import json
import logging
from typing import Optional

import pytest

from tests.adaptivecard import validate_card
from tests.conftest import settings_values
from tests.test_settings_commands import DND, FORWARDING, ME, PROFILE, forwarding, phone_menu
from tests.webexmock import USER_ID, USER_TOKEN, call_event, chat, user_context, user_tokens
from wxc_cc.clock import Clock
from wxc_cc.config import Settings, load_settings
from wxc_cc.signature import derive_secret, sign
from wxc_cc.stores import UserContext, YAMLTokenManager
from wxc_cc.timezones import MAX_AGE, TimeZones
from wxc_cc.webex import WebexClients

pytestmark = pytest.mark.unit

UTC = datetime.timezone.utc
NNBSP = '\u202f'  # CLDR's narrow no-break space before AM and PM
TOKYO = 'Asia/Tokyo'

#: the deployment's locale, as the settings fixture takes it
ENGLISH, GERMAN = {'LOCALE': 'en_US'}, {'LOCALE': 'de_DE'}
BOTH = pytest.mark.parametrize('settings', [ENGLISH, GERMAN], indirect=True, ids=['en_US', 'de_DE'])


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def store(bot, timezone: Optional[str] = None, read: Optional[datetime.datetime] = None, **tokens) -> UserContext:
    """The test user in the bot's store, their zone read at ``read`` (default: just now)."""
    context = user_context(timezone=timezone)
    if read is not None:
        context.timezone_read = read
    context.tokens = context.tokens.model_copy(update=tokens)
    bot.core.stores.tokens.set_user_context(context)
    return context


# --- the clock alone


@pytest.mark.parametrize('locale, zone, time, table, name', [
    ('en_US', TOKYO, f'Jan 8, 2026, 5:30:15{NNBSP}AM GMT+09:00', f'Jan 8, 2026, 5:30{NNBSP}AM', 'Japan Time'),
    ('en_US', None, f'Jan 7, 2026, 8:30:15{NNBSP}PM UTC', f'Jan 7, 2026, 8:30{NNBSP}PM', 'UTC'),
    ('de_DE', TOKYO, '08.01.2026, 05:30:15 GMT+09:00', '08.01.2026, 05:30', 'Japanische Zeit'),
    ('de_DE', None, '07.01.2026, 20:30:15 UTC', '07.01.2026, 20:30', 'UTC'),
    ('en_US', 'America/New_York', f'Jan 7, 2026, 3:30:15{NNBSP}PM EST', f'Jan 7, 2026, 3:30{NNBSP}PM',
     'Eastern Time'),
    ('de_DE', 'Europe/Berlin', '07.01.2026, 21:30:15 MEZ', '07.01.2026, 21:30', 'Mitteleuropäische Zeit'),
    ('de_DE', 'Etc/GMT-9', '08.01.2026, 05:30:15 GMT+09:00', '08.01.2026, 05:30', 'GMT+09:00'),
    ('en_US', 'Mars/Olympus_Mons', f'Jan 7, 2026, 8:30:15{NNBSP}PM UTC', f'Jan 7, 2026, 8:30{NNBSP}PM', 'UTC'),
])
def test_a_clock_writes_times_in_the_zone_for_the_locale(locale, zone, time, table, name):
    clock = Clock(locale, zone)
    moment = at('2026-01-07T20:30:15')
    assert (clock.time(moment), clock.table_time(moment), clock.zone_name()) == (time, table, name)
    assert clock.zone == (None if zone == 'Mars/Olympus_Mons' else zone), 'an unknown zone is shown as UTC'


def test_a_time_names_the_zone_as_it_is_then():
    berlin = Clock('de_DE', 'Europe/Berlin')
    assert berlin.time(at('2026-07-07T20:30:15')) == '07.07.2026, 22:30:15 MESZ'
    assert berlin.time(at('2026-01-07T20:30:15')) == '07.01.2026, 21:30:15 MEZ'
    assert berlin.zone_name() == 'Mitteleuropäische Zeit', 'a heading names the zone whatever the season'
    assert Clock('en_US', TOKYO).time(datetime.datetime(2026, 1, 7, 20, 30, 15)) == \
        f'Jan 8, 2026, 5:30:15{NNBSP}AM GMT+09:00', 'a time without zone is UTC, as Webex writes them'


# --- what the bot shows, by locale and zone

HISTORY = [{'type': 'missed', 'number': '+14085550000', 'privacyEnabled': False, 'time': '2026-01-06T03:05:00.000Z'},
           {'type': 'placed', 'name': 'Ann', 'number': '1001', 'privacyEnabled': False,
            'time': '2026-01-07T20:30:00.000Z'}]

#: (locale, zone) -> the heading and the rows of /history
HISTORY_SHOWN = {
    ('en_US', TOKYO): ('Call history: 2 calls, newest first', 'Japan Time',
                       [f'Jan 8, 2026, 5:30{NNBSP}AM   placed    Ann (1001)',
                        f'Jan 6, 2026, 12:05{NNBSP}PM  missed    +14085550000']),
    ('en_US', None): ('Call history: 2 calls, newest first', 'UTC',
                      [f'Jan 7, 2026, 8:30{NNBSP}PM  placed    Ann (1001)',
                       f'Jan 6, 2026, 3:05{NNBSP}AM  missed    +14085550000']),
    ('de_DE', TOKYO): ('Anrufliste: 2 Anrufe, neueste zuerst', 'Japanische Zeit',
                       ['08.01.2026, 05:30  placed    Ann (1001)',
                        '06.01.2026, 12:05  missed    +14085550000']),
    ('de_DE', None): ('Anrufliste: 2 Anrufe, neueste zuerst', 'UTC',
                      ['07.01.2026, 20:30  placed    Ann (1001)',
                       '06.01.2026, 03:05  missed    +14085550000']),
}


@BOTH
@pytest.mark.parametrize('zone', [TOKYO, None], ids=['Tokyo', 'no zone'])
def test_history_in_the_persons_zone(client, webex, bot, settings, zone):
    store(bot, zone)
    webex.add('GET', '/telephony/calls/history', json_body={'items': HISTORY})
    title, zone_name, rows = HISTORY_SHOWN[settings.locale, zone]
    [reply] = chat(client, webex, '/history')
    assert reply.splitlines() == [f'**{title}** ({zone_name})', '```', *rows, '```']
    card = webex.replies()[0]['attachments'][0]['content']
    validate_card(card)
    assert card['body'][0]['text'] == f'{title} ({zone_name})'
    assert [row['items'][0]['columns'][0]['items'][0]['text'] for row in card['body'][1:]] == \
        [row.split('  ')[0].strip() for row in rows]
    assert [(s.method, s.path, s.identity) for s in webex.sent()][1:] == [
        ('GET', '/telephony/calls/history', 'user'), ('POST', '/messages', 'bot')], 'the zone was read just now'


VOICEMAILS = [{'id': 'VM1', 'duration': 65, 'read': False, 'urgent': False, 'created': '2026-01-03T10:00:00.000Z',
               'callingParty': {'name': 'Caller 1', 'number': '101'}}]
VOICEMAIL_SHOWN = {
    ('en_US', TOKYO): ['**Voice messages** (1, newest first, Japan Time)',
                       f'1. **new** · Jan 3, 2026, 7:00{NNBSP}PM · Caller 1 (101) · 1:05'],
    ('en_US', None): ['**Voice messages** (1, newest first, UTC)',
                      f'1. **new** · Jan 3, 2026, 10:00{NNBSP}AM · Caller 1 (101) · 1:05'],
    ('de_DE', TOKYO): ['**Sprachnachrichten** (1, neueste zuerst, Japanische Zeit)',
                       '1. **neu** · 03.01.2026, 19:00 · Caller 1 (101) · 1:05'],
    ('de_DE', None): ['**Sprachnachrichten** (1, neueste zuerst, UTC)',
                      '1. **neu** · 03.01.2026, 10:00 · Caller 1 (101) · 1:05'],
}


@BOTH
@pytest.mark.parametrize('zone', [TOKYO, None], ids=['Tokyo', 'no zone'])
def test_voicemail_list_in_the_persons_zone(client, webex, bot, settings, zone):
    store(bot, zone)
    webex.add('GET', '/telephony/voiceMessages', json_body={'items': VOICEMAILS})
    assert chat(client, webex, '/voicemail list')[0].splitlines() == VOICEMAIL_SHOWN[settings.locale, zone]


AUTH_SHOWN = {
    ('en_US', TOKYO): f'Access token valid until Jul 1, 2099, 9:00:00{NNBSP}PM GMT+09:00, refresh token until '
                      f'Sep 29, 2099, 7:15:00{NNBSP}AM GMT+09:00.',
    ('en_US', None): f'Access token valid until Jul 1, 2099, 12:00:00{NNBSP}PM UTC, refresh token until '
                     f'Sep 28, 2099, 10:15:00{NNBSP}PM UTC.',
    ('de_DE', TOKYO): 'Zugriffstoken gültig bis 01.07.2099, 21:00:00 GMT+09:00, Aktualisierungstoken bis '
                      '29.09.2099, 07:15:00 GMT+09:00.',
    ('de_DE', None): 'Zugriffstoken gültig bis 01.07.2099, 12:00:00 UTC, Aktualisierungstoken bis '
                     '28.09.2099, 22:15:00 UTC.',
}


@BOTH
@pytest.mark.parametrize('zone', [TOKYO, None], ids=['Tokyo', 'no zone'])
def test_auth_shows_the_expiry_in_the_persons_zone(client, webex, bot, settings, zone):
    store(bot, zone, expires_at=at('2099-07-01T12:00:00'), refresh_token_expires_at=at('2099-09-28T22:15:00'))
    [reply] = chat(client, webex, '/auth')
    assert reply.splitlines()[1].strip() == AUTH_SHOWN[settings.locale, zone]


CALL_SHOWN = {
    ('en_US', TOKYO): (f'- event: received at Jan 1, 2026, 7:00:00{NNBSP}PM GMT+09:00',
                       f'Jan 1, 2026, 6:59:30{NNBSP}PM GMT+09:00'),
    ('en_US', None): (f'- event: received at Jan 1, 2026, 10:00:00{NNBSP}AM UTC',
                      f'Jan 1, 2026, 9:59:30{NNBSP}AM UTC'),
    ('de_DE', TOKYO): ('- Ereignis: received, 01.01.2026, 19:00:00 GMT+09:00', '01.01.2026, 18:59:30 GMT+09:00'),
    ('de_DE', None): ('- Ereignis: received, 01.01.2026, 10:00:00 UTC', '01.01.2026, 09:59:30 UTC'),
}


def post_event(client, bot, body: bytes) -> None:
    secret = derive_secret(bot.settings.webhook_secret, f'callevent:{USER_ID}')
    assert client.post(f'/callevent/{USER_ID}', data=body,
                       headers={'X-Spark-Signature': sign(secret, body)}).status_code == 200


def event_created_at(created: str) -> bytes:
    """A call event whose call was created at ``created``."""
    body = json.loads(call_event('C1', 'alerting', 'received', '2026-01-01T10:00:00.000Z', event='created'))
    body['data']['created'] = created
    return json.dumps(body).encode()


@BOTH
@pytest.mark.parametrize('zone', [TOKYO, None], ids=['Tokyo', 'no zone'])
def test_call_events_and_cards_in_the_persons_zone(client, webex, bot, settings, zone):
    store(bot, zone)
    post_event(client, bot, event_created_at('2026-01-01T09:59:30.000Z'))
    [message] = webex.replies()
    when, since = CALL_SHOWN[settings.locale, zone]
    assert message['markdown'].splitlines()[1] == when
    card = message['attachments'][0]['content']
    validate_card(card)
    [facts] = [item['facts'] for item in card['body'] if item['type'] == 'FactSet']
    assert facts[-1] == {'title': 'Since' if settings.locale == 'en_US' else 'Seit', 'value': since}
    assert webex.summary() == [('POST', '/messages', 'bot')]


# --- reading the zone


@BOTH
def test_authorization_reads_and_keeps_the_zone(client, webex, bot, settings):
    flow = bot.core.stores.flows.start(USER_ID)
    webex.add('POST', '/access_token', json_body={'access_token': USER_TOKEN, 'expires_in': 1209600,
                                                  'token_type': 'Bearer', 'refresh_token': 'r',
                                                  'refresh_token_expires_in': 7776000})
    webex.user_me(timezone=TOKYO)
    before = datetime.datetime.now(UTC)
    assert client.get(f'/redirect?code=c&state={flow}').status_code == 200
    stored = bot.core.stores.tokens.get_user_context(USER_ID)
    assert stored.timezone == TOKYO and before <= stored.timezone_read <= datetime.datetime.now(UTC)
    [told] = webex.replies()
    access = stored.tokens.expires_at.astimezone(datetime.timezone(datetime.timedelta(hours=9)))
    hour = access.strftime('%I').lstrip('0')
    assert (f'{access:%b} {access.day}, {access.year}, {hour}:{access:%M:%S}{NNBSP}{access:%p} GMT+09:00'
            if settings.locale == 'en_US' else f'{access:%d.%m.%Y, %H:%M:%S} GMT+09:00') in told['markdown']
    assert [(s.method, s.path, s.identity) for s in webex.sent()] == [
        ('POST', '/access_token', 'none'), ('GET', '/people/me', 'user'), ('POST', '/messages', 'bot')]

    # the next command needs no second reading
    webex.reset()
    webex.add('GET', '/telephony/calls/history', json_body={'items': HISTORY})
    assert chat(client, webex, '/history')[0].startswith(f'**{HISTORY_SHOWN[settings.locale, TOKYO][0]}** (')
    assert '/people/me' not in [s.path for s in webex.sent()]


def test_a_reading_a_day_old_is_read_again_before_the_command(client, webex, bot):
    store(bot, None, read=datetime.datetime.now(UTC) - datetime.timedelta(seconds=MAX_AGE + 60))
    webex.user_me(timezone=TOKYO)
    webex.add('GET', '/telephony/calls/history', json_body={'items': HISTORY})
    [reply] = chat(client, webex, '/history')
    assert reply.splitlines()[0] == '**Call history: 2 calls, newest first** (Japan Time)'
    assert [(s.method, s.path, s.identity) for s in webex.sent()][1:] == [
        ('GET', '/people/me', 'user'), ('GET', '/telephony/calls/history', 'user'), ('POST', '/messages', 'bot')]
    assert bot.core.stores.tokens.get_user_context(USER_ID).timezone == TOKYO


def test_a_reading_less_than_a_day_old_is_used(client, webex, bot):
    store(bot, None, read=datetime.datetime.now(UTC) - datetime.timedelta(seconds=MAX_AGE - 60))
    webex.user_me(timezone=TOKYO)
    webex.add('GET', '/telephony/calls/history', json_body={'items': HISTORY})
    assert chat(client, webex, '/history')[0].splitlines()[0] == '**Call history: 2 calls, newest first** (UTC)'
    assert '/people/me' not in [s.path for s in webex.sent()]


def test_a_call_event_reads_a_day_old_reading_again(client, webex, bot):
    store(bot, None, read=datetime.datetime.now(UTC) - datetime.timedelta(days=2))
    webex.user_me(timezone=TOKYO)
    post_event(client, bot, event_created_at('2026-01-01T09:59:30.000Z'))
    assert webex.summary() == [('GET', '/people/me', 'user'), ('POST', '/messages', 'bot')]
    assert webex.replies()[0]['markdown'].splitlines()[1] == CALL_SHOWN['en_US', TOKYO][0]


def test_a_record_from_before_the_zone_is_read_at_its_first_command(client, webex, bot):
    bot.core.stores.tokens.set_user_context(UserContext(user_id=USER_ID, tokens=user_tokens()))
    webex.user_me(timezone=TOKYO)
    webex.add('GET', '/telephony/calls/history', json_body={'items': HISTORY})
    assert chat(client, webex, '/history')[0].splitlines()[0].endswith('(Japan Time)')
    assert [s.path for s in webex.sent()][1:3] == ['/people/me', '/telephony/calls/history']


def me_reads(webex) -> None:
    """What /me reads besides the time zone: the profile, Do Not Disturb, forwarding, the phone menu."""
    webex.add('GET', ME, json_body=PROFILE)
    webex.add('GET', DND, json_body={'enabled': False, 'ringSplashEnabled': False, 'webexGoOverrideEnabled': False})
    webex.add('GET', FORWARDING, json_body=forwarding())
    phone_menu(webex)


@pytest.mark.parametrize('settings, zone, line', [
    (ENGLISH, TOKYO, 'Time zone: Japan Time (Asia/Tokyo)'),
    (ENGLISH, None, 'Time zone: none set in Webex, so I show times in UTC'),
    (ENGLISH, 'Mars/Olympus_Mons', r'Time zone: Mars/Olympus\_Mons, which I do not know, so I show times in UTC'),
    (GERMAN, TOKYO, 'Zeitzone: Japanische Zeit (Asia/Tokyo)'),
    (GERMAN, None, 'Zeitzone: in Webex keine festgelegt, daher zeige ich Zeiten in UTC'),
], indirect=['settings'])
def test_me_reads_the_zone_again_and_shows_it(client, webex, bot, settings, zone, line):
    store(bot, 'Europe/Berlin')  # read just now, and changed since
    me_reads(webex)
    webex.user_me(timezone=zone)
    [reply] = chat(client, webex, '/me')
    assert reply.splitlines()[-1] == f'- {line}'
    assert [(s.method, s.path, s.identity) for s in webex.sent() if s.path == '/people/me'] == [
        ('GET', '/people/me', 'user')]
    assert bot.core.stores.tokens.get_user_context(USER_ID).timezone == zone


def test_me_with_a_zone_read_days_ago_reads_it_once(client, webex, bot):
    """A stale reading is not read before /me as before other commands: /me reads it itself, once."""
    store(bot, 'Europe/Berlin', read=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=3))
    me_reads(webex)
    webex.user_me(timezone=TOKYO)
    [reply] = chat(client, webex, '/me')
    assert reply.splitlines()[-1] == '- Time zone: Japan Time (Asia/Tokyo)'
    assert [(s.method, s.path, s.identity) for s in webex.sent() if s.path == '/people/me'] == [
        ('GET', '/people/me', 'user')]
    assert bot.core.stores.tokens.get_user_context(USER_ID).timezone == TOKYO


def redis_settings(request: pytest.FixtureRequest, tmp_path) -> Settings:
    server = request.getfixturevalue('redis_server')
    request.getfixturevalue('redis_client')  # emptied
    return load_settings(settings_values(token_file=str(tmp_path / 'wxc_cc_bot.yml'), REDIS_URL=server.url,
                                         LOCALE='de_DE'), environ={})


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path) -> Settings:
    """As tests/conftest.py's; ``'redis'`` as the parameter: the Redis store, in German."""
    if getattr(request, 'param', None) == 'redis':
        return redis_settings(request, tmp_path)
    return load_settings(settings_values(token_file=str(tmp_path / 'wxc_cc_bot.yml'),
                                         **getattr(request, 'param', {})), environ={})


@pytest.mark.parametrize('settings', ['redis'], indirect=True)
def test_redis_info_shows_the_times_in_the_zone_of_who_asks(client, webex, bot):
    store(bot, TOKYO, expires_at=at('2099-07-01T12:00:00'), refresh_token_expires_at=at('2099-09-28T22:15:00'))
    bob = user_context().model_copy(update={'user_id': 'BOB', 'email': 'bob@example.com', 'timezone': None})
    bob.tokens = bob.tokens.model_copy(update={'expires_at': at('2099-07-02T00:00:00'),
                                                'refresh_token_expires_at': at('2099-09-29T00:00:00')})
    bot.core.stores.tokens.set_user_context(bob)
    lines = chat(client, webex, '/redis info')[0].splitlines()
    assert lines[2:] == [
        r'- alice@example\.com (`ALICE\_PERSON\_ID`): Zugriffstoken bis 01.07.2099, 21:00:00 GMT+09:00, '
        'Aktualisierungstoken bis 29.09.2099, 07:15:00 GMT+09:00',
        r'- bob@example\.com (`BOB`): Zugriffstoken bis 02.07.2099, 09:00:00 GMT+09:00, '
        'Aktualisierungstoken bis 29.09.2099, 09:00:00 GMT+09:00']


# --- the daily reading, on a clock of the test's


class MovingClock:
    """A clock the test moves."""

    def __init__(self, start: datetime.datetime):
        self.now = start

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


@pytest.fixture
def kept(tmp_path, settings, webex):
    """TimeZones on a clock of the test's, over a YAML store holding the user as authorized at its start."""
    clock = MovingClock(at('2026-03-01T08:00:00'))
    tokens = YAMLTokenManager(tmp_path / 'zones.yml')
    tokens.set_user_context(user_context().model_copy(update={'timezone_read': clock.now}))
    clients = WebexClients(api_base=settings.api_base, bot_token=settings.bot_token)
    yield TimeZones(tokens=tokens, now=clock), clock, lambda user: clients.user(user.tokens, user.user_id)
    clients.close()


def test_the_zone_is_read_again_once_a_day(kept, webex):
    zones, clock, user_api = kept
    webex.user_me(timezone=TOKYO)
    user = zones.tokens.get_user_context(USER_ID)
    clock.advance(MAX_AGE - 1)
    assert zones.fresh(user, user_api) is user and webex.sent() == [], 'a day has not passed'
    clock.advance(1)
    user = zones.fresh(user, user_api)
    assert [(s.method, s.path, s.identity) for s in webex.sent()] == [('GET', '/people/me', 'user')]
    assert (user.timezone, user.timezone_read) == (TOKYO, at('2026-03-02T08:00:00'))
    assert zones.tokens.get_user_context(USER_ID) == user, 'kept with the tokens'
    clock.advance(MAX_AGE - 1)
    assert zones.fresh(user, user_api) is user and len(webex.sent()) == 1
    clock.advance(1)
    assert zones.fresh(user, user_api).timezone_read == at('2026-03-03T08:00:00') and len(webex.sent()) == 2


def test_when_webex_does_not_answer_the_zone_is_kept_and_asked_for_a_day_later(kept, webex, caplog):
    zones, clock, user_api = kept
    user = zones.tokens.update_user_context(USER_ID, timezone=TOKYO)
    webex.error('GET', '/people/me', 403, 'Not allowed')
    clock.advance(MAX_AGE)
    with caplog.at_level(logging.WARNING, logger='wxc_cc.timezones'):
        user = zones.fresh(user, user_api)
    assert (user.timezone, user.timezone_read) == (TOKYO, at('2026-03-02T08:00:00'))
    assert zones.tokens.get_user_context(USER_ID) == user
    assert [r.getMessage() for r in caplog.records if r.name == 'wxc_cc.timezones'] == [
        f'time zone of user {USER_ID} not read: 403 Not allowed']
    requests = len(webex.sent())
    clock.advance(3600)
    assert zones.fresh(user, user_api) is user and len(webex.sent()) == requests, 'not asked again within the day'


def test_a_reading_keeps_tokens_refreshed_meanwhile(kept, webex):
    zones, clock, user_api = kept
    webex.user_me(timezone=TOKYO)
    before = zones.tokens.get_user_context(USER_ID)
    # another worker refreshes the tokens while this one reads the zone with the old ones
    zones.tokens.set_user_context(before.model_copy(update={'tokens': user_tokens(access='new-access')}))
    clock.advance(MAX_AGE)
    after = zones.fresh(before, user_api)
    assert (after.timezone, after.tokens.access_token) == (TOKYO, 'new-access')
    assert zones.tokens.get_user_context(USER_ID).tokens.access_token == 'new-access'


def test_a_user_forgotten_meanwhile_is_not_stored_again(kept, webex):
    zones, clock, user_api = kept
    webex.user_me(timezone=TOKYO)
    user = zones.tokens.get_user_context(USER_ID)
    zones.tokens.clear_user_context(USER_ID)
    clock.advance(MAX_AGE)
    assert zones.fresh(user, user_api).timezone == TOKYO, 'shown in the zone once more'
    assert zones.tokens.get_user_context(USER_ID) is None
