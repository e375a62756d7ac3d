"""
The one error type for "tell the user this", and the translation of Webex API errors into a short reason.

Errors raised where no language is known (a store, say) carry a :class:`Text`, a key of the catalogue, which
the code that tells the user renders in the deployment's language (:meth:`BotError.message`).
"""
from typing import Optional

import requests

from .locales import DEFAULT, N_, Catalogue, catalogue_for

__all__ = ['BotError', 'StoreUnavailable', 'TokenKeyMismatch', 'TokenRejected', 'webex_reason']

#: longest reason passed on to a user
MAX_REASON = 200


class BotError(Exception):
    """
    Something went wrong that the user should hear about.

    :param user_message: what the user is told: markdown (already escaped where it contains outside text)
    :param log_message: what goes into the log; defaults to the user message. Never put secrets in either.
    """

    def __init__(self, user_message: str, log_message: Optional[str] = None):
        log_message = log_message or user_message
        super().__init__(log_message)
        self.user_message = user_message
        self.log_message = log_message

    def message(self, catalogue: Catalogue) -> str:
        """
        What the user is told, in the catalogue's language (a subclass may choose its text by the catalogue).
        """
        return self.user_message


class StoreUnavailable(BotError):
    """
    The token store cannot be reached (Redis down, token file unreadable).

    :param log_message: what went wrong, for the log
    """

    def __init__(self, log_message: str):
        super().__init__(N_('store_unavailable'), log_message)

    def message(self, catalogue: Catalogue) -> str:
        """That the store is unavailable, in the catalogue's language."""
        return catalogue.t('store_unavailable')


class TokenKeyMismatch(StoreUnavailable):
    """
    The tokens in the store cannot be read with the keys of ``WXC_CC_TOKEN_KEY``: they are encrypted with another
    key, or with one while none is set.
    """


class TokenRejected(Exception):
    """
    Webex refused a refresh token or authorization code: the tokens are dead and the user must authorize again.
    """


def _reason_in_body(response: requests.Response) -> str:
    """Webex's own words from an error body: the first error's description, else the message."""
    try:
        body = response.json()
    except ValueError:
        return ''
    if not isinstance(body, dict):
        return ''
    errors = body.get('errors')
    if isinstance(errors, list) and errors and isinstance(errors[0], dict) and errors[0].get('description'):
        return str(errors[0]['description'])
    return str(body.get('message') or body.get('error_description') or '')


def webex_reason(error: Exception, catalogue: Optional[Catalogue] = None, status: bool = True) -> str:
    """
    A short plain reason for a failed Webex API request, as Webex gave it.

    :param error: the exception raised by the request
    :param catalogue: the language of reasons Webex gives none for (timeouts, lost connections); default English,
        as in the log
    :param status: start with the HTTP status
    :return: e.g. ``'404 The requested resource could not be found.'``
    """
    t = (catalogue or catalogue_for(DEFAULT)).t
    if isinstance(error, requests.HTTPError) and error.response is not None:
        response = error.response
        reason = ' '.join(_reason_in_body(response).split()) or response.reason or t('reason.failed')
        if len(reason) > MAX_REASON:
            reason = reason[:MAX_REASON - 1] + '…'
        return f'{response.status_code} {reason}' if status else reason
    if isinstance(error, requests.Timeout):
        return t('reason.timeout')
    if isinstance(error, requests.ConnectionError):
        return t('reason.unreachable')
    return t('reason.unexpected')
