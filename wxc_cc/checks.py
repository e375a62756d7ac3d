"""
What every chat message and card press goes through before the bot acts on it: one ordered list of checks
(:func:`checks`), the same for both. Each check is a small named unit that passes what it is given, or stops it —
saying so where the person should hear it — and names the outcome counted for what it stopped. A new check is added
in one place.

What a check looks at is an :class:`Incoming`: the message or press as Webex says it is (``GET /messages/{id}``,
``GET /attachment/actions/{id}``), beside what its notification claimed.
"""
import datetime
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Optional

from wxc_sdk.attachment_actions import AttachmentAction, AttachmentActionData
from wxc_sdk.base import enum_str
from wxc_sdk.messages import Message

from .gate import Gate
from .locales import Catalogue
from .messenger import Messenger
from .notifications import MessageCreated

__all__ = ['Incoming', 'Check', 'Agrees', 'Admitted', 'Fresh', 'WithinRate', 'InDirectSpace', 'checks',
           'first_stop']

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Incoming:
    """A message or a card press as Webex says it is."""
    #: ``'message'`` or ``'card press'``, for the log
    what: str
    #: the message's or the submission's id
    item_id: str
    person_id: str
    #: the sender's address; ``None`` for a press (Webex gives none)
    email: Optional[str]
    room_id: str
    #: ``'direct'`` or ``'group'``; a press counts as ``'direct'`` (cards are sent to 1:1 spaces only)
    room_type: str
    #: when Webex created it
    created: Optional[datetime.datetime]
    #: the fields in which its notification disagreed with Webex, e.g. ``'personId, roomId'``; ``None``
    disagreement: Optional[str]

    @classmethod
    def of_message(cls, notification: MessageCreated, message: Message, bot_id: str) -> 'Incoming':
        """A message, beside its notification's claims; in a group space it must mention the bot."""
        claimed = {'personId': notification.person_id, 'roomId': notification.room_id,
                   'roomType': notification.room_type}
        actual = {'personId': message.person_id, 'roomId': message.room_id, 'roomType': enum_str(message.room_type)}
        if notification.person_email is not None:
            claimed['personEmail'], actual['personEmail'] = notification.person_email, message.person_email
        wrong = [name for name in claimed if claimed[name] != actual[name]]
        if actual['roomType'] != 'direct' and bot_id not in (message.mentioned_people or ()):
            wrong.append('mentionedPeople')
        return cls('message', message.id, message.person_id, message.person_email, message.room_id,
                   actual['roomType'], message.created, ', '.join(wrong) or None)

    @classmethod
    def of_press(cls, notification: AttachmentActionData, action: AttachmentAction) -> 'Incoming':
        """A card press, beside its notification's claims."""
        claimed = {'personId': notification.person_id, 'roomId': notification.room_id,
                   'messageId': notification.message_id}
        actual = {'personId': action.person_id, 'roomId': action.room_id, 'messageId': action.message_id}
        wrong = [name for name in claimed if claimed[name] != actual[name]]
        return cls('card press', action.id, action.person_id, None, action.room_id, 'direct', action.created,
                   ', '.join(wrong) or None)


class Check(ABC):
    """One check: passes what it is given, or stops it."""
    #: what is counted (``wxc_cc_commands_total``'s outcome) for what this check stops
    outcome: str

    @abstractmethod
    def passes(self, incoming: Incoming) -> bool:
        """True to go on; False when stopped (logged, and told to the person where they should hear it)."""


class Agrees(Check):
    """The notification says what Webex says: nothing the bot does rests on a notification's word."""
    outcome = 'ignored'

    def passes(self, incoming: Incoming) -> bool:
        if incoming.disagreement:
            log.warning('notification of %s %s disagrees with Webex on %s: not acted on', incoming.what,
                        incoming.item_id, incoming.disagreement)
            return False
        return True


class Admitted(Check):
    """The sender policy lets the person use the bot (a refused person hears so once a day)."""
    outcome = 'refused'

    def __init__(self, gate: Gate):
        self.gate = gate

    def passes(self, incoming: Incoming) -> bool:
        return self.gate.admit(incoming.person_id, incoming.email, incoming.room_id, incoming.what)


class Fresh(Check):
    """
    Not older than ``WXC_CC_MAX_COMMAND_AGE`` by Webex's clock, so that a notification replayed later never repeats
    an action; the person is asked to send it again.
    """
    outcome = 'too_old'

    def __init__(self, max_age: float, messenger: Messenger, catalogue: Catalogue):
        self.max_age = max_age
        self.messenger = messenger
        self.catalogue = catalogue

    def passes(self, incoming: Incoming) -> bool:
        now = datetime.datetime.now(datetime.timezone.utc)
        age = (now - incoming.created).total_seconds() if incoming.created else None
        if age is not None and age <= self.max_age:
            return True
        log.warning('%s %s from %s is %s s old: not acted on', incoming.what, incoming.item_id, incoming.person_id,
                    'an unknown number of' if age is None else f'{age:.0f}')
        self.messenger.send(self.catalogue.t('too_old'), room_id=incoming.room_id)
        return False


class WithinRate(Check):
    """Within the person's rate limit, messages and presses counted together."""
    outcome = 'rate_limited'

    def __init__(self, gate: Gate):
        self.gate = gate

    def passes(self, incoming: Incoming) -> bool:
        return self.gate.within_rate(incoming.person_id, incoming.email, incoming.room_id, incoming.what)


class InDirectSpace(Check):
    """In a 1:1 space: in a group space the bot only points there."""
    outcome = 'ignored'

    def __init__(self, messenger: Messenger, catalogue: Catalogue):
        self.messenger = messenger
        self.catalogue = catalogue

    def passes(self, incoming: Incoming) -> bool:
        if incoming.room_type == 'direct':
            return True
        self.messenger.send(self.catalogue.t('group_pointer'), room_id=incoming.room_id)
        return False


def checks(*, gate: Gate, messenger: Messenger, catalogue: Catalogue, max_age: float) -> tuple[Check, ...]:
    """
    The checks, in their order: the notification agrees with Webex, the sender is allowed, the command is not too
    old, the person is within the rate limit, the space is a 1:1 space.
    """
    return (Agrees(), Admitted(gate), Fresh(max_age, messenger, catalogue), WithinRate(gate),
            InDirectSpace(messenger, catalogue))


def first_stop(chain: tuple[Check, ...], incoming: Incoming) -> Optional[Check]:
    """The first check that stops ``incoming``, or ``None`` when all pass."""
    return next((check for check in chain if not check.passes(incoming)), None)
