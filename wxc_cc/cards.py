"""
Adaptive Cards (schema 1.3, the version Webex renders) the bot sends: a live card per call with the buttons that
fit its state, the call history with "Call back" buttons, the people a name lookup found with "Call" buttons, and
the help, as card JSON: :class:`Cards` in the
language of the deployment, on the pure building blocks below.

Every button is an ``Action.Submit`` whose ``data`` names the action, the card's owner and what it acts on;
:mod:`wxc_cc.cardactions` serves the presses.
"""
from collections.abc import Iterable, Sequence
from typing import Any, Optional

from wxc_sdk.base import enum_str
from wxc_sdk.telephony.calls import CallHistoryRecord, TelephonyCall

from . import replies
from .locales import N_

__all__ = ['CARD_CONTENT_TYPE', 'TRANSFER_INPUT', 'card', 'attachment', 'text', 'submit', 'Cards']

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


def _row(columns: Sequence[list[dict]], button: Optional[dict] = None, stretch: int = -1) -> dict:
    """
    A row of a list card: columns (the one at index ``stretch`` takes the room left), and a button under them.
    """
    wide = stretch % len(columns)
    cells = [{'type': 'Column', 'width': 'stretch' if index == wide else 'auto', 'items': items}
             for index, items in enumerate(columns)]
    row: list[dict] = [{'type': 'ColumnSet', 'columns': cells}]
    if button is not None:
        row.append({'type': 'ActionSet', 'actions': [button]})
    return {'type': 'Container', 'items': row, 'separator': True}


#: call state -> (action, style) of the buttons of its card
_BUTTONS = {'alerting': (('answer', 'positive'), ('decline', 'destructive'), ('voicemail', None)),
            'in progress': (('hold', None), ('hangup', 'destructive'), ('transfer', None)),
            'held': (('resume', 'positive'), ('hangup', 'destructive'), ('transfer', None)),
            'connecting': (('hangup', 'destructive'),)}

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


class Cards:
    """
    The bot's cards, in the language of its replies.

    :param say: the replies (their catalogue, and the formatting of times, in the reader's zone, and parties)
    """

    def __init__(self, say: replies.Replies):
        self.say = say
        self.t = say.t

    def in_zone(self, zone: Optional[str]) -> 'Cards':
        """
        The same cards for a reader in another time zone (:meth:`Replies.in_zone <wxc_cc.replies.Replies.in_zone>`).
        """
        return Cards(self.say.in_zone(zone))

    def _button(self, action: str, owner: str, call_id: str, style: Optional[str] = None) -> dict:
        return submit(self.t(_BUTTON_TITLES[action]), action, owner, style, callId=call_id)

    def call_actions(self, call: TelephonyCall, owner: str) -> list[dict]:
        """
        The buttons that fit the call's state: Answer, Decline, Send to voicemail for an incoming call ringing;
        Hold or Resume, Hang up, Transfer for a call in progress; Hang up for an outgoing call still ringing.
        """
        state = enum_str(call.state)
        buttons = _BUTTONS.get('in progress' if state in ('connected', 'remoteHeld') else state, ())
        return [self._button(action, owner, call.call_id, style) for action, style in buttons]

    def call_card(self, call: TelephonyCall, owner: str) -> dict:
        """
        The live card of a call.

        :param call: the call as the latest event showed it
        :param owner: person id of the user whose call it is (only they may press)
        """
        state = enum_str(call.state)
        personality = replies.personality(call)
        facts = [{'title': self.t('card.fact.state'), 'value': self.say.state_name(call.state)},
                 {'title': self.t('card.fact.direction'),
                  'value': (self.t(_DIRECTIONS[personality]) if personality in _DIRECTIONS
                            else self.t('card.unknown'))}]
        since = call.answered or call.created
        if since:
            facts.append({'title': self.t('card.fact.since'), 'value': self.say.timestamp(since)})
        heading = self.t(_HEADINGS[state]) if state in _HEADINGS else self.t('card.heading.other', state=state)
        body = [text(heading, weight='Bolder', size='Medium'),
                text(self.t(_WITH[personality], party=self.say.party(call.remote_party))),
                {'type': 'FactSet', 'facts': facts}]
        if state in ('connected', 'remoteHeld', 'held'):
            body.append({'type': 'Input.Text', 'id': TRANSFER_INPUT, 'label': self.t('card.transfer_label'),
                         'placeholder': self.t('card.transfer_placeholder')})
        return card(body, self.call_actions(call, owner))

    def history_card(self, records: Sequence[CallHistoryRecord], owner: str, title: str) -> dict:
        """
        Call history, newest first; missed calls with a number carry a Call back button.

        :param records: the records, already sorted and cut to size
        :param owner: person id of the user the history belongs to
        :param title: heading naming the zone of the times, e.g. ``'Call history: 3 calls, newest first (UTC)'``
        """
        body: list[dict] = [text(title, weight='Bolder', size='Medium')]
        for record in records:
            kind = enum_str(record.call_type)
            columns = [[text(self.say.table_time(record.time), fontType='Monospace')],
                       [text(self.say.history_kind(kind))],
                       [text(self.say.party_of(record.name, record.number, record.privacy_enabled))]]
            call_back = None
            if kind == 'missed' and record.number:
                call_back = submit(self.t('card.call_back', who=record.name or record.number), 'callback', owner,
                                   number=record.number)
            body.append(_row(columns, call_back))
        return card(body)

    def people_card(self, people: Iterable[Any], owner: str, title: str) -> dict:
        """
        People found by name, each with a Call button that dials them (the ``callback`` action, like Call back).

        :param people: the matches (:class:`wxc_cc.commands.directory.Match`: ``name``, ``title``,
            ``dial_string``), each with something to dial
        :param owner: person id of the user who looked them up (only they may press)
        :param title: heading, e.g. ``'3 people are called Bob'``
        """
        body: list[dict] = [text(title, weight='Bolder', size='Medium')]
        for person in people:
            who = [text(person.name, weight='Bolder')] + ([text(person.title, isSubtle=True)] if person.title else [])
            call = submit(self.t('card.call', who=person.name), 'callback', owner, 'positive',
                          number=person.dial_string)
            body.append(_row([who, [text(person.dial_string, fontType='Monospace')]], call, stretch=0))
        return card(body)

    def help_card(self, groups: Iterable[tuple[str, Iterable[tuple[str, str]]]]) -> dict:
        """
        The commands, grouped.

        :param groups: (group title, [(usage, description), ...]) in order
        """
        body = [text(self.t('help.card_intro'), weight='Bolder', size='Medium')]
        for title, commands in groups:
            body.append(text(title, weight='Bolder', separator=True))
            body.append({'type': 'FactSet', 'facts': [{'title': usage, 'value': description}
                                                      for usage, description in commands]})
        return card(body)
