"""
The caller IDs a person may choose for their outgoing calls and the one they chose, with Webex's "call settings
for me": ``GET /telephony/config/people/me/settings/availableCallerIds``, ``GET`` and ``PUT .../selectedCallerId``
(``{"selected": {"type": ..., "id"?, "directNumber"?}}``). No HTTP here.

What the emulator keeps: the caller IDs the tests give a person (:meth:`CallerIds.add`), in that order, and the
selected one, ``DEFAULT_CLID`` (the person's own name and number, as the administrator configured) until the person
chooses another. A ``CALL_QUEUE`` or ``HUNT_GROUP`` is chosen by its ``id``, an ``ADDITIONAL_CLID`` by its
``directNumber``; anything that is not one of the person's caller IDs is refused (400).
"""
import logging
from typing import TYPE_CHECKING, Any, Mapping, Optional

from .errors import WebexError
from .ids import new_id
from .models import Person

if TYPE_CHECKING:
    from .world import World

__all__ = ['CALLER_ID_TYPES', 'DEFAULT', 'CallerIds']

log = logging.getLogger(__name__)

#: the types of caller IDs; those chosen by ``id``, and by ``directNumber``
CALLER_ID_TYPES = frozenset({'DEFAULT_CLID', 'ADDITIONAL_CLID', 'CALL_QUEUE', 'HUNT_GROUP'})
_BY_ID = frozenset({'CALL_QUEUE', 'HUNT_GROUP'})
DEFAULT = 'DEFAULT_CLID'


def _matches(entry: Mapping, chosen: Mapping) -> bool:
    """Whether ``chosen`` (a PUT's ``selected``) names the available caller ID ``entry``."""
    if entry['type'] != chosen.get('type'):
        return False
    if entry['type'] in _BY_ID:
        return entry.get('id') == chosen.get('id')
    if entry['type'] == 'ADDITIONAL_CLID':
        return entry.get('directNumber') == chosen.get('directNumber')
    return True


class CallerIds:
    """
    The caller IDs of the people of a :class:`~fakewebex.world.World`.
    """

    def __init__(self, world: 'World'):
        """
        :param world: owner; provides the lock
        """
        self._world = world
        self._available: dict[str, list[dict[str, Any]]] = {}
        #: person id -> the available caller ID selected; absent: the default
        self._selected: dict[str, dict[str, Any]] = {}

    # --- the test API's side

    def add(self, person: Person, kind: str, name: str, number: Optional[str] = None,
            extension: Optional[str] = None, caller_id: Optional[str] = None) -> dict[str, Any]:
        """
        One more caller ID ``person`` may choose, listed after those before.

        :param kind: ``CALL_QUEUE``, ``HUNT_GROUP``, ``ADDITIONAL_CLID`` or ``DEFAULT_CLID``
        :param number: its direct number (required for ``ADDITIONAL_CLID``)
        :param caller_id: the id of a call queue or hunt group (default: a new one)
        :return: the caller ID as ``availableCallerIds`` lists it
        :raises ValueError: an unknown type, or an additional caller ID without a number
        """
        if kind not in CALLER_ID_TYPES or (kind == 'ADDITIONAL_CLID' and not number):
            raise ValueError(f'a caller ID of type {kind!r} with number {number!r} cannot be chosen')
        entry: dict[str, Any] = {'type': kind}
        if kind in _BY_ID:
            entry['id'] = caller_id or new_id(kind)
        entry['name'] = name
        if number:
            entry['directNumber'] = number
        if extension:
            entry['extension'] = extension
        with self._world.lock:
            self._available.setdefault(person.id, []).append(entry)
        return dict(entry)

    # --- the API

    def available(self, person: Person) -> dict[str, Any]:
        """:return: ``GET .../settings/availableCallerIds``"""
        with self._world.lock:
            return {'availableCallerIds': [dict(entry) for entry in self._available.get(person.id, ())]}

    def selected(self, person: Person) -> dict[str, Any]:
        """:return: ``GET .../settings/selectedCallerId``: the chosen caller ID, or the person's own (default)"""
        with self._world.lock:
            chosen = self._selected.get(person.id)
            if chosen is not None:
                return {'selected': dict(chosen)}
            own: dict[str, Any] = {'type': DEFAULT, 'name': person.display_name}
            if person.number:
                own['directNumber'] = person.number
            if person.extension:
                own['extension'] = person.extension
            return {'selected': own}

    def select(self, person: Person, body: Mapping) -> None:
        """
        ``PUT .../settings/selectedCallerId``.

        :raises WebexError: 400 for a caller ID that is not one of the person's
        """
        chosen = body.get('selected') or {}
        with self._world.lock:
            if chosen.get('type') == DEFAULT:
                self._selected.pop(person.id, None)
                return
            entry = next((entry for entry in self._available.get(person.id, ()) if _matches(entry, chosen)), None)
            if entry is None:
                raise WebexError(400, description='The selected caller ID is not available to the user')
            self._selected[person.id] = dict(entry)
