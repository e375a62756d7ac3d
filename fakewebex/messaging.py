"""
Rooms and messages (no HTTP here).
"""
import logging
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Optional

from .clock import iso
from .errors import WebexError
from .ids import new_id
from .models import Person

if TYPE_CHECKING:
    from .world import World

__all__ = ['MAX_MESSAGE_BYTES', 'Room', 'Messaging']

log = logging.getLogger(__name__)

#: longest text or markdown Webex accepts, in UTF-8 bytes
MAX_MESSAGE_BYTES = 7439

#: markdown mention tags: <@personEmail:x@y|Name> or <@personId:ID|Name>
_MENTION = re.compile(r'<@(personEmail|personId):([^|>]+)')

#: message fields that go into notifications (the text never does)
_NOTIFIED_FIELDS = ('id', 'roomId', 'roomType', 'personId', 'personEmail', 'created', 'mentionedPeople')


@dataclass
class Room:
    """
    A space: ``'direct'`` (1:1) or ``'group'``.
    """
    id: str
    title: str
    type: str
    created: str
    member_ids: list[str] = field(default_factory=list)
    #: organisation owning the room
    owner_id: Optional[str] = None
    #: only moderators may post
    is_announcement_only: bool = False
    moderator_ids: list[str] = field(default_factory=list)


class Messaging:
    """
    Rooms and messages of a :class:`~fakewebex.world.World`.
    """

    def __init__(self, world: 'World'):
        """
        :param world: owner; provides lock, clock, people and webhooks
        """
        self._world = world
        self._rooms: dict[str, Room] = {}
        self._direct: dict[frozenset, str] = {}
        self._messages: dict[str, dict] = {}
        #: called with each new message (a copy), in the thread that stored it; keep them quick
        self.listeners: list[Callable[[dict], None]] = []

    def direct_room(self, a: Person, b: Person) -> Room:
        """
        The 1:1 room of two people, created on first use.
        """
        with self._world.lock:
            key = frozenset((a.id, b.id))
            if key not in self._direct:
                room = Room(new_id('ROOM'), b.display_name, 'direct', iso(self._world.now()), [a.id, b.id])
                self._rooms[room.id] = room
                self._direct[key] = room.id
            return self._rooms[self._direct[key]]

    def add_group_room(self, title: str, members: Iterable[Person], *, owner_id: Optional[str] = None,
                       announcement: bool = False, moderators: Iterable[Person] = ()) -> Room:
        """
        Create a group room, owned by the organisation of its first member unless ``owner_id`` is given.
        """
        with self._world.lock:
            members = list(members)
            owner = owner_id or (members[0].org_id if members else self._world.org_id)
            room = Room(new_id('ROOM'), title, 'group', iso(self._world.now()), [p.id for p in members], owner,
                        announcement, [p.id for p in moderators])
            self._rooms[room.id] = room
            return room

    def rooms(self) -> list[Room]:
        """
        :return: every room, oldest first
        """
        with self._world.lock:
            return list(self._rooms.values())

    def room(self, room_id: str, member: Optional[Person] = None) -> Room:
        """
        :param room_id: room id
        :param member: if given, the room must have this member
        :raises WebexError: 404 if unknown or ``member`` is not in it
        """
        with self._world.lock:
            room = self._rooms.get(room_id)
            if room is None or (member is not None and member.id not in room.member_ids):
                raise WebexError(404, description='Room not found')
            return room

    def post(self, author: Person, body: dict) -> dict:
        """
        ``POST /messages``.

        :param author: token owner
        :param body: JSON body: one of ``roomId, toPersonId, toPersonEmail``; ``text`` and/or ``markdown``;
            optional ``attachments, parentId``
        :return: the stored message
        """
        targets = [k for k in ('roomId', 'toPersonId', 'toPersonEmail') if body.get(k)]
        if len(targets) != 1:
            raise WebexError(400, description='Exactly one of roomId, toPersonId or toPersonEmail is required')
        text, markdown, attachments = body.get('text'), body.get('markdown'), body.get('attachments')
        if not (text or markdown or attachments):
            raise WebexError(400, description='text, markdown or attachments is required')
        if attachments is not None and not (isinstance(attachments, list)
                                            and all(isinstance(a, dict) and 'contentType' in a
                                                    for a in attachments)):
            raise WebexError(400, description='attachments must be a list of {contentType, content}')
        with self._world.lock:
            if targets[0] == 'roomId':
                room = self.room(body['roomId'], member=author)
            else:
                peer = self._world.person(body.get('toPersonId') or body['toPersonEmail'])
                room = self.direct_room(author, peer)
            mentioned = (self._world.find_person(ident) for _, ident in _MENTION.findall(markdown or ''))
            mentions = [p.id for p in mentioned if p is not None]
            return self.send(author, room, text=text, markdown=markdown, mention_ids=mentions,
                             attachments=attachments, parent_id=body.get('parentId'))

    def send(self, author: Person, room: Room, *, text: Optional[str] = None, markdown: Optional[str] = None,
             mention_ids: Iterable[str] = (), attachments: Optional[list] = None,
             parent_id: Optional[str] = None) -> dict:
        """
        Store a message and fire ``messages/created`` webhooks of the room's members.

        :return: the message JSON
        """
        for content in (text, markdown):
            if content is not None and len(str(content).encode('utf-8')) > MAX_MESSAGE_BYTES:
                raise WebexError(400, 'Message exceeds the maximum length',
                                 f'The message is longer than {MAX_MESSAGE_BYTES} bytes')
        with self._world.lock:
            if author.id not in room.member_ids:
                raise WebexError(404, description='Room not found')
            if room.is_announcement_only and author.id not in room.moderator_ids:
                raise WebexError(403, description='Only moderators can post in an announcement space')
            if parent_id is not None and self._messages.get(parent_id, {}).get('roomId') != room.id:
                raise WebexError(400, description='parentId is not a message in this room')
            message = {'id': new_id('MESSAGE'), 'roomId': room.id, 'roomType': room.type,
                       'text': text if text is not None else markdown, 'markdown': markdown,
                       'attachments': attachments, 'parentId': parent_id,
                       'personId': author.id, 'personEmail': author.email, 'created': iso(self._world.now()),
                       'mentionedPeople': list(dict.fromkeys(mention_ids)) or None}
            message = {k: v for k, v in message.items() if v is not None}
            self._messages[message['id']] = message
            self._world.touch()
            for listener in self.listeners:
                listener(dict(message))
            self._notify('created', message, author)
            log.debug('message %s by %s in %s: %.60r', message['id'], author.email, room.type, message['text'])
            return dict(message)

    def _notify(self, event: str, message: dict, actor: Person) -> None:
        data = {k: message[k] for k in _NOTIFIED_FIELDS if k in message}
        room = self._rooms[message['roomId']]
        mentioned = set(message.get('mentionedPeople', ()))
        # as in Webex, a bot hears of group-space messages only when they mention it (or are its own)
        audience = [member for member in room.member_ids
                    if room.type == 'direct' or member in mentioned or member == actor.id
                    or not self._world.person(member).is_bot]
        self._world.hooks.fire('messages', event, data, actor_id=actor.id, audience=audience)

    def get(self, reader: Person, message_id: str) -> dict:
        """
        ``GET /messages/{id}``: only members of the room may read it.

        :raises WebexError: 404 if unknown or not visible to ``reader``
        """
        with self._world.lock:
            message = self._messages.get(message_id)
            if message is None or reader.id not in self._rooms[message['roomId']].member_ids:
                raise WebexError(404, description='Message not found')
            return dict(message)

    def delete(self, caller: Person, message_id: str) -> None:
        """
        ``DELETE /messages/{id}``: only the author may delete; fires ``messages/deleted``.

        :raises WebexError: 404 if not visible, 403 if not the author
        """
        with self._world.lock:
            message = self.get(caller, message_id)
            if message['personId'] != caller.id:
                raise WebexError(403, description='Only the author can delete this message')
            del self._messages[message_id]
            self._notify('deleted', message, caller)

    def list_room(self, reader: Person, room_id: str, max_items: Optional[int] = None) -> list[dict]:
        """
        ``GET /messages?roomId=``: newest first, like Webex.
        """
        with self._world.lock:
            self.room(room_id, member=reader)
            items = [dict(m) for m in reversed(self._messages.values()) if m['roomId'] == room_id]
            return items[:max_items] if max_items else items

    def list_direct(self, reader: Person, peer_key: str) -> list[dict]:
        """
        ``GET /messages/direct?personId=`` (or ``personEmail=``): the messages of the reader's 1:1 room with that
        person, newest first, like Webex; none when they have no such room yet.

        :raises WebexError: 404 for a person the emulator does not know
        """
        with self._world.lock:
            peer = self._world.person(peer_key)
            room_id = self._direct.get(frozenset((reader.id, peer.id)))
            return [dict(m) for m in reversed(self._messages.values()) if room_id and m['roomId'] == room_id]

    def messages(self, room_id: Optional[str] = None, author_id: Optional[str] = None) -> list[dict]:
        """
        :param room_id: only messages in this room
        :param author_id: only messages by this person
        :return: stored messages, oldest first
        """
        with self._world.lock:
            return [dict(m) for m in self._messages.values()
                    if (room_id is None or m['roomId'] == room_id)
                    and (author_id is None or m['personId'] == author_id)]

    def wait_for(self, predicate: Callable[[dict], bool], timeout: float = 5.0) -> dict:
        """
        Wait until a stored message satisfies ``predicate``.

        :param predicate: called with copies of stored messages, oldest first
        :param timeout: seconds
        :return: the first matching message
        :raises AssertionError: on timeout, listing the last messages
        """
        deadline = time.monotonic() + timeout
        with self._world.changed:
            while True:
                match = next((m for m in self.messages() if predicate(m)), None)
                remaining = deadline - time.monotonic()
                if match is not None or remaining <= 0:
                    break
                self._world.changed.wait(remaining)
            if match is None:
                last = '\n'.join(f"  {m['personEmail']}: {m.get('text', '')!r}" for m in self.messages()[-5:])
                raise AssertionError(f'no matching message within {timeout}s; last messages:\n{last or "  (none)"}')
            return match
