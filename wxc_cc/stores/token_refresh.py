"""
When a person's tokens are refreshed, and what comes of it: the refresh policy, apart from where tokens are kept
(as python-slack-sdk keeps its ``TokenRotator`` apart from its installation stores). The token store
(:class:`~wxc_cc.stores.tokens.TokenManager`) asks it under the person's lock and stores what it answers.
"""
import logging
from collections.abc import Callable
from typing import Optional

from wxc_sdk.tokens import Tokens

from ..errors import TokenRejected

__all__ = ['TokenRefresh', 'Refresher', 'REFRESH_MARGIN']

log = logging.getLogger(__name__)

#: access tokens with less than this many seconds left are refreshed before use
REFRESH_MARGIN = 120

#: exchanges a refresh token for new tokens; raises :class:`~wxc_cc.errors.TokenRejected` if Webex refuses
Refresher = Callable[[Tokens], Tokens]


class TokenRefresh:
    """
    The refresh policy.

    :param refresher: how to refresh tokens (the OAuth client); without one, tokens are never refreshed
    :param margin: seconds: access tokens with less left are due
    """

    def __init__(self, refresher: Optional[Refresher] = None, *, margin: float = REFRESH_MARGIN):
        self.refresher = refresher
        self.margin = margin

    def due(self, tokens: Tokens, rejected_access_token: Optional[str] = None) -> bool:
        """
        True when the tokens are to be refreshed: they can be (a refresher, a refresh token), and their access token
        has less than :attr:`margin` seconds left, or, when Webex refused one, is the one it refused.

        :param tokens: the tokens as stored
        :param rejected_access_token: the access token Webex answered 401 to, if any
        """
        if self.refresher is None or not tokens.refresh_token:
            return False
        if rejected_access_token is not None:
            return tokens.access_token == rejected_access_token
        return tokens.remaining < self.margin

    def renew(self, user_id: str, tokens: Tokens) -> Optional[Tokens]:
        """
        Refresh a person's tokens.

        :param user_id: whose they are (for the log)
        :param tokens: their tokens
        :return: the new tokens; ``None`` when Webex refused the refresh token (the person is to be forgotten); the
            same ``tokens`` when the refresh failed otherwise and the access token still has time left
        :raises Exception: what the refresh raised, when the access token has no time left
        """
        try:
            return self.refresher(tokens)
        except TokenRejected:
            log.warning('refresh token of user %s rejected, forgetting the user', user_id)
            return None
        except Exception as error:
            if tokens.remaining > 0:
                log.warning('refresh for user %s failed (%s), using the current token', user_id, type(error).__name__)
                return tokens
            raise
