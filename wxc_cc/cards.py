"""
Adaptive Cards (schema 1.3, the version Webex renders) the bot sends: a live card per call with the buttons that
fit its state, the call history with "Call back" buttons, and the help. Pure functions returning card JSON.

Every button is an ``Action.Submit`` whose ``data`` names the action, the card's owner and what it acts on;
:mod:`wxc_cc.cardactions` serves the presses.
"""
import datetime
from collections.abc import Iterable, Sequence
from typing import Any, Optional

from wxc_sdk.telephony.calls import CallHistoryRecord, TelephonyCall

from . import replies

__all__ = ['CARD_CONTENT_TYPE', 'attachment', 'call_card', 'history_card', 'help_card', 'call_actions']

CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive'
VERSION = '1.3'

#: the input of the transfer field on a connected call's card
TRANSFER_INPUT = 'destination'


def card(body: list[dict], actions: Optional[list[dict]] = None) -> dict:
    """
    An Adaptive Card of the version Webex renders.
    """
    content: dict[str, Any] = {'type': 'AdaptiveCard', '$schema': 'http://adaptivecards.io/schemas/adaptive-card.json',
                               'version': VERSION, 'body': body}
    if actions:
        content['actions'] = actions
    return content


def attachment(content: dict) -> dict:
    """
    A card as a message attachment.
    """
    return {'contentType': CARD_CONTENT_TYPE, 'content': content}


def text(value: str, **style: Any) -> dict:
    """A TextBlock that wraps."""
    return {'type': 'TextBlock', 'text': value, 'wrap': True, **style}


def submit(title: str, action: str, owner: str, style: Optional[str] = None, **data: str) -> dict:
    """
    A button: submits ``{action, owner, **data}``.
    """
    button = {'type': 'Action.Submit', 'title': title, 'data': {'action': action, 'owner': owner, **data}}
    if style:
        button['style'] = style
    return button


def _state(call: TelephonyCall) -> str:
    return str(getattr(call.state, 'value', call.state))


_HEADINGS = {'alerting': '📞 Incoming call', 'connecting': '📞 Calling', 'connected': '📞 Connected call',
             'held': '⏸️ Call on hold', 'remoteHeld': '⏸️ Held by the other side'}


def call_actions(call: TelephonyCall, owner: str) -> list[dict]:
    """
    The buttons that fit the call's state: Answer, Decline, Send to voicemail for an incoming call ringing;
    Hold or Resume, Hang up, Transfer for a call in progress; Hang up for an outgoing call still ringing.
    """
    call_id, state = call.call_id, _state(call)
    if state == 'alerting':
        return [submit('Answer', 'answer', owner, 'positive', callId=call_id),
                submit('Decline', 'decline', owner, 'destructive', callId=call_id),
                submit('Send to voicemail', 'voicemail', owner, callId=call_id)]
    if state in ('connected', 'remoteHeld'):
        return [submit('Hold', 'hold', owner, callId=call_id),
                submit('Hang up', 'hangup', owner, 'destructive', callId=call_id),
                submit('Transfer', 'transfer', owner, callId=call_id)]
    if state == 'held':
        return [submit('Resume', 'resume', owner, 'positive', callId=call_id),
                submit('Hang up', 'hangup', owner, 'destructive', callId=call_id),
                submit('Transfer', 'transfer', owner, callId=call_id)]
    if state == 'connecting':
        return [submit('Hang up', 'hangup', owner, 'destructive', callId=call_id)]
    return []


def call_card(call: TelephonyCall, owner: str, now: Optional[datetime.datetime] = None) -> dict:
    """
    The live card of a call.

    :param call: the call as the latest event showed it
    :param owner: person id of the user whose call it is (only they may press)
    :param now: for the duration shown; default: now
    """
    state = _state(call)
    kind, preposition = replies.direction(call)
    facts = [{'title': 'State', 'value': state}, {'title': 'Direction', 'value': kind or 'unknown'}]
    since = call.answered or call.created
    if since:
        facts.append({'title': 'Since', 'value': replies.timestamp(since)})
    body = [text(_HEADINGS.get(state, f'📞 Call {state}'), weight='Bolder', size='Medium'),
            text(f'{preposition.capitalize()} {replies.party(call.remote_party)}'),
            {'type': 'FactSet', 'facts': facts}]
    if state in ('connected', 'remoteHeld', 'held'):
        body.append({'type': 'Input.Text', 'id': TRANSFER_INPUT, 'placeholder': 'Transfer to (number)',
                     'label': 'Transfer to'})
    return card(body, call_actions(call, owner))


def history_card(records: Sequence[CallHistoryRecord], owner: str, title: str) -> dict:
    """
    Call history, newest first; missed calls with a number carry a Call back button.

    :param records: the records, already sorted and cut to size
    :param owner: person id of the user the history belongs to
    :param title: heading, e.g. ``'Call history (3 calls, newest first)'``
    """
    body: list[dict] = [text(title, weight='Bolder', size='Medium')]
    for record in records:
        kind = str(getattr(record.call_type, 'value', record.call_type))
        columns = [{'type': 'Column', 'width': 'auto', 'items': [text(replies.short_time(record.time),
                                                                      fontType='Monospace')]},
                   {'type': 'Column', 'width': 'auto', 'items': [text(replies.HISTORY_KINDS.get(kind, kind))]},
                   {'type': 'Column', 'width': 'stretch', 'items': [text(replies.party_of(
                       record.name, record.number, record.privacy_enabled))]}]
        row: list[dict] = [{'type': 'ColumnSet', 'columns': columns}]
        if kind == 'missed' and record.number:
            row.append({'type': 'ActionSet', 'actions': [
                submit(f'Call back {record.name or record.number}', 'callback', owner, number=record.number)]})
        body.append({'type': 'Container', 'items': row, 'separator': True})
    return card(body)


def help_card(groups: Iterable[tuple[str, Iterable[tuple[str, str]]]]) -> dict:
    """
    The commands, grouped.

    :param groups: (group title, [(usage, description), ...]) in order
    """
    body = [text('I control your Webex Calling phone. Commands:', weight='Bolder', size='Medium')]
    for title, commands in groups:
        body.append(text(title, weight='Bolder', separator=True))
        body.append({'type': 'FactSet', 'facts': [{'title': usage, 'value': description}
                                                  for usage, description in commands]})
    return card(body)
