"""
The door: who may talk to the bot (the sender policy) and how often (the per-person rate limit).

A refused person gets one polite refusal a day and nothing else: no Webex request is made for them but reading
their message, and, when the policy needs to know, one look-up of their address and organisation (remembered for
a day; card presses carry no address).
Every refusal is logged with who, what and why.
"""
import json
import logging
from collections.abc import Callable
from typing import NamedTuple, Optional

import requests
from wxc_sdk.rest import RestError

from . import replies
from .locales import t
from .errors import webex_reason
from .policy import Policy
from .stores import TokenManager
from .webex import BotApi

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

    :param policy: the access policy
    :param store: the token store (notes, counters)
    :param bot: the bot's API clients (organisation look-ups)
    :param bot_org_id: the bot's organisation, known after start-up
    :param send: posts a message (``BotCore.send``)
    """

    def __init__(self, *, policy: Policy, store: TokenManager, bot: BotApi, bot_org_id: Callable[[], Optional[str]],
                 send: Callable[..., Optional[str]]):
        self.policy = policy
        self.store = store
        self.bot = bot
        self.bot_org_id = bot_org_id
        self.send = send

    def refusal(self, person_id: str, email: Optional[str]) -> Optional[str]:
        """
        Why the policy refuses a sender, or ``None`` if it admits them.

        :param email: the sender's address as Webex gave it; ``None`` when the notification has none (a card
            press), and then it is looked up when the policy needs it
        """
        senders = self.policy.senders
        if senders.anyone:
            return None
        if email is None:
            email = self.sender(person_id).email
        if senders.admits_by_address(email):
            return None
        if senders.needs_org and self.org_of(person_id) == self.bot_org_id():
            return None
        return 'not an allowed sender'

    def sender(self, person_id: str) -> Sender:
        """
        A person's address and organisation as Webex knows them, looked up once a day.
        """
        key = f'person:{person_id}'
        note = self.store.get_note(key)
        if note is None:
            try:
                details = self.bot.people.details(person_id)
            except (RestError, requests.RequestException) as error:
                log.warning('person %s unknown: %s', person_id, webex_reason(error))
                return Sender(None, None)
            found = Sender(details.emails[0] if details.emails else None, details.org_id)
            self.store.set_note(key, json.dumps(found._asdict()), DAY)
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
        if self.store.first_time(f'refused:{person_id}', DAY):
            self.send(t('policy.not_allowed'), room_id=room_id)
        return False

    def within_rate(self, person_id: str, email: Optional[str], room_id: str) -> bool:
        """
        True while the person stays within the rate limit; the first command over it gets a notice, the
        others nothing.
        """
        limit, window = self.policy.rate_limit_commands, self.policy.rate_limit_seconds
        count = self.store.count(f'rate:{person_id}', window)
        if count <= limit:
            return True
        log.warning('refused command from %s (%s): rate limit, %d in %.0f s', email, person_id, count, window)
        if count == limit + 1:
            self.send(replies.slow_down(limit, window), room_id=room_id)
        return False
