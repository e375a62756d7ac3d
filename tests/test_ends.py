"""
Settings that undo themselves, with Webex faked by `responses`: ``for <duration>`` and ``until <time>`` after /dnd,
/forward and /queue (the exact requests, the reply in the person's zone and language, the pending end queued with
what to put back), the clause's errors and the limits, a timed change replacing the pending end of its setting and a
plain change withdrawing it, /timers and /me, and an end carried out (by the bot's own worker, once it is due): put
back, already back, changed meanwhile (left alone), no tokens any more, Webex refusing, late.
"""
import dataclasses
import datetime
import time
from typing import Optional
from zoneinfo import ZoneInfo

import pytest

from tests.test_phone_commands import FRONT, QUEUES, SALES, SUPPORT, agent
from tests.test_settings_commands import DND, FORWARDING, forwarding, requests_to, written
from tests.webexmock import USER_ID, chat, user_context
from wxc_cc.ends import MAX_PENDING, End
from wxc_cc.restorer import BACK, CHANGED, GONE, PUT_BACK, decide
from wxc_cc.commands.undoable import CALL_FORWARDING, CALL_QUEUES, DO_NOT_DISTURB

pytestmark = pytest.mark.unit

ENGLISH, GERMAN = {'LOCALE': 'en_US'}, {'LOCALE': 'de_DE'}
TOKYO, NEW_YORK = 'Asia/Tokyo', 'America/New_York'
OFF, ON = {'enabled': False, 'ringSplashEnabled': False, 'webexGoOverrideEnabled': False}, \
    {'enabled': True, 'ringSplashEnabled': False, 'webexGoOverrideEnabled': False}
DND_ON = 'Do Not Disturb is now on: callers hear busy (or go where your busy forwarding sends them).'
DND_USAGE = 'Usage: /dnd [on|off] [for <duration> | until <time>]'


def authorize(bot, timezone: Optional[str] = None) -> None:
    bot.core.stores.tokens.set_user_context(user_context(timezone=timezone))


@pytest.fixture(autouse=True)
def authorized(bot):
    authorize(bot)


def pending(bot) -> list[End]:
    return bot.core.services.ends.pending(USER_ID)


def clock(moment: float, zone: Optional[str], german: bool = False) -> str:
    """
    A moment as the person's clock shows it, written here without Babel: 3:30 PM, 15:30, 3:30 PM UTC (the locale's
    data puts a narrow no-break space before AM and PM).
    """
    local = datetime.datetime.fromtimestamp(moment, ZoneInfo(zone or 'UTC'))
    shown = local.strftime('%H:%M') if german else local.strftime('%I:%M\u202f%p').lstrip('0')
    return shown if zone else f'{shown} UTC'


def at(moment: float, zone: Optional[str], german: bool = False) -> str:
    """"at 3:30 PM", or "tomorrow at 3:30 PM" when the moment falls on tomorrow in the zone."""
    tz = ZoneInfo(zone or 'UTC')
    today = datetime.datetime.now(tz).date()
    day = datetime.datetime.fromtimestamp(moment, tz).date()
    words = {(False, False): 'at', (False, True): 'tomorrow at', (True, False): 'um', (True, True): 'morgen um'}
    return f'{words[german, day != today]} {clock(moment, zone, german)}'


def due_now(bot, end: End, late: float = 0.0) -> End:
    """Let time pass: the end is due now (or ``late`` seconds ago), and the bot's worker carries it out."""
    moved = dataclasses.replace(end, id=f'{end.id}-due', due=time.time() - late)
    assert bot.core.stores.queue.put(moved.task().entry(), replacing=end.id)
    assert bot.core.worker.wait_idle(10)
    return moved


def told(webex) -> list[tuple[str, str, str]]:
    """The messages the bot sent on its own (not replies to a command): (to whom, with whose token, markdown)."""
    return [(s.body.get('toPersonId'), s.identity, s.body['markdown']) for s in webex.sent()
            if (s.method, s.path) == ('POST', '/messages') and 'toPersonId' in s.body]


# --- the clause

@pytest.mark.parametrize('settings', [ENGLISH], indirect=True)
def test_dnd_on_for_an_hour_in_tokyo(client, webex, bot):
    authorize(bot, TOKYO)
    webex.add('GET', DND, json_body=OFF)
    webex.add('PUT', DND, status=204)
    asked = time.time()
    [reply] = chat(client, webex, '/dnd on for 1h')
    [end] = pending(bot)
    assert asked + 3600 <= end.due <= time.time() + 3600
    assert reply == f'{DND_ON} Do Not Disturb goes back {at(end.due, TOKYO)} (in 1 hour) to what it was: off.'
    assert requests_to(webex) == [('GET', DND, None), ('PUT', DND, {**OFF, 'enabled': True})]
    assert (end.setting, end.restore, end.expect, end.zone) == ('dnd', {'enabled': False}, {'enabled': True}, TOKYO)
    assert end.id.startswith(f'end:{USER_ID}:dnd:')


@pytest.mark.parametrize('settings', [GERMAN], indirect=True)
def test_in_german_in_new_york(client, webex, bot):
    authorize(bot, NEW_YORK)
    webex.add('GET', DND, json_body=OFF)
    webex.add('PUT', DND, status=204)
    [reply] = chat(client, webex, '/DND On FOR 1h30m')
    [end] = pending(bot)
    assert reply == ('„Nicht stören“ ist jetzt an: Anrufer hören besetzt (oder landen dort, wohin Ihre Weiterleitung '
                     f'bei besetzt sie schickt). „Nicht stören“ wird {at(end.due, NEW_YORK, german=True)} (noch 1 '
                     'Stunde und 30 Minuten) auf den vorigen Stand zurückgesetzt: aus.')


def test_forward_until_a_time_without_a_zone_names_utc_and_puts_back_the_previous_forwarding(client, webex, bot):
    webex.add('GET', FORWARDING, json_body=forwarding(always={'enabled': True, 'destination': '1003'}))
    webex.add('PUT', FORWARDING, status=204)
    [reply] = chat(client, webex, '/forward always 1002 until 6 pm')
    [end] = pending(bot)
    local = datetime.datetime.fromtimestamp(end.due, datetime.timezone.utc)
    assert (local.hour, local.minute) == (18, 0) and 0 < end.due - time.time() <= 86400
    assert reply.startswith('Call forwarding (always) is now on: calls go to 1002. Call forwarding goes back '
                            f'{at(end.due, None)} (in ')
    assert reply.endswith(') to what it was: always to 1003.')
    assert requests_to(webex) == [('GET', FORWARDING, None), ('PUT', FORWARDING, written(
        always={'enabled': True, 'destination': '1002'}))]
    assert end.restore['always'] == {'enabled': True, 'destination': '1003', 'voicemail': False}


def test_forward_off_for_a_while(client, webex, bot):
    webex.add('GET', FORWARDING, json_body=forwarding(busy={'enabled': True, 'destination': '1003'}))
    webex.add('PUT', FORWARDING, status=204)
    [reply] = chat(client, webex, '/forward off for 30m')
    [end] = pending(bot)
    assert reply == ('Call forwarding is now off: your calls ring your phone again. Call forwarding goes back '
                     f'{at(end.due, None)} (in 30 minutes) to what it was: when busy to 1003.')
    assert requests_to(webex)[1] == ('PUT', FORWARDING, written(busy={'destination': '1003'}))


@pytest.mark.parametrize('settings', [ENGLISH, GERMAN], indirect=True, ids=['en_US', 'de_DE'])
@pytest.mark.parametrize('text, english, german', [
    ('/dnd on for 5x', '5x is not a duration: write it like 30s, 15m, 2h or 1h30m.',
     '5x ist keine Dauer: schreiben Sie sie etwa als 30s, 15m, 2h oder 1h30m.'),
    ('/dnd on until 25:00', '25:00 is not a time of day: write it like 18:00, 6pm or 6 pm.',
     '25:00 ist keine Uhrzeit: schreiben Sie sie etwa als 18:00, 6pm oder 6 pm.'),
    ('/dnd on for 8d', '8d is too far ahead: a setting goes back by itself within 7 days at most.',
     '8d liegt zu weit in der Zukunft: eine Einstellung setzt sich höchstens 7 Tage später von selbst zurück.'),
    ('/queue unavailable until noon', 'noon is not a time of day: write it like 18:00, 6pm or 6 pm.',
     'noon ist keine Uhrzeit: schreiben Sie sie etwa als 18:00, 6pm oder 6 pm.'),
])
def test_a_clause_that_cannot_be_read_changes_nothing(client, webex, bot, settings, text, english, german):
    [reply] = chat(client, webex, text)
    first, usage = reply.split('  \n')[:2]
    assert first == (german if settings.locale == 'de_DE' else english)
    assert usage.startswith(('Usage: /', 'Aufruf: /'))
    assert requests_to(webex) == [] and pending(bot) == []


@pytest.mark.parametrize('text', ['/dnd for 1h', '/forward until 6pm', '/queue for 30m', '/dnd on off for 1h'])
def test_a_clause_without_a_change_is_a_usage_error(client, webex, text):
    [reply] = chat(client, webex, text)
    assert reply.startswith('Usage: /') and requests_to(webex) == []


def test_at_most_twenty_pending_ends(client, webex, bot):
    ends = bot.core.services.ends
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    for number in range(MAX_PENDING - 1):
        ends.put(End.new(USER_ID, CALL_QUEUES.name(f'Q{number}'), later, restore={'joined': True},
                         expect={'joined': False}))
    webex.add('GET', DND, json_body=OFF)
    webex.add('PUT', DND, status=204)
    chat(client, webex, '/dnd on for 1h')
    assert len(pending(bot)) == MAX_PENDING
    webex.rsps.replace('GET', f'https://webex.test/v1{DND}', json=ON)
    [reply] = chat(client, webex, '/dnd on for 2h')
    assert reply.startswith('Do Not Disturb is on') and 'goes back' in reply, 'replaced: not one more'
    assert len(pending(bot)) == MAX_PENDING
    webex.add('GET', FORWARDING, json_body=forwarding())
    webex.reset()
    assert chat(client, webex, '/forward always 1002 for 1h') == [
        'You already have 20 settings that go back by themselves, the most I keep. /timers lists them; /timers cancel '
        '<n> cancels one.']
    assert [s.method for s in webex.sent() if s.path == FORWARDING] == ['GET'], 'nothing written'


# --- one pending end per setting

def test_a_timed_change_replaces_the_pending_end_and_keeps_what_to_put_back(client, webex, bot):
    webex.add('GET', DND, json_body=OFF)
    webex.add('PUT', DND, status=204)
    chat(client, webex, '/dnd on for 1h')
    [first] = pending(bot)
    webex.rsps.replace('GET', f'https://webex.test/v1{DND}', json=ON)
    webex.reset()
    [reply] = chat(client, webex, '/dnd on for 2h')
    [second] = pending(bot)
    assert reply == ('Do Not Disturb is on: callers hear busy (or go where your busy forwarding sends them). /dnd off '
                     f'turns it off. Do Not Disturb goes back {at(second.due, None)} (in 2 hours) to what it was: off.')
    assert requests_to(webex) == [('GET', DND, None)], 'already on: nothing written'
    assert second.id != first.id and second.due - first.due == pytest.approx(3600, abs=5)
    assert (second.restore, second.since) == ({'enabled': False}, first.since), 'what it was before the first'


def test_a_plain_change_withdraws_the_pending_end(client, webex, bot):
    webex.add('GET', DND, json_body=OFF)
    webex.add('PUT', DND, status=204)
    chat(client, webex, '/dnd on for 1h')
    [end] = pending(bot)
    webex.rsps.replace('GET', f'https://webex.test/v1{DND}', json=ON)
    assert chat(client, webex, '/dnd off') == [
        f'Do Not Disturb is now off: your phone rings again. Do Not Disturb no longer goes back {at(end.due, None)}: '
        'it stays as it is.']
    assert pending(bot) == []


def test_a_timed_change_that_leaves_the_setting_as_it_was_puts_no_end(client, webex, bot):
    webex.add('GET', DND, json_body=ON)
    [reply] = chat(client, webex, '/dnd on for 1h')
    assert reply.endswith(f'/dnd off turns it off. Do Not Disturb already was so before (on), so nothing goes back '
                          f'{at(time.time() + 3600, None)} (in 1 hour).')
    assert pending(bot) == [] and requests_to(webex) == [('GET', DND, None)]


def test_queue_leave_and_unavailable_for_a_while(client, webex, bot):
    agent(webex, SUPPORT, SALES, FRONT)
    webex.add('PUT', QUEUES, status=204)
    [left] = chat(client, webex, '/queue leave for 30m')
    ends = pending(bot)
    assert [end.setting for end in ends] == [CALL_QUEUES.name('Q1')], 'only the call queue left; 5003 may not be left'
    assert left == ('You left call queue 5001 (\\+18555550101): its calls no longer ring your phone. You stay in 5003: '
                    'your administrator does not allow leaving it. Call queue 5001 (\\+18555550101) goes back '
                    f'{at(ends[0].due, None)} (in 30 minutes) to what it was: joined.')
    [brk] = chat(client, webex, '/queue unavailable for 15m')
    agent_end = next(end for end in pending(bot) if end.setting == 'agent')
    assert brk == ('You are now unavailable for your call queues. Your agent state goes back '
                   f'{at(agent_end.due, None)} (in 15 minutes) to what it was: available.')
    assert [body for method, path, body in requests_to(webex) if method == 'PUT'] == [
        {'queues': [{'id': 'Q1', 'available': False}]}, {'agentACDState': 'UNAVAILABLE'}]
    assert [end.setting for end in pending(bot)] == ['agent', CALL_QUEUES.name('Q1')], 'the next first'


# --- /timers and /me

def test_timers_lists_and_cancels(client, webex, bot):
    assert chat(client, webex, '/timers') == [
        'None of your settings goes back by itself. Add for <duration> or until <time> to /dnd, /forward or /queue, '
        'e.g. /dnd on for 1h or /queue unavailable until 2pm.']
    webex.add('GET', DND, json_body=OFF)
    webex.add('PUT', DND, status=204)
    webex.add('GET', FORWARDING, json_body=forwarding())
    webex.add('PUT', FORWARDING, status=204)
    chat(client, webex, '/forward noanswer 2000 for 2h')
    chat(client, webex, '/dnd on for 1h')
    dnd, forward = pending(bot)
    assert chat(client, webex, '/timers') == [
        '**Settings that go back by themselves** (2)\n'
        f'1. Do Not Disturb goes back {at(dnd.due, None)} (in 1 hour) to: off\n'
        f'2. Call forwarding goes back {at(forward.due, None)} (in 2 hours) to: off\n'
        '/timers cancel <n> cancels one: the setting then stays as it is.']
    assert chat(client, webex, '/timers cancel 3') == [
        'There is no setting 3 that goes back. Yours: 1. Do Not Disturb, 2. Call forwarding.']
    assert chat(client, webex, '/timers cancel 2') == [
        f'Call forwarding no longer goes back {at(forward.due, None)}: it stays as it is.']
    assert pending(bot) == [dnd]
    assert chat(client, webex, '/timers stop')[0].startswith('Usage: /timers [cancel <n>]')


def test_me_lists_what_goes_back(client, webex, bot):
    from tests.test_settings_commands import PROFILE, ME, phone_menu
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=45)
    end = bot.core.services.ends.put(End.new(USER_ID, 'dnd', later, restore={'enabled': False},
                                             expect={'enabled': True}))
    webex.add('GET', ME, json_body=PROFILE)
    webex.add('GET', DND, json_body=ON)
    webex.add('GET', FORWARDING, json_body=forwarding())
    phone_menu(webex)
    webex.user_me()
    [reply] = chat(client, webex, '/me')
    assert reply.splitlines()[-2:] == ['- Time zone: none set in Webex, so I show times in UTC',
                                       f'- Do Not Disturb goes back {at(end.due, None)} (in 45 minutes) to: off']


# --- an end carried out

def planned_dnd(client, webex, bot) -> End:
    webex.add('GET', DND, json_body=OFF)
    webex.add('PUT', DND, status=204)
    chat(client, webex, '/dnd on for 1h')
    [end] = pending(bot)
    webex.rsps.remove('GET', f'https://webex.test/v1{DND}')
    webex.reset()
    return end


def test_an_end_puts_back_what_was_there_and_says_so(client, webex, bot):
    end = planned_dnd(client, webex, bot)
    webex.add('GET', DND, json_body={**ON, 'webexGoOverrideEnabled': True})
    due_now(bot, end)
    assert requests_to(webex, '/telephony') == [('GET', DND, None), ('PUT', DND, {**OFF, 'webexGoOverrideEnabled':
                                                                                       True})]
    assert told(webex) == [(USER_ID, 'bot', 'Do Not Disturb is back to what it was before your change '
                                            f'{at(end.since, None)}: off.')]
    assert pending(bot) == [] and bot.core.stores.queue.depth() == 0


def test_an_end_finds_the_setting_already_back(client, webex, bot):
    end = planned_dnd(client, webex, bot)
    webex.add('GET', DND, json_body=OFF)
    due_now(bot, end)
    assert requests_to(webex, '/telephony') == [('GET', DND, None)], 'nothing written'
    assert [text for *_, text in told(webex)] == [
        f'Do Not Disturb is back to what it was before your change {at(end.since, None)}: off.']


def test_a_setting_changed_meanwhile_is_left_alone(client, webex, bot):
    webex.add('GET', FORWARDING, json_body=forwarding())
    webex.add('PUT', FORWARDING, status=204)
    chat(client, webex, '/forward always 1002 for 1h')
    [end] = pending(bot)
    webex.rsps.replace('GET', f'https://webex.test/v1{FORWARDING}', json=forwarding(
        always={'enabled': True, 'destination': '1004'}))
    webex.reset()
    due_now(bot, end)
    assert requests_to(webex, '/telephony') == [('GET', FORWARDING, None)], 'left alone'
    assert [text for *_, text in told(webex)] == [
        f'Call forwarding changed after your change {at(end.since, None)}, so I left it as it is: always to 1004. It '
        'would have gone back to: off.']


def test_without_tokens_the_end_is_dropped_and_the_person_told(client, webex, bot):
    end = planned_dnd(client, webex, bot)
    bot.core.stores.tokens.clear_user_context(USER_ID)
    end = due_now(bot, end)
    assert requests_to(webex, '/telephony') == []
    assert told(webex) == [(USER_ID, 'bot', f'Do Not Disturb did not go back {at(end.due, None)} to what it was '
                            '(off): you no longer let me act for you. Change it yourself in the calling settings of '
                            'the Webex app, or authorize me again with /auth and change it here.')]
    assert bot.core.stores.queue.depth() == 0


def test_an_end_webex_refuses_is_told_with_webex_s_reason(client, webex, bot):
    end = planned_dnd(client, webex, bot)
    webex.add('GET', DND, json_body=ON)
    webex.error('PUT', DND, 400, 'Do Not Disturb cannot be changed now.')
    due_now(bot, end)
    assert [text for *_, text in told(webex)] == [
        'Do Not Disturb did not go back to what it was (off). Could not change your Do Not Disturb setting: 400 Do '
        'Not Disturb cannot be changed now Please change it yourself in the calling settings of the Webex app.']
    assert bot.core.stores.queue.depth() == 0, 'not tried again'


def test_a_late_end_says_how_late(client, webex, bot):
    end = planned_dnd(client, webex, bot)
    webex.add('GET', DND, json_body=ON)
    webex.add('PUT', DND, status=204)
    due_now(bot, end, late=300)
    [(_, _, text)] = told(webex)
    back, late = text.split('  \n')
    assert back == f'Do Not Disturb is back to what it was before your change {at(end.since, None)}: off.'
    assert late.startswith('I am 5 minutes late: I was not running ') and late.endswith('.')


def test_a_call_queue_and_the_agent_state_go_back(client, webex, bot):
    agent(webex, SUPPORT, SALES)
    webex.add('PUT', QUEUES, status=204)
    chat(client, webex, '/queue leave 1 for 30m')
    chat(client, webex, '/queue unavailable for 30m')
    webex.rsps.remove('GET', f'https://webex.test/v1{QUEUES}')
    agent(webex, {**SUPPORT, 'available': False}, SALES, state='UNAVAILABLE')
    for end in pending(bot):
        webex.reset()
        due_now(bot, end)
        [(_, _, text)] = told(webex)
        if end.setting == 'agent':
            assert requests_to(webex, '/telephony')[1] == ('PUT', QUEUES, {'agentACDState': 'AVAILABLE'})
            assert text.startswith('Your agent state is back to what it was before your change ')
            assert text.endswith(': available.')
        else:
            assert requests_to(webex, '/telephony')[1] == ('PUT', QUEUES, {'queues': [{'id': 'Q1', 'available': True}]})
            assert text.startswith('Call queue 5001 (\\+18555550101) is back to what it was before your change ')
            assert text.endswith(': joined.')


def test_an_end_of_a_call_queue_no_longer_listed(client, webex, bot):
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    end = bot.core.services.ends.put(End.new(USER_ID, CALL_QUEUES.name('Q9'), later, restore={'joined': True},
                                             expect={'joined': False}, about={'extension': '5009', 'number': None}))
    agent(webex, SUPPORT)
    due_now(bot, end)
    assert [text for *_, text in told(webex)] == [
        'Call queue 5009 is no longer one of your call queues, so nothing went back to: joined.']


# --- the decision, apart from Webex

@pytest.mark.parametrize('now, outcome', [
    ({'enabled': True}, PUT_BACK), ({'enabled': False}, BACK), (None, GONE)])
def test_an_end_writes_only_what_is_still_as_the_bot_set_it(now, outcome):
    end = End.new(USER_ID, 'dnd', datetime.datetime.now(datetime.timezone.utc), restore={'enabled': False},
                  expect={'enabled': True})
    assert decide(DO_NOT_DISTURB, now, end) == outcome


def test_forwarding_that_is_off_is_off_whatever_destination_webex_keeps():
    off = {'always': {'enabled': False, 'destination': None, 'voicemail': False},
           'busy': {'enabled': False, 'destination': None, 'voicemail': False},
           'no_answer': {'enabled': False, 'destination': None, 'voicemail': False}}
    on = {**off, 'always': {'enabled': True, 'destination': '1002', 'voicemail': False}}
    end = End.new(USER_ID, 'forwarding', datetime.datetime.now(datetime.timezone.utc), restore=off, expect=on)
    kept = {**off, 'always': {'enabled': False, 'destination': '1002', 'voicemail': False}}
    assert decide(CALL_FORWARDING, kept, end) == BACK
    assert decide(CALL_FORWARDING, {**on, 'busy': {'enabled': True, 'destination': '1003', 'voicemail': False}},
                  end) == CHANGED


@pytest.mark.parametrize('settings', [GERMAN], indirect=True)
def test_the_end_in_german_in_tokyo(client, webex, bot):
    authorize(bot, TOKYO)
    end = planned_dnd(client, webex, bot)
    webex.add('GET', DND, json_body=ON)
    webex.add('PUT', DND, status=204)
    due_now(bot, end)
    assert [text for *_, text in told(webex)] == [
        f'„Nicht stören“ ist wieder wie vor Ihrer Änderung {at(end.since, TOKYO, german=True)}: aus.']


def test_an_end_refreshes_the_tokens_first(client, webex, bot):
    end = planned_dnd(client, webex, bot)
    bot.core.stores.tokens.set_user_context(user_context(seconds_left=60))
    webex.add('POST', '/access_token', json_body={
        'access_token': 'fresh-access-token', 'expires_in': 1209600, 'refresh_token': 'fresh-refresh-token',
        'refresh_token_expires_in': 7776000, 'token_type': 'Bearer'})
    webex.add('GET', DND, json_body=ON)
    webex.add('PUT', DND, status=204)
    due_now(bot, end)
    assert [(s.method, s.path, s.token) for s in webex.sent() if s.path != '/messages'] == [
        ('POST', '/access_token', None), ('GET', DND, 'fresh-access-token'), ('PUT', DND, 'fresh-access-token')]
    assert len(told(webex)) == 1


def test_an_end_whose_tokens_webex_refuses_is_dropped_and_told(client, webex, bot):
    end = planned_dnd(client, webex, bot)
    webex.error('GET', DND, 401, 'The request requires a valid access token.')
    webex.error('POST', '/access_token', 400, 'Invalid grant.')
    end = due_now(bot, end)
    assert [(s.method, s.path) for s in webex.sent() if s.path != '/messages'] == [('GET', DND),
                                                                                  ('POST', '/access_token')]
    assert bot.core.stores.tokens.get_user_context(USER_ID) is None, 'forgotten, as for any command'
    assert [text for *_, text in told(webex)] == [
        f'Do Not Disturb did not go back {at(end.due, None)} to what it was (off): you no longer let me act for you. '
        'Change it yourself in the calling settings of the Webex app, or authorize me again with /auth and change it '
        'here.']
    assert bot.core.stores.queue.depth() == 0


def test_a_card_button_that_changes_a_setting_withdraws_its_end(client, webex, bot):
    agent(webex, SUPPORT, SALES)
    webex.add('PUT', QUEUES, status=204)
    chat(client, webex, '/queue leave 1 for 1h')
    [end] = pending(bot)
    webex.rsps.remove('GET', f'https://webex.test/v1{QUEUES}')
    agent(webex, {**SUPPORT, 'available': False}, SALES)
    webex.reset()
    body = webex.action_notification('QUEUE-CARD', {'action': 'join_call_queue', 'owner': USER_ID, 'queueId': 'Q1'})
    assert client.post('/', data=body, headers=webex.signed(body)).status_code == 200
    assert [r['markdown'] for r in webex.replies()] == [
        'You joined call queue 5001 (\\+18555550101): its calls can ring your phone. Call queue 5001 '
        f'(\\+18555550101) no longer goes back {at(end.due, None)}: it stays as it is.']
    assert pending(bot) == []
