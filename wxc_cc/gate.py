"""
The door: who may talk to the bot (the sender policy) and how often (the per-person rate limit, one count of
their messages and card presses together).

A refused person gets one polite refusal a day and nothing else: no Webex request is made for them but reading
their message, and, when the policy needs to know, one look-up of their address and organisation (remembered for
a day; card presses carry no address).
Every refusal is logged with who, what and why.
"""
import json
import logging
from typing import NamedTuple, Optional

import requests
from wxc_sdk.rest import RestError

from .botcontext import BotContext
from .errors import webex_reason

__all__ = ['Gate', 'Sender']

log = logging.getLogger(__name__)

DAY = 86400


class Sender(NamedTuple):
    """What the gate knows of a sender."""
    email: Optional[str]
    org_id: Optional[str]


class Gate:
    """
    Admits or refuses senders.

    :param context: the policy; shared notes (what Webex said of a person), claims (one refusal a day) and counters;
        people look-ups; the bot's organisation; refusals and notices posted in the deployment's language
    """

    def __init__(self, context: BotContext):
        self.context = context

    def refusal(self, person_id: str, email: Optional[str]) -> Optional[str]:
        """
        Why the policy refuses a sender, or ``None`` if it admits them.

        :param email: the sender's address as Webex gave it; ``None`` when the notification has none (a card
            press), and then it is looked up when the policy needs it
        """
        senders = self.context.policy.senders
        if senders.anyone:
            return None
        if email is None:
            email = self.sender(person_id).email
        if senders.admits_by_address(email):
            return None
        if senders.needs_org and self.org_of(person_id) == self.context.identity.org_id:
            return None
        return 'not an allowed sender'

    def sender(self, person_id: str) -> Sender:
        """
        A person's address and organisation as Webex knows them, looked up once a day.
        """
        key = f'person:{person_id}'
        note = self.context.coordination.get_note(key)
        if note is None:
            try:
                details = self.context.bot.people.details(person_id)
            except (RestError, requests.RequestException) as error:
                log.warning('person %s unknown: %s', person_id, webex_reason(error))
                return Sender(None, None)
            found = Sender(details.emails[0] if details.emails else None, details.org_id)
            self.context.coordination.set_note(key, json.dumps(found._asdict()), DAY)
            return found
        return Sender(**json.loads(note))

    def org_of(self, person_id: str) -> Optional[str]:
        """
        A person's organisation, looked up once a day.
        """
        return self.sender(person_id).org_id

    def admit(self, person_id: str, email: Optional[str], room_id: str, what: str) -> bool:
        """
        True if the sender may use the bot; else log, refuse politely (once a day) and return False.

        :param what: what they tried, for the log, e.g. ``'message'``
        """
        reason = self.refusal(person_id, email)
        if reason is None:
            return True
        log.warning('refused %s from %s (%s): %s', what, email, person_id, reason)
        if self.context.coordination.first_time(f'refused:{person_id}', DAY):
            self.context.messenger.send(self.context.replies.t('policy.not_allowed'), room_id=room_id)
        return False

    def within_rate(self, person_id: str, email: Optional[str], room_id: str, what: str) -> bool:
        """
        True while the person stays within the rate limit; the first message or press over it gets a notice, the
        others nothing. A person's messages and card presses count together, on one counter.

        :param what: what they tried, for the log, e.g. ``'message'`` or ``'card press'``
        """
        limit, window = self.context.policy.rate_limit_commands, self.context.policy.rate_limit_seconds
        count = self.context.coordination.count(f'rate:{person_id}', window)
        if count <= limit:
            return True
        log.warning('refused %s from %s (%s): rate limit, %d in %.0f s', what, email, person_id, count, window)
        if count == limit + 1:
            self.context.messenger.send(self.context.replies.slow_down(limit, window), room_id=room_id)
        return False
