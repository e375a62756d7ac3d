"""
How the commands and card buttons reach a person's own Webex Calling settings (Webex's "call settings for me",
``/telephony/config/people/me``, with their token): :class:`MySettings`, which tells Webex's refusals in words.

Two answers of Webex are told so: 403 from a token without the settings scopes (someone who authorized the bot
before they were asked for: ``/auth force`` fixes it) and 404 (no Webex Calling licence: Webex's reason).
"""
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Optional, TypeVar

import requests

from ..errors import webex_reason
from ..replies import Replies, escape
from ..stores import UserContext
from ..webex import UserApi
from .common import call_api
from .context import Context, Pressed

__all__ = ['READ_SCOPE', 'WRITE_SCOPE', 'MySettings']

log = logging.getLogger(__name__)

T = TypeVar('T')

#: the scope reading the settings needs
READ_SCOPE = 'spark:telephony_config_read'
#: the scope changing them needs
WRITE_SCOPE = 'spark:telephony_config_write'


@dataclass(frozen=True)
class MySettings:
    """
    A person's own Webex Calling settings as the bot reaches them, with their token: what the commands and the card
    buttons of the phone settings use.
    """
    #: the replies, in the deployment's language
    replies: Replies
    #: the person, and the tokens they granted
    user: UserContext
    #: Webex's clients acting for them
    api: UserApi

    @classmethod
    def of(cls, context: Context) -> 'MySettings':
        """The settings of the person who sent the command."""
        assert context.user is not None, f'{context.command.name} does not declare Need.USER'
        return cls(context.replies, context.user, context.user_api())

    @classmethod
    def of_press(cls, pressed: Pressed) -> 'MySettings':
        """The settings of the person who pressed a card's button."""
        return cls(pressed.replies, pressed.user, pressed.user_api())

    def t(self, key: str, **values: object) -> str:
        """A text of the deployment's catalogue."""
        return self.replies.t(key, **values)

    def _granted(self, scope: str) -> bool:
        return scope in (self.user.tokens.scope or '').split()

    def request(self, request: Callable[[], T], action_key: str, scope: str,
                explain: Optional[Callable[[requests.HTTPError], Optional[str]]] = None) -> T:
        """
        A request of the "call settings for me" API; a failure becomes a :class:`~wxc_cc.errors.BotError`: a 403 to
        a token that lacks ``scope`` (or whose scopes are not known) says to send ``/auth force``, then what
        ``explain`` says, then a 404 gives Webex's reason as the lack of a Webex Calling licence, anything else
        Webex's reason.

        :param request: the request to make
        :param action_key: the key of what it does, e.g. ``action.dnd_read``
        :param scope: the scope the request needs
        :param explain: what to tell the person of another error status, or ``None`` for the above
        """
        def told(error: requests.HTTPError) -> Optional[str]:
            status = error.response.status_code
            if status == 403 and not self._granted(scope):
                log.info('user %s: token without %s', self.user.user_id, scope)
                return self.t('settings.reauthorize')
            if explain is not None and (said := explain(error)):
                return said
            if status == 404:
                return self.t('settings.no_calling', reason=self.reason(error))
            return None

        return call_api(self.replies, request, self.t(action_key), told)

    def reason(self, error: requests.HTTPError) -> str:
        """Webex's reason for an error, escaped, without the status and the final full stop."""
        return escape(webex_reason(error, self.replies.catalogue, status=False).rstrip('.'))

    def optional(self, request: Callable[[], T], action_key: str) -> Optional[T]:
        """
        A read for a line that may be left out (``/me``): ``None`` when Webex refuses it (an error status 4xx,
        e.g. call queues without the call-centre service), other than a token without the read scope.

        :param request: the read
        :param action_key: the key of what it does
        """
        def read() -> Optional[T]:
            try:
                return request()
            except requests.HTTPError as error:
                status = error.response.status_code if error.response is not None else 0
                if 400 <= status < 500 and not (status == 403 and not self._granted(READ_SCOPE)):
                    log.info('user %s: %s refused by Webex (%s)', self.user.user_id, action_key, status)
                    return None
                raise

        return self.request(read, action_key, READ_SCOPE)
