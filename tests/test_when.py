"""
Reading ``for <duration>`` and ``until <time>``: durations, wall-clock times in the person's zone (Tokyo, New York
across both daylight-saving changes, none), the clause taken off the end of a command, and what cannot be read.
"""
import datetime
from zoneinfo import ZoneInfo

import pytest

from wxc_cc.when import LONGEST, BadWhen, When, duration, resolve, split_when, wall_time

pytestmark = pytest.mark.unit

UTC = datetime.timezone.utc
TOKYO, NEW_YORK = ZoneInfo('Asia/Tokyo'), ZoneInfo('America/New_York')


def at(zone: datetime.tzinfo, *fields: int) -> datetime.datetime:
    return datetime.datetime(*fields, tzinfo=zone)


@pytest.mark.parametrize('text, seconds', [('30s', 30), ('15m', 900), ('2h', 7200), ('1h30m', 5400), ('1d', 86400),
                                           ('1H30M', 5400), ('1h 30m', 5400), ('90m', 5400), ('2h0m5s', 7205)])
def test_durations(text: str, seconds: int):
    assert duration(text) == datetime.timedelta(seconds=seconds)


@pytest.mark.parametrize('text', ['', 'h', '1', '1x', '30m1h', '-5m', '0m', '1.5h', 'soon', '1h30'])
def test_what_is_not_a_duration(text: str):
    with pytest.raises(BadWhen) as error:
        duration(text)
    assert error.value.reason == 'duration'


@pytest.mark.parametrize('text, hour, minute', [('18:00', 18, 0), ('6pm', 18, 0), ('6 pm', 18, 0), ('6:30pm', 18, 30),
                                                ('6 AM', 6, 0), ('12am', 0, 0), ('12pm', 12, 0), ('0:05', 0, 5),
                                                ('23:59', 23, 59)])
def test_wall_times(text: str, hour: int, minute: int):
    assert wall_time(text) == datetime.time(hour, minute)


@pytest.mark.parametrize('text', ['18', '24:00', '13pm', '0am', '6:60', '6.30pm', 'noon', '18:0'])
def test_what_is_not_a_time(text: str):
    with pytest.raises(BadWhen) as error:
        wall_time(text)
    assert error.value.reason == 'time'


@pytest.mark.parametrize('words, rest, clause', [
    ('on for 1h', 'on', When('for', '1h')),
    ('on until 6 pm', 'on', When('until', '6 pm')),
    ('always 1002 until 18:00', 'always 1002', When('until', '18:00')),
    ('always +1 (408) 555 1001 for 2h', 'always +1 (408) 555 1001', When('for', '2h')),
    ('leave 2 FOR 30m', 'leave 2', When('for', '30m')),
    ('on', 'on', None),
    ('always 1002', 'always 1002', None),
    ('for', 'for', None),
])
def test_the_clause_comes_off_the_end(words: str, rest: str, clause):
    assert split_when(words.split()) == (rest.split(), clause)


def test_for_is_elapsed_time_in_the_persons_zone():
    now = at(UTC, 2026, 3, 8, 6, 0)  # 01:00 in New York, an hour before the clocks go forward
    end = resolve(When('for', '2h'), now, 'America/New_York')
    assert end - now == datetime.timedelta(hours=2), 'elapsed time: two hours later, whatever the clocks say'
    assert (end.hour, end.minute, end.tzinfo) == (4, 0, NEW_YORK), 'the clocks skipped 02:00 to 03:00'


def test_until_is_the_next_such_time_today_or_tomorrow():
    now = at(TOKYO, 2026, 1, 8, 17, 0)
    assert resolve(When('until', '18:00'), now, 'Asia/Tokyo') == at(TOKYO, 2026, 1, 8, 18, 0)
    assert resolve(When('until', '6 pm'), now, 'Asia/Tokyo') == at(TOKYO, 2026, 1, 8, 18, 0)
    assert resolve(When('until', '9am'), now, 'Asia/Tokyo') == at(TOKYO, 2026, 1, 9, 9, 0), 'tomorrow'
    assert resolve(When('until', '17:00'), now, 'Asia/Tokyo') == at(TOKYO, 2026, 1, 9, 17, 0), 'now is past'


def test_without_a_zone_times_are_utc():
    now = at(UTC, 2026, 1, 8, 8, 0)
    assert resolve(When('until', '18:00'), now, None) == at(UTC, 2026, 1, 8, 18, 0)
    assert resolve(When('until', '18:00'), now, 'Nowhere/Else') == at(UTC, 2026, 1, 8, 18, 0)


def test_a_time_the_clocks_skip_moves_to_the_end_of_the_gap():
    now = at(NEW_YORK, 2026, 3, 7, 22, 0)  # the clocks go from 02:00 to 03:00 tonight
    end = resolve(When('until', '2:30am'), now, 'America/New_York')
    assert (end.date(), end.hour, end.minute, end.utcoffset()) == (datetime.date(2026, 3, 8), 3, 0,
                                                                   datetime.timedelta(hours=-4))


def test_a_time_the_clocks_show_twice_is_the_first():
    now = at(NEW_YORK, 2026, 10, 31, 22, 0)  # the clocks go from 02:00 back to 01:00 tonight
    end = resolve(When('until', '1:30am'), now, 'America/New_York')
    assert end.astimezone(UTC) == at(UTC, 2026, 11, 1, 5, 30), '01:30 EDT, not 01:30 EST an hour later'
    later = resolve(When('until', '1:30am'), end + datetime.timedelta(minutes=1), 'America/New_York')
    assert later.date() == datetime.date(2026, 11, 2), 'the second 01:30 is not "the next"'


def test_at_most_seven_days_ahead():
    now = at(UTC, 2026, 1, 8, 8, 0)
    assert resolve(When('for', '7d'), now, None) == now + LONGEST
    for text in ('7d1s', '200h'):
        with pytest.raises(BadWhen) as error:
            resolve(When('for', text), now, None)
        assert error.value.reason == 'too_far'
