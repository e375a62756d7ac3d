"""
Helpers shared by the call-control commands: calling the Webex API with errors turned into one line for the
user, and picking the call a command acts on.
"""
import logging
from collections.abc import Callable, Iterable
from typing import Optional, TypeVar

import requests
from wxc_sdk.rest import RestError
from wxc_sdk.telephony.calls import TelephonyCall

from .. import replies
from ..errors import BotError, webex_reason

__all__ = ['call_api', 'pick_call']

log = logging.getLogger(__name__)

T = TypeVar('T')


def call_api(request: Callable[[], T], action: str) -> T:
    """
    Make a Webex request; a failure becomes a :class:`~wxc_cc.errors.BotError` with Webex's reason.

    :param request: the request to make
    :param action: what it does, for the message, e.g. ``'dial'``
    """
    try:
        return request()
    except (RestError, requests.RequestException) as error:
        reason = webex_reason(error)
        raise BotError(replies.api_failure(action, reason), f'{action} failed: {reason}') from error


def _state(call: TelephonyCall) -> str:
    return str(getattr(call.state, 'value', call.state))


def pick_call(calls: Iterable[TelephonyCall], states: tuple[str, ...]) -> Optional[TelephonyCall]:
    """
    The call to act on: the first call in the first of ``states`` that any call is in.

    :param calls: the user's active calls
    :param states: acceptable states, most wanted first
    """
    calls = list(calls)
    for state in states:
        for call in calls:
            if _state(call) == state:
                return call
    return None
