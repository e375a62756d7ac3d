"""
What every command is made of: the request it answers, the services it may use, and the :class:`Command` base
class. A command decides and formats; the Webex calls it needs go through the clients in :class:`Services`.
"""
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Optional, Union

from wxc_sdk.tokens import Tokens

from ..config import Settings
from ..errors import BotError
from ..policy import Policy
from ..locales import N_, t
from ..replies import Reply
from ..stores import TokenManager, UserContext
from ..webex import UserApi, WebexClients

if TYPE_CHECKING:
    from ..broadcast import Broadcaster
    from ..oauth import OAuthClient
    from ..webhooks import CallEventWebhooks

__all__ = ['Request', 'Services', 'Context', 'Command', 'usage_error', 'require_admin', 'HELP']

log = logging.getLogger(__name__)

#: command name -> the key of its line in /help (:attr:`Command.help`)
HELP = {'/help': N_('help./help'), '/auth': N_('help./auth'), '/monitor': N_('help./monitor'),
        '/calls': N_('help./calls'), '/dial': N_('help./dial'), '/answer': N_('help./answer'),
        '/hangup': N_('help./hangup'), '/hold': N_('help./hold'), '/resume': N_('help./resume'),
        '/reject': N_('help./reject'), '/divert': N_('help./divert'), '/transfer': N_('help./transfer'),
        '/mute': N_('help./mute'), '/unmute': N_('help./unmute'), '/park': N_('help./park'),
        '/retrieve': N_('help./retrieve'), '/dtmf': N_('help./dtmf'), '/record': N_('help./record'),
        '/push': N_('help./push'), '/pickup': N_('help./pickup'), '/barge': N_('help./barge'),
        '/history': N_('help./history'), '/voicemail': N_('help./voicemail'), '/broadcast': N_('help./broadcast'),
        '/redis': N_('help./redis')}


@dataclass(frozen=True)
class Request:
    """
    One command as a user sent it.
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


@dataclass
class Services:
    """
    What commands may use. Built once by :class:`~wxc_cc.core.BotCore`.
    """
    settings: Settings
    store: TokenManager
    clients: WebexClients
    oauth: 'OAuthClient'
    call_webhooks: 'CallEventWebhooks'
    #: who may do what
    policy: Policy = field(default_factory=Policy)
    #: sends broadcasts (set by the core)
    broadcaster: Optional['Broadcaster'] = None
    #: all commands by name, for /help
    commands: dict[str, 'Command'] = field(default_factory=dict)

    def user_api(self, user: UserContext) -> UserApi:
        """
        Webex clients acting for a user; when Webex refuses the access token early, it is refreshed (once for
        all concurrent requests) and the request retried.

        :param user: the user's context
        """
        def refreshed(rejected: str) -> Optional[Tokens]:
            context = self.store.refresh_rejected(user.user_id, rejected)
            return context.tokens if context else None

        return self.clients.user(user.tokens, user.user_id, on_unauthorized=refreshed)


@dataclass
class Context:
    """
    A request with the services to serve it and, for commands that need them, the user's tokens.
    """
    request: Request
    services: Services
    user: Optional[UserContext] = None

    def user_api(self) -> UserApi:
        """
        Webex clients acting for the user who sent the command.
        """
        assert self.user is not None, 'command declared needs_user = False'
        return self.services.user_api(self.user)


def require_admin(context: Context, what: str) -> None:
    """
    Refuse (and log) unless the sender is one of the policy's admins.

    :param what: the command, e.g. ``'/auth maintenance'``
    :raises BotError: for everybody else
    """
    request = context.request
    if not context.services.policy.is_admin(request.person_email):
        log.warning('refused %s from %s (%s): not an admin', what, request.person_email, request.person_id)
        raise BotError(t('policy.admins_only', command=what), f'{what} refused: not an admin')


def usage_error(command: 'Command') -> BotError:
    """
    The error for wrong arguments: the command's usage line.
    """
    # TRANSLATORS: {usage} is the command's usage line, as typed: /dial <number or SIP URI>
    return BotError(t('usage', usage=command.usage) + '  \n' + command.help, f'bad arguments for {command.name}')


class Command:
    """
    A chat command. Subclasses set the class attributes and implement :meth:`run`.
    """
    #: the command word, e.g. ``'/dial'``
    name: ClassVar[str]
    #: the usage line, e.g. ``'/dial <dial string>'``
    usage: ClassVar[str]
    #: True if the command acts for the user and needs their tokens
    needs_user: ClassVar[bool] = False
    #: where /help lists it: ``'calls'``, ``'monitoring'``, ``'voicemail'`` or ``'account'``
    group: ClassVar[str] = 'account'
    #: True if the command uses Webex's call-control API (which Webex for Government does not offer)
    call_control: ClassVar[bool] = False

    @property
    def help(self) -> str:
        """One sentence for /help, in the reply language."""
        return t(HELP[self.name])

    def available(self, services: Services) -> bool:
        """
        Whether the command is offered with this configuration (listed in /help).
        """
        return not (self.call_control and services.settings.government)

    def run(self, context: Context) -> Union[str, Reply]:
        """
        Serve the command.

        :param context: the request and what is needed to serve it
        :return: the reply: markdown, or markdown with a card
        :raises BotError: with what to tell the user when it cannot be served
        """
        raise NotImplementedError
