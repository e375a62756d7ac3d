"""
The people's own time zones, as Webex has them: ``timezone`` of ``GET /people/me`` with the person's token (absent
when none is configured). The bot keeps it with the person's tokens (:class:`~wxc_cc.stores.UserContext`): read
when they authorize, read again before their next command or call event once the reading is a day old, and on
``/me``. :class:`~wxc_cc.clock.Clock` shows times in it.
"""
import datetime
import logging
from collections.abc import Callable
from typing import Any, Optional

import requests
from wxc_sdk.people import Person
from wxc_sdk.rest import RestError

from .clock import known_zone
from .errors import webex_reason
from .stores import TokenManager, UserContext
from .webex import UserApi

__all__ = ['TimeZones', 'MAX_AGE', 'zone_of']

log = logging.getLogger(__name__)

#: seconds a reading of a person's time zone is used before it is read again: a day
MAX_AGE = 24 * 3600


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def zone_of(person: Person) -> Optional[str]:
    """
    The time zone of a person as ``GET /people/me`` gives it (``timezone``), or ``None`` when none is configured.
    wxc_sdk's model expects the field as ``timeZone`` (``time_zone``), so what Webex sends is among its extra
    fields.
    """
    return (person.model_extra or {}).get('timezone') or person.time_zone


class TimeZones:
    """
    Reads the people's time zones and keeps them with their tokens.

    :param tokens: the token store, where the zones are kept
    :param max_age: seconds a reading is used before it is read again (:data:`MAX_AGE`)
    :param now: the current time, aware
    """

    def __init__(self, *, tokens: TokenManager, max_age: float = MAX_AGE,
                 now: Callable[[], datetime.datetime] = _now):
        self.tokens = tokens
        self.max_age = max_age
        self.now = now

    def reading(self, person: Person) -> dict[str, Any]:
        """
        The fields of a user context that keep what Webex just said of the person (``GET /people/me``): their
        time zone, and when it was read.
        """
        zone = zone_of(person)
        if zone and not known_zone(zone):
            log.warning('time zone of user %s unknown to Babel: times shown in UTC', person.person_id)
        return {'timezone': zone, 'timezone_read': self.now()}

    def stale(self, user: UserContext) -> bool:
        """True when the user's zone was never read, or read :attr:`max_age` seconds ago or longer."""
        read = user.timezone_read
        return read is None or (self.now() - read).total_seconds() >= self.max_age

    def fresh(self, user: UserContext, user_api: Callable[[UserContext], UserApi]) -> UserContext:
        """
        The user's context with a reading of their zone that is not stale: as it is, or read again (:meth:`read`).

        :param user: the user's context
        :param user_api: API clients acting for a user
        """
        return self.read(user, user_api) if self.stale(user) else user

    def read(self, user: UserContext, user_api: Callable[[UserContext], UserApi]) -> UserContext:
        """
        Read the user's zone now (``GET /people/me`` with their token) and keep it. When Webex does not answer,
        the zone stays as it was and is asked for again after :attr:`max_age`: a zone seldom changes, and a
        command is not held up for it.

        :param user: the user's context
        :param user_api: API clients acting for a user
        :return: the user's context with the reading (as stored, unless the user was forgotten meanwhile)
        """
        try:
            reading = self.reading(user_api(user).people.me())
        except (RestError, requests.RequestException) as error:
            log.warning('time zone of user %s not read: %s', user.user_id, webex_reason(error))
            reading = {'timezone_read': self.now()}
        if reading.get('timezone', user.timezone) != user.timezone:
            log.info('time zone of user %s changed', user.user_id)
        stored = self.tokens.update_user_context(user.user_id, **reading)
        return stored or user.model_copy(update=reading)
