"""
Adaptive Cards (schema 1.3, the version Webex renders) the bot sends: a live card per call with the buttons that
fit its state, the call history with "Call back" buttons, and the help. Pure functions returning card JSON.

Every button is an ``Action.Submit`` whose ``data`` names the action, the card's owner and what it acts on;
:mod:`wxc_cc.cardactions` serves the presses.
"""
from collections.abc import Iterable, Sequence
from typing import Any, Optional

from wxc_sdk.base import enum_str
from wxc_sdk.telephony.calls import CallHistoryRecord, TelephonyCall

from . import replies
from .locales import N_, t

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


#: call state -> the key of its card's heading (other states: card.heading.other)
_HEADINGS = {'alerting': N_('card.heading.alerting'), 'connecting': N_('card.heading.connecting'),
             'connected': N_('card.heading.connected'), 'held': N_('card.heading.held'),
             'remoteHeld': N_('card.heading.remoteHeld')}
#: personality -> the key of the card's line naming the other party
_WITH = {'originator': N_('card.with.originator'), 'terminator': N_('card.with.terminator'),
         'clickToDial': N_('card.with.clickToDial'), 'other': N_('card.with.other')}
#: personality -> the key of its direction (other personalities: card.unknown)
_DIRECTIONS = {'originator': N_('direction.originator'), 'terminator': N_('direction.terminator'),
               'clickToDial': N_('direction.clickToDial')}
#: button action -> the key of its title
_BUTTON_TITLES = {'answer': N_('card.button.answer'), 'decline': N_('card.button.decline'),
                  'voicemail': N_('card.button.voicemail'), 'hold': N_('card.button.hold'),
                  'resume': N_('card.button.resume'), 'hangup': N_('card.button.hangup'),
                  'transfer': N_('card.button.transfer')}


def _button(action: str, owner: str, call_id: str, style: Optional[str] = None) -> dict:
    return submit(t(_BUTTON_TITLES[action]), action, owner, style, callId=call_id)


def call_actions(call: TelephonyCall, owner: str) -> list[dict]:
    """
    The buttons that fit the call's state: Answer, Decline, Send to voicemail for an incoming call ringing;
    Hold or Resume, Hang up, Transfer for a call in progress; Hang up for an outgoing call still ringing.
    """
    call_id, state = call.call_id, enum_str(call.state)
    if state == 'alerting':
        return [_button('answer', owner, call_id, 'positive'), _button('decline', owner, call_id, 'destructive'),
                _button('voicemail', owner, call_id)]
    if state in ('connected', 'remoteHeld'):
        return [_button('hold', owner, call_id), _button('hangup', owner, call_id, 'destructive'),
                _button('transfer', owner, call_id)]
    if state == 'held':
        return [_button('resume', owner, call_id, 'positive'), _button('hangup', owner, call_id, 'destructive'),
                _button('transfer', owner, call_id)]
    if state == 'connecting':
        return [_button('hangup', owner, call_id, 'destructive')]
    return []


def call_card(call: TelephonyCall, owner: str) -> dict:
    """
    The live card of a call.

    :param call: the call as the latest event showed it
    :param owner: person id of the user whose call it is (only they may press)
    """
    state = enum_str(call.state)
    personality = replies.personality(call)
    facts = [{'title': t('card.fact.state'), 'value': replies.state_name(call.state)},
             {'title': t('card.fact.direction'),
              'value': t(_DIRECTIONS[personality]) if personality in _DIRECTIONS else t('card.unknown')}]
    since = call.answered or call.created
    if since:
        facts.append({'title': t('card.fact.since'), 'value': replies.timestamp(since)})
    heading = t(_HEADINGS[state]) if state in _HEADINGS else t('card.heading.other', state=state)
    body = [text(heading, weight='Bolder', size='Medium'),
            text(t(_WITH[personality], party=replies.party(call.remote_party))),
            {'type': 'FactSet', 'facts': facts}]
    if state in ('connected', 'remoteHeld', 'held'):
        body.append({'type': 'Input.Text', 'id': TRANSFER_INPUT, 'placeholder': t('card.transfer_placeholder'),
                     'label': t('card.transfer_label')})
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
        kind = enum_str(record.call_type)
        columns = [{'type': 'Column', 'width': 'auto', 'items': [text(replies.short_time(record.time),
                                                                      fontType='Monospace')]},
                   {'type': 'Column', 'width': 'auto', 'items': [text(replies.history_kind(kind))]},
                   {'type': 'Column', 'width': 'stretch', 'items': [text(replies.party_of(
                       record.name, record.number, record.privacy_enabled))]}]
        row: list[dict] = [{'type': 'ColumnSet', 'columns': columns}]
        if kind == 'missed' and record.number:
            call_back = submit(t('card.call_back', who=record.name or record.number), 'callback', owner,
                               number=record.number)
            row.append({'type': 'ActionSet', 'actions': [call_back]})
        body.append({'type': 'Container', 'items': row, 'separator': True})
    return card(body)


def help_card(groups: Iterable[tuple[str, Iterable[tuple[str, str]]]]) -> dict:
    """
    The commands, grouped.

    :param groups: (group title, [(usage, description), ...]) in order
    """
    body = [text(t('help.card_intro'), weight='Bolder', size='Medium')]
    for title, commands in groups:
        body.append(text(title, weight='Bolder', separator=True))
        body.append({'type': 'FactSet', 'facts': [{'title': usage, 'value': description}
                                                  for usage, description in commands]})
    return card(body)
