"""
The one exception type of the fake and the Webex error body built from it.
"""
import logging
from typing import Mapping, Optional

from .ids import new_tracking_id

__all__ = ['WebexError', 'TOKEN_REQUIRED', 'error_body', 'require_str', 'optional_str', 'flag']

log = logging.getLogger(__name__)

#: message Webex sends with a 401
TOKEN_REQUIRED = 'The request requires a valid access token set in the Authorization request header.'

_DEFAULT_MESSAGES = {
    400: 'The request was invalid or cannot be otherwise served.',
    401: TOKEN_REQUIRED,
    403: 'The request is understood, but it has been refused or access is not allowed.',
    404: 'The requested resource could not be found.',
    405: 'The request was made to a resource using an HTTP request method that is not supported.',
    409: 'The request could not be processed because it conflicts with some established rule of the system.',
    429: 'Too many requests have been sent in a given amount of time.',
    500: 'Something went wrong on the server.',
    502: 'The server received an invalid response from an upstream server.',
    503: 'Server is overloaded with requests. Try again later.',
}


class WebexError(Exception):
    """
    A request the fake refuses, answered with the Webex error shape.

    Raised by the world logic and turned into an HTTP response by the API layer; test helpers let it
    propagate so that misuse of the fake fails loudly.
    """

    def __init__(self, status: int, message: Optional[str] = None, description: Optional[str] = None,
                 headers: Optional[Mapping[str, str]] = None):
        """
        :param status: HTTP status code
        :param message: top-level ``message``; a generic text for the status if omitted
        :param description: text of the single entry in ``errors``; defaults to the message
        :param headers: extra response headers, e.g. ``{'Retry-After': '1'}``
        """
        self.status = status
        self.message = message or _DEFAULT_MESSAGES.get(status, f'HTTP error {status}')
        self.description = description or self.message
        self.headers = dict(headers or {})
        super().__init__(f'{status}: {self.message} ({self.description})')


def error_body(error: WebexError, tracking_id: Optional[str] = None) -> dict:
    """
    The JSON body Webex sends with an error.

    :param error: the error to render
    :param tracking_id: tracking id to use; a new one if omitted
    :return: ``{"message", "errors": [{"description"}], "trackingId"}``
    """
    return {'message': error.message,
            'errors': [{'description': error.description}],
            'trackingId': tracking_id or new_tracking_id()}


def require_str(body: Mapping, key: str) -> str:
    """
    A required, non-empty string field of a request body.

    :param body: parsed JSON body
    :param key: field name
    :return: the value
    :raises WebexError: 400 if missing, empty or not a string
    """
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise WebexError(400, description=f'{key} is required')
    return value


def optional_str(body: Mapping, key: str) -> Optional[str]:
    """
    An optional string field of a request body.

    :param body: parsed JSON body
    :param key: field name
    :return: the value stripped, None if absent or null
    :raises WebexError: 400 if present but empty or not a string
    """
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise WebexError(400, description=f'{key} must be a non-empty string')
    return value.strip()


def flag(body: Mapping, key: str, current: bool) -> bool:
    """
    A boolean field of a request body, ``current`` when it is absent.

    :raises WebexError: 400 when it is not true or false
    """
    value = body.get(key, current)
    if not isinstance(value, bool):
        raise WebexError(400, description=f'{key} must be true or false')
    return value
