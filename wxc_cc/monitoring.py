"""
What a monitored user sees of their calls: one live card per call.

Each call event that changes a call's state posts the call's current card (buttons that fit the new state) and
deletes the previous one, so that the chat shows one live card per call instead of a trail of dead buttons. An
event that does not change the state is a line of text; an ended call leaves a line and no card. Which message
is a call's live card is kept in the token store, shared by all workers; events older than the one the card
shows are ignored (events can reach different workers out of order). ``/monitor verbose`` adds the raw event.
A new voicemail is announced. Times are shown in the user's own time zone (:mod:`wxc_cc.timezones`), read again
first when the reading is a day old.
"""
import datetime
import json
import logging
from collections.abc import Callable
from typing import Optional

from wxc_sdk.base import enum_str
from wxc_sdk.telephony.calls import TelephonyEventData

from .cards import Cards
from .messenger import Messenger
from .replies import Reply, code_block
from .stores import Coordination, UserContext
from .timezones import TimeZones
from .webex import UserApi

__all__ = ['CallMonitor', 'card_key']

log = logging.getLogger(__name__)

#: seconds a live card is remembered: longer than any call
CARD_MEMORY = 12 * 3600


def card_key(user_id: str, call_id: str) -> str:
    """The store note naming the live card of a user's call."""
    return f'card:{user_id}:{call_id}'


class CallMonitor:
    """
    Turns a monitored user's call and voicemail events into chat messages and cards.

    :param coordination: shared notes: which message is a call's live card, the voicemail count announced
    :param messenger: posts and deletes the cards and lines
    :param cards: the cards, in the deployment's language
    :param user_api: builds API clients for a user
    :param zones: the users' time zones
    """

    def __init__(self, *, coordination: Coordination, messenger: Messenger, cards: Cards,
                 user_api: Callable[[UserContext], UserApi], zones: TimeZones):
        self.coordination = coordination
        self.messenger = messenger
        self.cards = cards
        self.replies = cards.replies
        self.user_api = user_api
        self.zones = zones

    def call_event(self, user: UserContext, event: TelephonyEventData, raw: dict) -> None:
        """
        Show a call event: a new live card when the state changed, else a line.

        :param user: the monitored user
        :param event: the parsed event
        :param raw: the event's data as Webex sent it (shown with ``/monitor verbose``)
        """
        key = card_key(user.user_id, event.call_id)
        note = self._note(key)
        event_time = event.event_timestamp.astimezone(datetime.timezone.utc)
        if note and datetime.datetime.fromisoformat(note['at']) > event_time:
            log.info('call event %s for %s older than the card, ignored', event.event_type, user.user_id)
            return
        state = enum_str(event.state)
        user = self.zones.fresh(user, self.user_api)
        cards = self.cards.in_zone(user.timezone)
        line = cards.replies.call_event(event, event.event_type, event.event_timestamp)
        if state == 'disconnected' or not cards.call_actions(event, user.user_id):
            self.messenger.send(line, to_person_id=user.user_id)
            self._retire(key, note, keep=state != 'disconnected', at=event_time, state=state)
        elif note and note['state'] == state:
            self.messenger.send(line, to_person_id=user.user_id)
            self.coordination.set_note(key, json.dumps({**note, 'at': event_time.isoformat()}), CARD_MEMORY)
        else:
            message_id = self.messenger.send(Reply(line, cards.call_card(event, user.user_id)),
                                             to_person_id=user.user_id)
            self.coordination.set_note(key, json.dumps({'message': message_id, 'state': state,
                                                        'at': event_time.isoformat()}), CARD_MEMORY)
            self._delete(note)
        if user.verbose:
            self.messenger.send(code_block(json.dumps(raw, indent=2)), to_person_id=user.user_id)

    def live_card(self, user_id: str, call_id: str) -> Optional[str]:
        """
        The message id of a call's live card, or ``None`` when the call has none (ended, or never shown).
        """
        note = self._note(card_key(user_id, call_id))
        return note['message'] if note else None

    def voicemail_event(self, user: UserContext, data: dict) -> None:
        """
        Announce new voicemail when the count of new messages went up.
        """
        new = data.get('newMessages')
        if not isinstance(new, int):
            summary = self.user_api(user).voicemail.summary()
            new = summary.new_messages or 0
        key = f'mwi:{user.user_id}'
        before = int(self.coordination.get_note(key) or 0)
        self.coordination.set_note(key, str(new), 30 * 86400)
        if new > before:
            self.messenger.send(self.replies.new_voicemail(new), to_person_id=user.user_id)

    def _note(self, key: str) -> Optional[dict]:
        value = self.coordination.get_note(key)
        return json.loads(value) if value else None

    def _retire(self, key: str, note: Optional[dict], *, keep: bool, at: datetime.datetime, state: str) -> None:
        if keep:
            self.coordination.set_note(key, json.dumps({'message': None, 'state': state, 'at': at.isoformat()}),
                                       CARD_MEMORY)
        else:
            self.coordination.delete_note(key)
        self._delete(note)

    def _delete(self, note: Optional[dict]) -> None:
        if note and note.get('message'):
            self.messenger.delete(note['message'])
