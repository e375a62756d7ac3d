"""
What a command is served with: the :class:`Request` as the person sent it, the :class:`Services` of the
deployment (built once, in one direction, by :func:`wxc_cc.core.build_core`) and, for commands that act for the
person, their tokens and time zone (:class:`Context`).
"""
import logging
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Optional

from wxc_sdk.attachment_actions import AttachmentAction
from wxc_sdk.tokens import Tokens

from ..cards import Cards
from ..config import Settings
from ..ends import Ends
from ..errors import BotError
from ..identity import BotIdentity
from ..locales import Catalogue
from ..policy import Policy
from ..replies import Replies
from ..stores import Stores, UserContext
from ..timezones import TimeZones
from ..webex import UserApi, WebexClients
from .registry import Command, Registry

if TYPE_CHECKING:
    from ..broadcast import Broadcaster
    from ..oauth import OAuthClient
    from ..webhooks import CallEventWebhooks

__all__ = ['Request', 'Services', 'Context', 'Pressed']

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Request:
    """
    One command as a person sent it (who and where as Webex says).
    """
    #: the command word, lower case, e.g. ``'/dial'``
    command: str
    #: the text after the command word, stripped
    argument: str
    person_id: str
    person_email: Optional[str]
    room_id: str
    #: the argument as the sender formatted it (markdown), when there is markdown
    markdown: Optional[str] = None
    #: URLs of the files attached to the message
    files: tuple[str, ...] = ()

    @property
    def words(self) -> list[str]:
        """The argument split into words."""
        return self.argument.split()


@dataclass(frozen=True)
class Services:
    """
    What commands may use, built once for the deployment.
    """
    settings: Settings
    identity: BotIdentity
    replies: Replies
    cards: Cards
    stores: Stores
    clients: WebexClients
    oauth: 'OAuthClient'
    call_webhooks: 'CallEventWebhooks'
    policy: Policy
    broadcaster: 'Broadcaster'
    #: the people's time zones
    zones: TimeZones
    #: the settings that go back by themselves, pending
    ends: Ends
    commands: Registry = field(repr=False)

    @property
    def catalogue(self) -> Catalogue:
        """The deployment's texts (those of :attr:`replies`)."""
        return self.replies.catalogue

    def user_api(self, user: UserContext) -> UserApi:
        """
        Webex clients acting for a user; when Webex refuses the access token early, it is refreshed (once for
        all concurrent requests) and the request made again.

        :param user: the user's context
        """
        def refreshed(rejected: str) -> Optional[Tokens]:
            context = self.stores.tokens.refresh_rejected(user.user_id, rejected)
            return context.tokens if context else None

        return self.clients.user(user.tokens, user.user_id, on_unauthorized=refreshed)


@dataclass
class Context:
    """
    A request with the command it asks for, the services to serve it and, for commands that need them, the
    person's context (tokens, time zone).
    """
    request: Request
    command: Command
    services: Services
    user: Optional[UserContext] = None

    @cached_property
    def replies(self) -> Replies:
        """The replies, in the deployment's language, with times in the person's zone (UTC without their context)."""
        return self.services.replies.in_zone(self.user.timezone if self.user else None)

    @cached_property
    def cards(self) -> Cards:
        """The cards, as :attr:`replies` words them."""
        return Cards(self.replies)

    def t(self, key: str, **values: object) -> str:
        """A text of the deployment's catalogue (:meth:`~wxc_cc.locales.catalogue.Catalogue.t`)."""
        return self.services.catalogue.t(key, **values)

    def user_api(self) -> UserApi:
        """
        Webex clients acting for the person who sent the command.
        """
        assert self.user is not None, f'{self.command.name} does not declare Need.USER'
        return self.services.user_api(self.user)

    def usage_error(self) -> BotError:
        """
        The error for wrong arguments: the command's usage line and what it does.
        """
        # TRANSLATORS: {usage} is the command's usage line, as typed: /dial <number, SIP URI or name>
        return BotError(self.t('usage', usage=self.command.usage) + '  \n' + self.command.help(self.services.catalogue),
                        f'bad arguments for {self.command.name}')

    def require_admin(self, what: str) -> None:
        """
        Refuse (and log) unless the sender is one of the policy's admins.

        :param what: the command, e.g. ``'/auth maintenance'``
        :raises BotError: for everybody else
        """
        request = self.request
        if not self.services.policy.is_admin(request.person_email):
            log.warning('refused %s from %s (%s): not an admin', what, request.person_email, request.person_id)
            raise BotError(self.t('policy.admins_only', command=what), f'{what} refused: not an admin')


@dataclass(frozen=True)
class Pressed:
    """
    A button pressed on one of the bot's cards, as Webex gives the submission, with the services to serve it and the
    tokens of the person who pressed it (the card's owner).
    """
    action: AttachmentAction
    services: Services
    user: UserContext

    @property
    def inputs(self) -> dict:
        """What the button submitted: its data and the card's inputs."""
        return self.action.inputs or {}

    @property
    def person_id(self) -> str:
        """Who pressed it."""
        return self.action.person_id

    @property
    def call_id(self) -> str:
        """The call the card is for (its buttons that act on a call carry it)."""
        return str(self.inputs.get('callId') or '')

    @property
    def replies(self) -> Replies:
        """The replies, in the deployment's language and the person's time zone."""
        return self.services.replies.in_zone(self.user.timezone)

    def t(self, key: str, **values: object) -> str:
        """A text of the deployment's catalogue."""
        return self.services.catalogue.t(key, **values)

    def user_api(self) -> UserApi:
        """Webex clients acting for the person who pressed it."""
        return self.services.user_api(self.user)
