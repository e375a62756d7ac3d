"""
Who the bot is, as Webex says: learned once, at start, before anything that needs it is built.
"""
import logging
from dataclasses import dataclass
from typing import Optional

from .webex import BotApi

__all__ = ['BotIdentity']

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BotIdentity:
    """
    The bot's own person.
    """
    person_id: str
    org_id: Optional[str]
    #: the name people mention it by in group spaces
    display_name: str
    email: Optional[str] = None

    @classmethod
    def learn(cls, bot: BotApi) -> 'BotIdentity':
        """
        Ask Webex who the bot token belongs to (``GET /people/me``).

        :raises RestError: Webex refused the token
        """
        me = bot.people.me()
        return cls(person_id=me.person_id, org_id=me.org_id, display_name=me.display_name or '',
                   email=me.emails[0] if me.emails else None)
