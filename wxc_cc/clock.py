"""
Times as one person reads them: in their own time zone (``timezone`` of ``GET /people/me``, see
:mod:`wxc_cc.timezones`; UTC without one), written the way the deployment's locale (``LOCALE``) writes dates and
times, by Babel (:mod:`babel.dates`).

The zone is named wherever a time could be read in another: a time on its own carries the zone's short name, or
its offset from GMT where the locale has no short name for it (``Jan 1, 2026, 7:00:05 PM GMT+09:00``,
``01.01.2026, 11:00:05 MEZ``, ``Jan 1, 2026, 10:00:05 AM UTC``); the times of a table are named once, in its
heading (:meth:`Clock.zone_name`: ``Japan Time``, ``Mitteleuropäische Zeit``, ``UTC``).
"""
import datetime
from typing import Optional

from babel import Locale
from babel.core import get_global
from babel.lists import format_list
from babel.dates import (format_date, format_datetime, format_time, format_timedelta, get_datetime_format,
                         get_timezone, get_timezone_gmt, get_timezone_name)

__all__ = ['Clock', 'known_zone']

#: the zone of people without one
UTC = get_timezone('UTC')
#: the territory Babel gives zones of no region (``Etc/UTC``, ``Etc/GMT-9``)
NO_REGION = 'ZZ'


def known_zone(zone: str) -> bool:
    """
    True when ``zone`` is a time zone Babel knows (an IANA name such as ``Asia/Tokyo``).
    """
    try:
        get_timezone(zone)
    except LookupError:
        return False
    return True


def _aware(moment: datetime.datetime) -> datetime.datetime:
    """A time with its zone: one without is taken to be UTC, as Webex writes every time."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=datetime.timezone.utc)


class Clock:
    """
    How one person reads times.

    :param locale: the deployment's locale, e.g. ``'de_DE'``
    :param zone: the person's time zone, an IANA name such as ``'Asia/Tokyo'``; ``None``, or a zone Babel does
        not know: UTC
    """

    def __init__(self, locale: str, zone: Optional[str] = None):
        self.locale = Locale.parse(locale)
        #: the zone the times are shown in, ``None`` for UTC
        self.zone = zone if zone and known_zone(zone) else None
        self.tzinfo = get_timezone(self.zone) if self.zone else UTC

    def time(self, moment: datetime.datetime) -> str:
        """
        A time on its own: date, time to the second and the zone, e.g. ``Jan 1, 2026, 7:00:05 PM GMT+09:00``.
        """
        moment = _aware(moment)
        return f'{format_datetime(moment, "medium", tzinfo=self.tzinfo, locale=self.locale)} {self.zone_label(moment)}'

    def table_time(self, moment: datetime.datetime) -> str:
        """
        A time in a table whose heading names the zone (:meth:`zone_name`): date and time to the minute, e.g.
        ``Jan 1, 2026, 7:00 PM`` or ``01.01.2026, 19:00``.
        """
        local = _aware(moment).astimezone(self.tzinfo)
        # the locale's medium date and short time, joined as the locale joins a date and a time
        return (get_datetime_format('medium', locale=self.locale)
                .replace('{1}', format_date(local, 'medium', locale=self.locale))
                .replace('{0}', format_time(local, 'short', locale=self.locale)))

    def clock_time(self, moment: datetime.datetime) -> str:
        """A time of day as the clocks of the zone show it, e.g. ``3:30 PM`` or ``15:30``, with ``UTC`` named."""
        local = _aware(moment).astimezone(self.tzinfo)
        shown = format_time(local, 'short', locale=self.locale)
        return shown if self.zone else f'{shown} {self.zone_label(local)}'

    def day_offset(self, moment: datetime.datetime, now: datetime.datetime) -> int:
        """How many days after today (in the zone) ``moment`` falls: 0 today, 1 tomorrow."""
        return (_aware(moment).astimezone(self.tzinfo).date() - _aware(now).astimezone(self.tzinfo).date()).days

    def weekday(self, moment: datetime.datetime) -> str:
        """The day of the week, e.g. ``Tuesday``, ``Dienstag``."""
        return format_date(_aware(moment).astimezone(self.tzinfo), 'EEEE', locale=self.locale)

    def span(self, length: datetime.timedelta) -> str:
        """
        How long, to the minute (to the second under a minute), as the locale lists: ``1 hour and 30 minutes``,
        ``2 Tage und 3 Stunden``, ``30 seconds``.
        """
        seconds = max(0, round(length.total_seconds()))
        if seconds < 60:
            parts = [('second', seconds)]
        else:
            minutes = (seconds + 30) // 60
            parts = [(unit, amount) for unit, amount in (('day', minutes // 1440), ('hour', minutes % 1440 // 60),
                                                         ('minute', minutes % 60)) if amount]
        # each unit on its own (a threshold no amount reaches keeps it), then listed
        return format_list([format_timedelta(datetime.timedelta(**{f'{unit}s': amount}), granularity=unit,
                                             threshold=10 ** 6, locale=self.locale) for unit, amount in parts],
                           locale=self.locale)

    def zone_label(self, moment: datetime.datetime) -> str:
        """
        The zone at a time, short: the locale's abbreviation (``EST``, ``MESZ``, ``UTC``), else the offset from
        GMT (``GMT+09:00``).
        """
        local = _aware(moment).astimezone(self.tzinfo)
        short = get_timezone_name(local, 'short', locale=self.locale)
        # without an abbreviation Babel gives the short offset (+0900), which reads less well than the long one
        if short == get_timezone_gmt(local, 'short', locale=self.locale):
            return get_timezone_gmt(local, 'long', locale=self.locale)
        return short

    def zone_name(self) -> str:
        """
        The zone as a heading names it, whatever the time of year: its name in the locale (``Japan Time``,
        ``Mitteleuropäische Zeit``); a zone of no region by its label (``UTC``, ``GMT+09:00``).
        """
        zone = get_timezone_name(self.tzinfo, return_zone=True)
        if get_global('zone_territories').get(zone, NO_REGION) == NO_REGION:
            # such zones keep one offset all year: any time names them
            return self.zone_label(datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc))
        return get_timezone_name(self.tzinfo, 'long', locale=self.locale)
