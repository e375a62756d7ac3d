"""
When a timed setting ends: the clause ``for <duration>`` or ``until <time>`` at the end of a command
(``/dnd on for 1h``, ``/forward always 1002 until 6 pm``), read into the moment it names. Pure functions: the
words, the time now and the person's zone in, a moment out, :class:`BadWhen` for what cannot be read.

The keywords are English in every locale, like the commands. A duration is elapsed time: ``30s``, ``15m``, ``2h``,
``1h30m`` (days too: ``1d``). A time is wall-clock time in the person's zone (UTC without one): ``18:00``, ``6pm``,
``6 pm``, ``6:30pm``; it names the next such time after now, today or tomorrow. A time a daylight-saving change
skips (02:30 the night clocks go forward) moves to the first time after the gap (03:00); one it repeats (01:30 the
night they go back) is the first of the two.
"""
import datetime
import re
from dataclasses import dataclass
from typing import Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ['When', 'BadWhen', 'split_when', 'resolve', 'LONGEST']

#: the furthest ahead a setting may end
LONGEST = datetime.timedelta(days=7)

#: a duration: days, hours, minutes and seconds, each at most once and in that order, at least one
_DURATION = re.compile(r'(?:(?P<d>\d{1,3})d)?(?:(?P<h>\d{1,4})h)?(?:(?P<m>\d{1,5})m)?(?:(?P<s>\d{1,6})s)?')
#: a time: 18:00, 6pm, 6:30pm (the words of ``6 pm`` joined first)
_TIME = re.compile(r'(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?(?P<half>am|pm)?')

_UTC = datetime.timezone.utc


class BadWhen(ValueError):
    """
    A ``for``/``until`` clause that cannot be read. :attr:`reason` is what is wrong, one of ``'duration'``,
    ``'time'``, ``'too_far'``.
    """

    def __init__(self, reason: str, text: str):
        super().__init__(f'{reason}: {text!r}')
        self.reason = reason
        self.text = text


@dataclass(frozen=True)
class When:
    """A clause as the person wrote it: ``for`` or ``until``, and what followed."""
    keyword: str
    text: str


def split_when(words: list[str]) -> tuple[list[str], Optional[When]]:
    """
    Take a ``for``/``until`` clause off the end of a command's words: the last ``for`` or ``until`` followed by one
    or two words (``6 pm``). What comes before is the rest of the command, read as without a clause.

    :return: the other words, and the clause or ``None``
    """
    for index in range(len(words) - 2, max(-1, len(words) - 4), -1):
        if words[index].lower() in ('for', 'until'):
            return words[:index], When(words[index].lower(), ' '.join(words[index + 1:]))
    return words, None


def _zone(name: Optional[str]) -> datetime.tzinfo:
    try:
        return ZoneInfo(name) if name else _UTC
    except (ZoneInfoNotFoundError, ValueError):
        return _UTC


def duration(text: str) -> datetime.timedelta:
    """
    A duration: ``30s``, ``15m``, ``2h``, ``1h30m``, ``1d``.

    :raises BadWhen: ``'duration'``
    """
    match = _DURATION.fullmatch(text.lower().replace(' ', ''))
    if not match or not any(match.groupdict().values()):
        raise BadWhen('duration', text)
    parts = {name: int(value or 0) for name, value in match.groupdict().items()}
    length = datetime.timedelta(days=parts['d'], hours=parts['h'], minutes=parts['m'], seconds=parts['s'])
    if not length:
        raise BadWhen('duration', text)
    return length


def wall_time(text: str) -> datetime.time:
    """
    A wall-clock time: ``18:00``, ``6pm``, ``6 pm``, ``6:30pm``, ``12am`` (midnight).

    :raises BadWhen: ``'time'``
    """
    match = _TIME.fullmatch(text.lower().replace(' ', ''))
    if not match or (match['minute'] is None and match['half'] is None):
        raise BadWhen('time', text)
    hour, minute = int(match['hour']), int(match['minute'] or 0)
    if match['half']:
        if not 1 <= hour <= 12:
            raise BadWhen('time', text)
        hour = hour % 12 + (12 if match['half'] == 'pm' else 0)
    if hour > 23 or minute > 59:
        raise BadWhen('time', text)
    return datetime.time(hour, minute)


def next_wall_time(at: datetime.time, now: datetime.datetime, zone: datetime.tzinfo) -> datetime.datetime:
    """
    The next moment after ``now`` when the clocks of ``zone`` show ``at``: today or tomorrow; a time the clocks skip
    moves to the first time after the gap, a time they show twice is the first of the two.
    """
    local_now = now.astimezone(zone)
    for days in (0, 1, 2):
        day = local_now.date() + datetime.timedelta(days=days)
        candidate = _valid(datetime.datetime.combine(day, at, tzinfo=zone))
        if candidate > now:
            return candidate
    raise AssertionError('a wall time recurs within two days')  # pragma: no cover


def _valid(local: datetime.datetime) -> datetime.datetime:
    """
    ``local`` if the clocks show it, else the first time after the gap it falls in (a time zone's gaps are whole
    minutes and shorter than a day).
    """
    for minutes in range(0, 24 * 60):
        moment = local + datetime.timedelta(minutes=minutes)
        if moment.astimezone(_UTC).astimezone(moment.tzinfo).replace(tzinfo=None) == moment.replace(tzinfo=None):
            if minutes:
                moment = moment.replace(second=0, microsecond=0)
            return moment.astimezone(moment.tzinfo)
    raise AssertionError('a gap shorter than a day')  # pragma: no cover


def resolve(when: When, now: datetime.datetime, zone: Optional[str]) -> datetime.datetime:
    """
    The moment a clause names, in the person's zone (UTC without one).

    :param when: the clause
    :param now: the time now (aware)
    :param zone: the person's time zone (an IANA name), or ``None``
    :raises BadWhen: not a duration or a time, or further than :data:`LONGEST` ahead
    """
    tz = _zone(zone)
    if when.keyword == 'for':
        end = (now + duration(when.text)).astimezone(tz)
    else:
        end = next_wall_time(wall_time(when.text), now, tz)
    if end - now > LONGEST:
        raise BadWhen('too_far', when.text)
    return end
