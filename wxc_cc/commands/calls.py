"""
The call-control commands' handlers: ``/calls``, ``/dial``, ``/transfer``, ``/retrieve``, ``/pickup``,
``/barge``, ``/history``, and the commands that act on one of the person's calls with one request
(:class:`CallAction`: ``/answer``, ``/hold``, ``/hangup`` ...), which differ only in the request they make, the
calls they fit and what they reply: rows of the command table (:mod:`~wxc_cc.commands.table`), not modules.

``/dial``, ``/answer``, ``/retrieve``, ``/pickup`` and ``/barge`` take ``on <n>`` at the end: only the person's
device n rings or is used (the ``endpointId`` of their requests, :mod:`~wxc_cc.commands.devices`).
"""
import datetime
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Optional, TypeVar, Union

from wxc_sdk.base import enum_str
from wxc_sdk.telephony.calls import CallsApi, HistoryType, RejectAction, TelephonyCall

from ..errors import BotError
from ..locales import N_
from ..replies import Reply, escape, newest_first
from ..webex import AnswerDevice
from .common import call_api, choose_call, destination, numbered, split_number, state_of
from ..cards import TRANSFER_INPUT
from .context import Context, Pressed
from .registry import Button
from .devices import device_for, endpoint_id, on_device, split_device
from .directory import find_people, is_name

__all__ = ['CallAction', 'no_arguments', 'on_a_device', 'done', 'mute_capable', 'rejection', 'REJECTIONS', 'diversion',
           'diverted', 'park_place', 'parked', 'digits', 'recording', 'RECORDING', 'calls', 'dial', 'transfer',
           'retrieve', 'pickup', 'barge', 'history', 'IN_PROGRESS', 'CURRENT', 'HISTORY_COUNT', 'CallButton',
           'transfer_button', 'call_button', 'on_card']

log = logging.getLogger(__name__)

T = TypeVar('T')

#: every state a call in progress can be in
IN_PROGRESS = ('connected', 'held', 'remoteHeld')

#: the call in progress: the connected one first, else one on hold
CURRENT = (('connected',), ('held', 'remoteHeld'))

#: records /history shows unless told how many
HISTORY_COUNT = 10
#: Webex keeps 20 records per kind
HISTORY_MAX = 60


def calls(context: Context) -> str:
    """``/calls``: the person's active calls, numbered for the commands that take a call number."""
    if context.request.argument:
        raise context.usage_error()
    active = call_api(context.replies, context.user_api().calls.list_calls, context.t('action.list_calls'))
    return context.replies.call_list(numbered(active), datetime.datetime.now(datetime.timezone.utc))


def dial(context: Context) -> Union[str, Reply]:
    """
    ``/dial <number, SIP URI or name> [on <n>]``: place a call from the person's phone (click to dial), ringing
    only their device n when given. A name is looked up in the person's organisation: one person found is dialed,
    several are offered on a card with a Call button each (which rings every device).
    """
    argument, number = split_device(context.request.argument)
    if is_name(argument):
        return _dial_by_name(context, argument, device_for(context, number))
    target = destination(context.replies, argument, context.command.usage)
    device = device_for(context, number)
    call_api(context.replies, lambda: context.user_api().calls.dial(target, endpoint_id=endpoint_id(device)),
             context.t('action.dial'))
    log.info('user %s dialed', context.request.person_id)
    return on_device(context, context.replies.dialing(target), device)


def _dial_by_name(context: Context, name: str, device: Optional[AnswerDevice]) -> Union[str, Reply]:
    replies, api = context.replies, context.user_api()
    found, more = call_api(replies, lambda: find_people(api, name, exclude=context.request.person_id),
                           context.t('action.lookup'))
    dialable = [match for match in found if match.dial_string]
    if not found:
        raise BotError(context.t('dial.nobody', name=escape(name)), 'nobody of that name')
    if not dialable:
        raise BotError(context.t('dial.no_number', names=', '.join(escape(match.name) for match in found)),
                       'nobody of that name has a number')
    if len(dialable) == 1 and not more:
        match = dialable[0]
        number = destination(replies, match.dial_string, context.command.usage)
        call_api(replies, lambda: api.calls.dial(number, endpoint_id=endpoint_id(device)), context.t('action.dial'))
        log.info('user %s dialed a person found by name', context.request.person_id)
        return on_device(context, context.t('dial.done', destination=replies.party_of(match.name, number)), device)
    title = context.t('dial.several', count=len(dialable), name=escape(name))
    lines = [title] + [f'- {replies.party_of(match.name, match.dial_string)}' + (f', {escape(match.title)}'
                                                                          if match.title else '')
                       for match in dialable]
    if more:
        lines.append(context.t('dial.more', count=len(dialable)))
    lines.append(context.t('dial.choose'))
    if device is not None:
        lines.append(context.t('dial.choose_rings_all'))
    return Reply('\n'.join(lines), context.services.cards.people_card(dialable, context.request.person_id, title))


def transfer(context: Context) -> str:
    """``/transfer [number]``: the current call to a number, or, without one, the person's two calls together."""
    replies, usage = context.replies, context.command.usage
    target = destination(replies, context.request.argument, usage) if context.request.argument else None
    api = context.user_api().calls
    active = [call for call in numbered(call_api(replies, api.list_calls, context.t('action.list_calls')))
              if state_of(call) in IN_PROGRESS]
    if target is None:
        if len(active) != 2:
            raise BotError(context.t('transfer.not_two', count=len(active), usage=usage), 'not two calls')
        first, second = active
        call_api(replies, lambda: api.transfer_calls(first.call_id, second.call_id), context.t('action.transfer'))
        return context.t('transfer.connected', first=replies.party(first.remote_party),
                         second=replies.party(second.remote_party))
    connected = [call for call in active if state_of(call) == 'connected']
    if not (len(connected) == 1 or (not connected and len(active) == 1)):
        if connected:
            raise BotError(context.t('transfer.which'), 'no single current call')
        raise BotError(context.t('transfer.none'), 'no current call')
    call = (connected or active)[0]
    call_api(replies, lambda: api.transfer(call_id1=call.call_id, destination=target), context.t('action.transfer'))
    return context.t('transfer.done', party=replies.party(call.remote_party), destination=escape(target))


def retrieve(context: Context) -> str:
    """``/retrieve [extension] [on <n>]``: the call parked against the extension, or against the person."""
    argument, number = split_device(context.request.argument)
    where = destination(context.replies, argument, context.command.usage) if argument else None
    device = device_for(context, number)
    call_api(context.replies,
             lambda: context.user_api().calls.retrieve(destination=where, endpoint_id=endpoint_id(device)),
             context.t('action.retrieve'))
    return on_device(context, context.t('retrieve.done', where=escape(where) if where else context.t('retrieve.you')),
                     device)


def pickup(context: Context) -> str:
    """``/pickup [number] [on <n>]``: a call ringing in the person's pickup group, or for the number."""
    argument, number = split_device(context.request.argument)
    target = destination(context.replies, argument, context.command.usage) if argument else None
    device = device_for(context, number)
    call_api(context.replies, lambda: context.user_api().calls.pickup(target=target, endpoint_id=endpoint_id(device)),
             context.t('action.pickup'))
    return on_device(context, context.t('pickup.done', target=escape(target) if target else context.t('pickup.group')),
                     device)


def barge(context: Context) -> str:
    """``/barge <number> [on <n>]``: join another user's answered call."""
    argument, number = split_device(context.request.argument)
    target = destination(context.replies, argument, context.command.usage)
    device = device_for(context, number)
    call_api(context.replies, lambda: context.user_api().calls.barge_in(target, endpoint_id=endpoint_id(device)),
             context.t('action.barge'))
    return on_device(context, context.t('barge.done', target=escape(target)), device)


def history(context: Context) -> Union[str, Reply]:
    """``/history [missed|placed|received] [count]``: a compact table; missed calls carry a Call back button."""
    kind, count = None, None
    for word in (word.lower() for word in context.request.words):
        if word in ('missed', 'placed', 'received') and kind is None:
            kind = word
        elif word.isdigit() and 1 <= int(word) <= HISTORY_MAX and count is None:
            count = int(word)
        else:
            raise context.usage_error()
    api = context.user_api().calls
    records = call_api(context.replies, lambda: api.call_history(HistoryType(kind) if kind else None),
                       context.t('action.history'))
    records = newest_first(records)[:count or HISTORY_COUNT]
    table = context.replies.history(records, kind)
    if not any(enum_str(record.call_type) == 'missed' and record.number for record in records):
        return table
    return Reply(table, context.cards.history_card(records, context.request.person_id,
                                                   context.replies.history_heading(len(records), kind)))


# --- commands acting on one call

#: parses the words after the call number: what the request needs, or raises the usage error
Parser = Callable[[Context, list[str]], Any]
#: makes the one request for the chosen call: (calls API, call id, parsed argument) -> Webex's answer
Request = Callable[[CallsApi, str, Any], Any]
#: the reply: (context, call, parsed argument, Webex's answer) -> markdown
Answer = Callable[[Context, TelephonyCall, Any, Any], str]


def no_arguments(context: Context, words: list[str]) -> None:
    """Parser of commands that take nothing but a call number."""
    if words:
        raise context.usage_error()


def on_a_device(context: Context, words: list[str]) -> Optional[AnswerDevice]:
    """Parser of commands that take a call number and ``on <n>``: the person's device n, or ``None``."""
    rest, number = split_device(' '.join(words))
    if rest:
        raise context.usage_error()
    return device_for(context, number)


def done(key: str) -> Answer:
    """The reply of a command that only names the other party: the text ``key`` with ``{party}``."""
    return lambda context, call, argument, result: context.t(key, party=context.replies.party(call.remote_party))


@dataclass(frozen=True)
class CallAction:
    """
    A command that acts on one of the person's calls with one request.
    """
    name: str
    usage: str
    help_key: str
    #: key of what it does to a call, for "which call?" and "no call to ..."
    what_key: str
    #: key of the action, for "Could not ..."; it may name the parsed argument as ``{what}``
    action_key: str
    #: acceptable call states, in tiers of preference
    tiers: tuple[tuple[str, ...], ...]
    request: Request
    answer: Answer
    parse: Parser = no_arguments
    #: where a call number may stand: ``'first'`` (``/hold 2``), ``'second'`` (``/record pause 2``), or ``None``
    #: where the argument itself may be a number (``/park 1234``)
    number_at: Optional[str] = 'first'
    #: a check of the chosen call before the request (raises the error to tell)
    check: Optional[Callable[[Context, TelephonyCall], None]] = None
    #: the buttons of the call cards that do what this command does: name -> (argument, key of what it does, for
    #: "Could not ..."; default :attr:`action_key`)
    buttons: Mapping[str, tuple[Any, Optional[str]]] = field(default_factory=dict)

    def card_buttons(self) -> tuple[Button, ...]:
        """The buttons as the registry keeps them."""
        return tuple(CallButton(name, self, argument, key) for name, (argument, key) in self.buttons.items())

    def __call__(self, context: Context) -> str:
        """Serve the command: parse, choose the call, act, reply."""
        words = context.request.words
        if self.number_at == 'first':
            number, words = split_number(words)
        elif self.number_at == 'second':
            number, rest = split_number(words[1:])
            words = words[:1] + rest
        else:
            number = None
        argument = self.parse(context, words)
        replies, api = context.replies, context.user_api().calls
        calls = call_api(replies, api.list_calls, context.t('action.list_calls'))
        call = choose_call(replies, calls, number, self.tiers, self.name, context.t(self.what_key))
        if self.check is not None:
            self.check(context, call)
        # TRANSLATORS: an action.* text may name the command's argument as {what} (action.record: start, stop ...)
        result = call_api(replies, lambda: self.request(api, call.call_id, argument),
                          context.t(self.action_key, what=argument))
        return self.answer(context, call, argument, result)


class CallButton(Button):
    """
    A call card's button that does what a :class:`CallAction` does, on the card's call: the same request, no reply
    (the call event that follows replaces the card).

    :param name: what the button submits
    :param action: the command
    :param argument: what the command's words would have said (``busy`` for Decline)
    :param action_key: the key of what it does, for "Could not ..."; default the command's
    """

    def __init__(self, name: str, action: CallAction, argument: Any = None, action_key: Optional[str] = None):
        super().__init__(name, on_call=True)
        self.action = action
        self.argument = argument
        self.action_key = action_key or action.action_key

    def press(self, pressed: Pressed) -> None:
        api = pressed.user_api().calls
        on_card(pressed, lambda: self.action.request(api, pressed.call_id, self.argument),
                pressed.t(self.action_key, what=self.argument))
        log.info('%s pressed by %s on call %s', self.name, pressed.person_id, pressed.call_id)


def on_card(pressed: Pressed, request: Callable[[], T], what: str) -> T:
    """A request for a card's call; Webex's 404 means the call has ended."""
    return call_api(pressed.replies, request, what,
                    explain=lambda error: pressed.t('card.ended') if error.response.status_code == 404 else None)


def transfer_button(pressed: Pressed) -> None:
    """A call card's Transfer button: the card's call to the number typed on the card (``/transfer <number>``)."""
    typed = str(pressed.inputs.get(TRANSFER_INPUT) or '')
    target = destination(pressed.replies, typed, pressed.t('card.transfer_usage'))
    on_card(pressed, lambda: pressed.user_api().calls.transfer(call_id1=pressed.call_id, destination=target),
            pressed.t('action.transfer'))


def call_button(pressed: Pressed) -> str:
    """
    Call back (a missed call of ``/history``) and Call (a person of a name lookup's card): ``/dial`` of the card's
    number, ringing every device.
    """
    number = destination(pressed.replies, str(pressed.inputs.get('number') or ''), pressed.t('card.callback_usage'))
    call_api(pressed.replies, lambda: pressed.user_api().calls.dial(number), pressed.t('action.callback'))
    return pressed.replies.dialing(number)


def mute_capable(context: Context, call: TelephonyCall) -> None:
    """Check of /mute and /unmute: the call must allow it."""
    if not call.mute_capable:
        raise BotError(context.t('mute.not_capable'), 'not mute capable')


#: /reject's words -> how the call is declined
REJECTIONS = {'busy': RejectAction.busy, 'unavailable': RejectAction.temporarily_unavailable,
              'ignore': RejectAction.ignore}


def rejection(context: Context, words: list[str]) -> str:
    """Parser of /reject: busy (default), unavailable or ignore."""
    if len(words) > 1 or (words and words[0].lower() not in REJECTIONS):
        raise context.usage_error()
    return words[0].lower() if words else 'busy'


def diversion(context: Context, words: list[str]) -> Optional[str]:
    """Parser of /divert: a number, or ``voicemail`` (``None``)."""
    if not words:
        raise context.usage_error()
    if [word.lower() for word in words] == ['voicemail']:
        return None
    return destination(context.replies, ' '.join(words), context.command.usage)


def diverted(context: Context, call: TelephonyCall, target: Optional[str], result: Any) -> str:
    """Reply of /divert."""
    party = context.replies.party(call.remote_party)
    if target is None:
        return context.t('divert.voicemail', party=party)
    return context.t('divert.done', party=party, destination=escape(target))


def park_place(context: Context, words: list[str]) -> Optional[str]:
    """Parser of /park: an extension, or nothing (the person's own)."""
    return destination(context.replies, ' '.join(words), context.command.usage) if words else None


def parked(context: Context, call: TelephonyCall, argument: Optional[str], result: Any) -> str:
    """Reply of /park: where it is parked, and how to get it back."""
    where = context.replies.party_of(result.name, result.number)
    retrieve = f'/retrieve {result.number}' if result.number else '/retrieve'
    return context.t('park.done', party=context.replies.party(call.remote_party), where=where,
                     retrieve=escape(retrieve))


_DIGITS = re.compile(r'^[0-9*#A-D,]{1,64}$')


def digits(context: Context, words: list[str]) -> str:
    """Parser of /dtmf: 0-9 * # A-D, a comma pauses."""
    typed = ''.join(words).upper()
    if not _DIGITS.match(typed):
        raise context.usage_error()
    return typed


#: /record's sub-commands -> (the request, the key of the reply)
RECORDING = {'start': (CallsApi.start_recording, N_('record.start')),
             'stop': (CallsApi.stop_recording, N_('record.stop')),
             'pause': (CallsApi.pause_recording, N_('record.pause')),
             'resume': (CallsApi.resume_recording, N_('record.resume'))}


def recording(context: Context, words: list[str]) -> str:
    """Parser of /record: start, stop, pause or resume."""
    if len(words) != 1 or words[0].lower() not in RECORDING:
        raise context.usage_error()
    return words[0].lower()
