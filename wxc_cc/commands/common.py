"""
Helpers shared by the commands that act for the person: calling the Webex API with errors turned into one line
for the user, reading the number or URI they typed, and choosing the call a command acts on (by its number in
/calls, or the only one that fits).
"""
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Optional, TypeVar

import requests
from wxc_sdk.base import enum_str
from wxc_sdk.rest import RestError
from wxc_sdk.telephony.calls import TelephonyCall

from ..errors import BotError, webex_reason
from ..locales import N_
from ..replies import Replies, escape

__all__ = ['call_api', 'destination', 'phone_number', 'state_of', 'numbered', 'split_number', 'choose_call',
           'in_one_line', 'nth']

log = logging.getLogger(__name__)

T = TypeVar('T')


def call_api(replies: Replies, request: Callable[[], T], action: str,
             explain: Optional[Callable[[requests.HTTPError], Optional[str]]] = None) -> T:
    """
    Make a Webex request; a failure becomes a :class:`~wxc_cc.errors.BotError` with Webex's reason.

    :param replies: the replies, in the person's language
    :param request: the request to make
    :param action: what it does, for the message, e.g. ``'dial'``
    :param explain: what to tell the person instead of the plain failure when Webex answered with an error
        status, or ``None`` to tell the plain failure
    """
    try:
        return request()
    except (RestError, requests.RequestException) as error:
        told = explain(error) if explain is not None and isinstance(error, requests.HTTPError) \
            and error.response is not None else None
        told = told or replies.api_failure(action, webex_reason(error, replies.catalogue))
        raise BotError(told, f'{action} failed: {webex_reason(error)}') from error


#: what a destination may look like: digits and dial characters, or a (sip:/tel:) URI
_DESTINATION = re.compile(r'^(?:(?:tel:|sip:)?[\w.+*#@:;=%-]{1,128})$')
#: a phone number as people write it: digits, + * #, and spaces, dashes, dots and parentheses between them
_WRITTEN_NUMBER = re.compile(r'[+\d\s().*#-]+')
#: a phone number or extension as Webex takes it
_NUMBER = re.compile(r'^\+?[\d*#]{1,30}$')


def destination(replies: Replies, text: str, usage: str) -> str:
    """
    The number or URI in what the user typed: phone numbers lose the spaces, dashes, dots and parentheses people
    write them with (``+1 (408) 555-1001``); anything else loses only whitespace.

    :param replies: the replies, in the person's language
    :param text: what the user typed
    :param usage: the command's usage line, for the error
    :raises BotError: empty, or not something one can dial
    """
    return _dialable(replies, text, usage, _DESTINATION, N_('invalid_destination'))


def phone_number(replies: Replies, text: str, usage: str) -> str:
    """
    The phone number or extension in what the user typed, as :func:`destination` reads it, but no SIP URI: what
    call forwarding takes.

    :param replies: the replies, in the person's language
    :param text: what the user typed
    :param usage: the command's usage line, for the error
    :raises BotError: empty, or not a number
    """
    return _dialable(replies, text, usage, _NUMBER, N_('invalid_number'))


def _dialable(replies: Replies, text: str, usage: str, pattern: re.Pattern, invalid_key: str) -> str:
    value = re.sub(r'[\s().-]', '', text) if _WRITTEN_NUMBER.fullmatch(text) else ''.join(text.split())
    if not value:
        raise BotError(replies.t('usage', usage=usage), 'destination missing')
    if not pattern.match(value):
        raise BotError(replies.t(invalid_key, value=escape(value)) + '  \n' + replies.t('usage', usage=usage),
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


def in_one_line(labels: Iterable[str]) -> str:
    """
    Things the person chooses by number, in one line, numbered from 1 as the lists the bot shows:
    ``1. Cisco 8865 (Desk), 2. Webex Desktop Application``.
    """
    return ', '.join(f'{number}. {label}' for number, label in enumerate(labels, start=1))


def nth(items: Sequence[T], number: int, label: Callable[[T], str], no_number: Callable[[str], str], what: str,
        none: Optional[str] = None) -> T:
    """
    Item ``number`` (from 1) of a list the bot showed the person; a number that matches none says which there are.

    :param label: an item's label in that list
    :param no_number: the reply to a number that matches none, given the items in one line (:func:`in_one_line`)
    :param what: what the items are, for the log
    :param none: the reply when there are none (default: ``no_number``'s)
    :raises BotError: the number matches no item
    """
    if 1 <= number <= len(items):
        return items[number - 1]
    if not items and none is not None:
        raise BotError(none, f'no {what} {number}: none listed')
    raise BotError(no_number(in_one_line(map(label, items))), f'no {what} {number}')


def split_number(words: list[str]) -> tuple[Optional[int], list[str]]:
    """
    A leading call number (``/hold 2``) and the other words.
    """
    if words and words[0].isdigit() and len(words[0]) <= 2:
        return int(words[0]), words[1:]
    return None, words


def choose_call(replies: Replies, calls: Iterable[TelephonyCall], number: Optional[int],
                tiers: tuple[tuple[str, ...], ...], command: str, what: str) -> TelephonyCall:
    """
    The call a command acts on.

    With a number: that call of /calls, which must be in one of the states. Without: the only call in the first
    tier of states that has any; when there are several there, the user is asked which.

    :param replies: the replies, in the person's language
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
            raise BotError(replies.t('choose.no_number', number=number, count=len(ordered)),
                           f'no call {number}')
        call = ordered[number - 1]
        if state_of(call) not in acceptable:
            # TRANSLATORS: {what} is one of what./* (what the command does to a call), {state} one of state.*
            raise BotError(replies.t('choose.wrong_state', number=number, state=replies.state_name(call.state),
                                     what=what), f'call {number} wrong state')
        return call
    for tier in tiers:
        fitting = [(index, call) for index, call in enumerate(ordered, start=1) if state_of(call) in tier]
        if len(fitting) == 1:
            return fitting[0][1]
        if fitting:
            options = '  \n'.join(f'{index}. {replies.call_summary(call)}' for index, call in fitting)
            # TRANSLATORS: {what} is one of what./*, {options} the calls' summary.* lines, {command} e.g. /hold
            raise BotError(replies.t('choose.which', count=len(fitting), what=what, options=options, command=command,
                             first=fitting[0][0]), 'several calls fit')
    # TRANSLATORS: {what} is one of what./* (what the command does to a call)
    raise BotError(replies.t('choose.none', what=what), 'no fitting call')
