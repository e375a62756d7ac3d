"""
Attachment actions: people submitting cards (``Action.Submit``) on messages (no HTTP here).

As in Webex, the ``attachmentActions``/``created`` notification goes to the webhooks of the bot that posted the
card and carries no ``inputs``; the bot reads them with ``GET /attachment/actions/{id}``.
"""
import logging
from typing import TYPE_CHECKING, Any, Mapping

from .clock import iso
from .errors import WebexError, require_str
from .ids import new_id
from .models import Person

if TYPE_CHECKING:
    from .world import World

__all__ = ['AttachmentActions']

log = logging.getLogger(__name__)

#: action fields that go into notifications
_NOTIFIED_FIELDS = ('id', 'type', 'messageId', 'personId', 'roomId', 'created')


class AttachmentActions:
    """
    The attachment actions of a :class:`~fakewebex.world.World`.
    """

    def __init__(self, world: 'World'):
        """
        :param world: owner; provides lock, clock, people, messaging and webhooks
        """
        self._world = world
        self._actions: dict[str, dict[str, Any]] = {}
        #: action id -> people id of the card's author
        self._authors: dict[str, str] = {}

    def submit(self, person: Person, message_id: str, inputs: Mapping[str, Any]) -> dict:
        """
        ``person`` submits the card of a message in a room they are a member of.

        :param person: who presses the button
        :param message_id: the message carrying the card
        :param inputs: the card's input values
        :return: the stored action
        :raises WebexError: 404 if the message is unknown, deleted or not visible to ``person``; 400 if it
            carries no card
        """
        with self._world.lock:
            message = self._world.messaging.get(person, message_id)
            if not message.get('attachments'):
                raise WebexError(400, description='The message has no card')
            action = {'id': new_id('ATTACHMENT_ACTION'), 'type': 'submit', 'messageId': message_id,
                      'inputs': dict(inputs), 'personId': person.id, 'roomId': message['roomId'],
                      'created': iso(self._world.now())}
            self._actions[action['id']] = action
            self._authors[action['id']] = message['personId']
            author = self._world.person(message['personId'])
            if author.is_bot:
                self._world.hooks.fire('attachmentActions', 'created', {k: action[k] for k in _NOTIFIED_FIELDS},
                                       actor_id=person.id, audience=[author.id])
            log.debug('%s submitted card of message %s', person.email, message_id)
            return dict(action)

    def create(self, person: Person, body: dict) -> dict:
        """
        ``POST /attachment/actions {type: 'submit', messageId, inputs}``: what a Webex client sends on submit.

        :return: the stored action
        """
        if body.get('type') != 'submit':
            raise WebexError(400, description="type must be 'submit'")
        inputs = body.get('inputs')
        if not isinstance(inputs, dict):
            raise WebexError(400, description='inputs must be an object')
        return self.submit(person, require_str(body, 'messageId'), inputs)

    def get(self, reader: Person, action_id: str) -> dict:
        """
        ``GET /attachment/actions/{id}``: for the author of the card and the person who submitted it.

        :raises WebexError: 404 for anyone else or an unknown id
        """
        with self._world.lock:
            action = self._actions.get(action_id)
            if action is None or reader.id not in (action['personId'], self._authors[action_id]):
                raise WebexError(404, description='Attachment action not found')
            return dict(action)

    def all(self) -> list[dict]:
        """
        :return: every action, oldest first
        """
        with self._world.lock:
            return [dict(a) for a in self._actions.values()]
