"""
What the bot acts with where it keeps its access policy: the gate (who may talk to it), the membership guard (where
it may stay) and the broadcaster (where a broadcast goes) each take this one bundle.
"""
from dataclasses import dataclass

from .identity import BotIdentity
from .messenger import Messenger
from .policy import Policy
from .replies import Replies
from .stores import Coordination
from .webex import BotApi

__all__ = ['BotContext']


@dataclass(frozen=True)
class BotContext:
    """
    The bot's own means, built once for the deployment.
    """
    #: the access policy
    policy: Policy
    #: shared notes (what Webex said of a person, who added the bot where), claims and counters
    coordination: Coordination
    #: the bot's API clients
    bot: BotApi
    #: the bot's own person (its id and organisation)
    identity: BotIdentity
    #: posts the bot's messages
    messenger: Messenger
    #: the replies, in the deployment's language
    replies: Replies
