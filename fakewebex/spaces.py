"""
Spaces as the bot sees them: ``/rooms`` and ``/memberships`` over the rooms of
:class:`~fakewebex.messaging.Messaging` (no HTTP here).

A group room is owned by the organisation of whoever created it (or the one given), may be in announcement
mode, and has moderators. Every member has a membership with a stable id.
"""
import logging
from typing import TYPE_CHECKING, Optional

from .errors import WebexError
from .ids import new_id
from .models import Person

if TYPE_CHECKING:
    from .messaging import Room
    from .world import World

__all__ = ['Spaces']

log = logging.getLogger(__name__)


class Spaces:
    """
    Rooms and memberships of a :class:`~fakewebex.world.World`, as the REST API shows them.
    """

    def __init__(self, world: 'World'):
        """
        :param world: owner; provides lock, people and messaging
        """
        self._world = world
        #: (room id, person id) -> membership id
        self._membership_ids: dict[tuple[str, str], str] = {}

    def membership_id(self, room: 'Room', person_id: str) -> str:
        """
        The id of a person's membership in a room (created on first use).
        """
        with self._world.lock:
            return self._membership_ids.setdefault((room.id, person_id), new_id('MEMBERSHIP'))

    def room_json(self, room: 'Room') -> dict:
        """
        A room as ``GET /rooms/{id}`` returns it.
        """
        data = {'id': room.id, 'title': room.title, 'type': room.type, 'isLocked': room.is_announcement_only,
                'lastActivity': room.created, 'creatorId': room.member_ids[0] if room.member_ids else None,
                'created': room.created, 'ownerId': room.owner_id, 'isAnnouncementOnly': room.is_announcement_only}
        return {key: value for key, value in data.items() if value is not None}

    def membership_json(self, room: 'Room', person: Person) -> dict:
        """
        A membership as ``GET /memberships/{id}`` returns it.
        """
        return {'id': self.membership_id(room, person.id), 'roomId': room.id, 'personId': person.id,
                'personEmail': person.email, 'personDisplayName': person.display_name,
                'personOrgId': person.org_id, 'isModerator': person.id in room.moderator_ids,
                'isMonitor': False, 'roomType': room.type, 'created': room.created}

    def rooms(self, reader: Person, room_type: Optional[str] = None, max_items: Optional[int] = None) -> list[dict]:
        """
        ``GET /rooms``: the rooms ``reader`` is a member of, newest first.
        """
        with self._world.lock:
            found = [self.room_json(room) for room in reversed(list(self._world.messaging.rooms()))
                     if reader.id in room.member_ids and (room_type is None or room.type == room_type)]
            return found[:max_items] if max_items else found

    def room(self, reader: Person, room_id: str) -> dict:
        """
        ``GET /rooms/{id}``.

        :raises WebexError: 404 unless ``reader`` is a member
        """
        return self.room_json(self._world.messaging.room(room_id, member=reader))

    def memberships(self, reader: Person, room_id: Optional[str], person_id: Optional[str]) -> list[dict]:
        """
        ``GET /memberships``: in one room (of which ``reader`` is a member), or ``reader``'s own memberships.

        :raises WebexError: 404 for a room ``reader`` is not in
        """
        with self._world.lock:
            if room_id:
                rooms = [self._world.messaging.room(room_id, member=reader)]
            else:
                rooms = [room for room in self._world.messaging.rooms() if reader.id in room.member_ids]
                person_id = person_id or reader.id
            return [self.membership_json(room, self._world.person(member)) for room in rooms
                    for member in room.member_ids if person_id is None or member == person_id]

    def _find(self, reader: Person, membership_id: str) -> tuple['Room', Person]:
        with self._world.lock:
            for (room_id, person_id), known in self._membership_ids.items():
                room = self._world.messaging.room(room_id)
                if known == membership_id and person_id in room.member_ids and reader.id in room.member_ids:
                    return room, self._world.person(person_id)
            raise WebexError(404, description='Membership not found')

    def membership(self, reader: Person, membership_id: str) -> dict:
        """
        ``GET /memberships/{id}``.

        :raises WebexError: 404 if unknown or not visible to ``reader``
        """
        return self.membership_json(*self._find(reader, membership_id))

    def leave(self, caller: Person, membership_id: str) -> None:
        """
        ``DELETE /memberships/{id}``: one may remove oneself; moderators may remove others.

        :raises WebexError: 404 if not visible, 403 if not allowed
        """
        with self._world.lock:
            room, person = self._find(caller, membership_id)
            if person.id != caller.id and caller.id not in room.moderator_ids:
                raise WebexError(403, description='Only moderators can remove other members')
            room.member_ids.remove(person.id)
            log.debug('%s left %s', person.email, room.title)
