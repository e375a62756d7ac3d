"""
Calling people by name: ``/dial Bob Brown`` looks the name up in the person's organisation
(``GET /people?displayName=...&callingData=true``, with the person's token) and finds what to dial for each match:
their Webex Calling extension, else their work number.
"""
import itertools
import logging
import re
from dataclasses import dataclass
from typing import Optional

from wxc_sdk.base import enum_str
from wxc_sdk.people import Person

from ..webex import UserApi

__all__ = ['MAX_MATCHES', 'Match', 'is_name', 'find_people']

log = logging.getLogger(__name__)

#: most people a name lookup offers; one more is asked for, to know that there are more
MAX_MATCHES = 10

#: words of letters (no digits), with the spaces, dots, apostrophes and hyphens names have
_NAME = re.compile(r"[^\W\d_]+(?:[\s.'’-]+[^\W\d_]+)*\.?")


@dataclass(frozen=True)
class Match:
    """
    A person the name lookup found.
    """
    person_id: str
    name: str
    title: Optional[str]
    extension: Optional[str]
    #: their work number
    number: Optional[str]

    @property
    def dial_string(self) -> Optional[str]:
        """What to dial to reach them: the extension, else the work number."""
        return self.extension or self.number

    @classmethod
    def of(cls, person: Person) -> 'Match':
        """The match of a person as ``/people`` lists them."""
        work = next((number.value for number in person.phone_numbers or []
                     if enum_str(number.number_type) == 'work'), None)
        return cls(person.person_id, person.display_name or '', person.title, person.extension, work)


def is_name(text: str) -> bool:
    """
    Whether what the person typed after ``/dial`` is a name (letters only) rather than a number or a URI.
    """
    return bool(_NAME.fullmatch(text.strip()))


def find_people(api: UserApi, name: str, exclude: Optional[str] = None) -> tuple[list[Match], bool]:
    """
    The people of the organisation whose name starts with ``name`` (Webex's ``displayName`` lookup).

    :param api: the person's clients
    :param name: the name as typed
    :param exclude: a person id left out (the person looking)
    :return: at most :data:`MAX_MATCHES` people (no bots), and whether there are more
    """
    listed = api.people.list(display_name=' '.join(name.split()), calling_data=True, max=MAX_MATCHES + 1)
    found = [Match.of(person) for person in itertools.islice(listed, MAX_MATCHES + 1)
             if enum_str(person.person_type) != 'bot' and person.person_id != exclude]
    return found[:MAX_MATCHES], len(found) > MAX_MATCHES
