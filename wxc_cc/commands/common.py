"""
Helpers shared by the call-control commands: calling the Webex API with errors turned into one line for the
user, and choosing the call a command acts on (by its number in /calls, or the only one that fits).
"""
import logging
import re
from collections.abc import Callable, Iterable
from typing import Optional, TypeVar

import requests
from wxc_sdk.base import enum_str
from wxc_sdk.rest import RestError
from wxc_sdk.telephony.calls import TelephonyCall

from .. import replies
from ..locales import t
from ..errors import BotError, webex_reason

__all__ = ['call_api', 'destination', 'state_of', 'numbered', 'split_number', 'choose_call']

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


#: what a destination may look like: digits and dial characters, or a (sip:/tel:) URI
_DESTINATION = re.compile(r'^(?:(?:tel:|sip:)?[\w.+*#@:;=%-]{1,128})$')


def destination(text: str, usage: str) -> str:
    """
    The number or URI in what the user typed: phone numbers lose the spaces, dashes, dots and parentheses people
    write them with (``+1 (408) 555-1001``); anything else loses only whitespace.

    :param text: what the user typed
    :param usage: the command's usage line, for the error
    :raises BotError: empty, or not something one can dial
    """
    if re.fullmatch(r'[+\d\s().*#-]+', text):
        value = re.sub(r'[\s().-]', '', text)
    else:
        value = ''.join(text.split())
    if not value:
        raise BotError(t('usage', usage=usage), 'destination missing')
    if not _DESTINATION.match(value):
        raise BotError(t('invalid_destination', value=replies.escape(value)) + '  \n' + t('usage', usage=usage),
                       'invalid destination')
    return value


def state_of(call: TelephonyCall) -> str:
    """A call's state as Webex names it, e.g. ``'remoteHeld'``."""
    return enum_str(call.state)


def numbered(calls: Iterable[TelephonyCall]) -> list[TelephonyCall]:
    """
    Calls in the order /calls numbers them: oldest first (then by appearance), so that numbers stay put while
    new calls come and go after them.
    """
    return sorted(calls, key=lambda call: (call.created, call.appearance or 0))


def split_number(words: list[str]) -> tuple[Optional[int], list[str]]:
    """
    A leading call number (``/hold 2``) and the other words.
    """
    if words and words[0].isdigit() and len(words[0]) <= 2:
        return int(words[0]), words[1:]
    return None, words


def choose_call(calls: Iterable[TelephonyCall], number: Optional[int], tiers: tuple[tuple[str, ...], ...],
                command: str, what: str) -> TelephonyCall:
    """
    The call a command acts on.

    With a number: that call of /calls, which must be in one of the states. Without: the only call in the first
    tier of states that has any; when there are several there, the user is asked which.

    :param calls: the user's active calls
    :param number: the call number the user gave, if any
    :param tiers: acceptable states, in tiers of preference, e.g. ``(('connected',), ('held', 'alerting'))``
    :param command: the command word, for the question, e.g. ``'/hold'``
    :param what: what the command does to a call, for messages, e.g. ``'put on hold'``
    :raises BotError: no fitting call, or several, or a wrong number
    """
    ordered = numbered(calls)
    acceptable = {state for tier in tiers for state in tier}
    if number is not None:
        if not 1 <= number <= len(ordered):
            raise BotError(t('choose.no_number', number=number, count=len(ordered)),
                           f'no call {number}')
        call = ordered[number - 1]
        if state_of(call) not in acceptable:
            # TRANSLATORS: {what} is one of what./* (what the command does to a call), {state} one of state.*
            raise BotError(t('choose.wrong_state', number=number, state=replies.state_name(call.state), what=what),
                           f'call {number} wrong state')
        return call
    for tier in tiers:
        fitting = [(index, call) for index, call in enumerate(ordered, start=1) if state_of(call) in tier]
        if len(fitting) == 1:
            return fitting[0][1]
        if fitting:
            options = '  \n'.join(f'{index}. {replies.call_summary(call)}' for index, call in fitting)
            # TRANSLATORS: {what} is one of what./*, {options} the calls' summary.* lines, {command} e.g. /hold
            raise BotError(t('choose.which', count=len(fitting), what=what, options=options, command=command,
                             first=fitting[0][0]), 'several calls fit')
    # TRANSLATORS: {what} is one of what./* (what the command does to a call)
    raise BotError(t('choose.none', what=what), 'no fitting call')
