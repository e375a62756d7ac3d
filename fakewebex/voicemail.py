"""
Webex Calling voicemail: one mailbox per person and ``telephony_mwi`` notifications (no HTTP here).

The JSON follows wxc_sdk's ``VoiceMessageDetails`` and ``MessageSummary``. Webex does not document the ``data``
of a ``telephony_mwi`` notification; the fake sends the mailbox summary (see :meth:`Voicemail.mwi_data`).
"""
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from .clock import iso
from .errors import WebexError
from .ids import new_id
from .models import Person

if TYPE_CHECKING:
    from .world import World

__all__ = ['VoiceMessage', 'Voicemail']

log = logging.getLogger(__name__)


@dataclass
class VoiceMessage:
    """
    One voice message in a mailbox.
    """
    id: str
    duration: int
    name: str
    number: str
    person_id: Optional[str]
    created: float
    urgent: bool = False
    confidential: bool = False
    read: bool = False

    def to_json(self) -> dict[str, Any]:
        """
        :return: the message as ``GET /telephony/voiceMessages`` lists it
        """
        calling_party = {'name': self.name, 'number': self.number, 'personId': self.person_id,
                         'privacyEnabled': False}
        return {'id': self.id, 'duration': self.duration,
                'callingParty': {k: v for k, v in calling_party.items() if v is not None},
                'urgent': self.urgent, 'confidential': self.confidential, 'read': self.read,
                'created': iso(self.created)}


class Voicemail:
    """
    The mailboxes of a :class:`~fakewebex.world.World`.
    """

    def __init__(self, world: 'World'):
        """
        :param world: owner; provides lock, clock and webhooks
        """
        self._world = world
        #: people id -> messages, oldest first
        self._boxes: dict[str, list[VoiceMessage]] = {}

    def leave(self, owner: Person, name: str, number: str, duration: int = 12, *, person_id: Optional[str] = None,
              urgent: bool = False, confidential: bool = False) -> dict:
        """
        A caller leaves a new (unread) message; fires ``telephony_mwi``.

        :param owner: mailbox owner
        :param name: caller name
        :param number: caller number
        :param duration: seconds
        :param person_id: the caller's people id, if a person of the fake
        :return: the message JSON
        """
        with self._world.lock:
            message = VoiceMessage(new_id('VOICEMAIL'), duration, name, number, person_id, self._world.now(),
                                   urgent, confidential)
            self._boxes.setdefault(owner.id, []).append(message)
            self._notify(owner)
            return message.to_json()

    def _box(self, owner: Person) -> list[VoiceMessage]:
        return self._boxes.setdefault(owner.id, [])

    def _find(self, owner: Person, message_id: Any) -> VoiceMessage:
        found = next((m for m in self._box(owner) if m.id == message_id), None)
        if found is None:
            raise WebexError(404, description='Voice message not found')
        return found

    def summary(self, owner: Person) -> dict[str, int]:
        """
        :return: ``GET /telephony/voiceMessages/summary``
        """
        with self._world.lock:
            box = self._box(owner)
            return {'newMessages': sum(not m.read for m in box), 'oldMessages': sum(m.read for m in box),
                    'newUrgentMessages': sum(m.urgent and not m.read for m in box),
                    'oldUrgentMessages': sum(m.urgent and m.read for m in box)}

    def list(self, owner: Person) -> list[dict]:
        """
        :return: ``GET /telephony/voiceMessages`` items, newest first
        """
        with self._world.lock:
            return [m.to_json() for m in reversed(self._box(owner))]

    def delete(self, owner: Person, message_id: str) -> None:
        """
        ``DELETE /telephony/voiceMessages/{id}``; fires ``telephony_mwi`` if the message was unread.

        :raises WebexError: 404 if not in the owner's mailbox
        """
        with self._world.lock:
            message = self._find(owner, message_id)
            self._box(owner).remove(message)
            if not message.read:
                self._notify(owner)

    def mark(self, owner: Person, message_id: Optional[str], read: bool) -> None:
        """
        ``POST /telephony/voiceMessages/markAsRead`` / ``markAsUnread``: one message, or all without an id;
        fires ``telephony_mwi`` if the number of new messages changed.

        :raises WebexError: 404 for an unknown message id
        """
        with self._world.lock:
            messages = [self._find(owner, message_id)] if message_id is not None else self._box(owner)
            changed = [m for m in messages if m.read != read]
            for message in changed:
                message.read = read
            if changed:
                self._notify(owner)

    def mwi_data(self, owner: Person) -> dict[str, Any]:
        """
        :return: ``data`` of a ``telephony_mwi`` notification: ``eventType: 'mwi'``, ``eventTimestamp``,
            ``personId``, ``orgId`` and the mailbox summary
        """
        return {'eventType': 'mwi', 'eventTimestamp': iso(self._world.now()), 'personId': owner.id,
                'orgId': owner.org_id, **self.summary(owner)}

    def _notify(self, owner: Person) -> None:
        self._world.hooks.fire('telephony_mwi', 'updated', self.mwi_data(owner), actor_id=owner.id,
                               audience=[owner.id])
