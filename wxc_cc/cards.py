"""
Adaptive Cards (schema 1.3, the version Webex renders) the bot sends: a live card per call with the buttons that
fit its state, the call history with "Call back" buttons, the people a name lookup found with "Call" buttons, the
person's devices, call queues and caller IDs with buttons to choose, and the help, as card JSON: :class:`Cards` in
the language of the deployment, on the element builders below.

Every button is an ``Action.Submit`` whose ``data`` names the action, the card's owner and what it acts on (by
Webex's ids, never by a position in a list); :mod:`wxc_cc.presses` serves the presses.

The cards are plain dictionaries made by :func:`element`, which holds them to :data:`VOCABULARY`: the elements and
properties of every card, declared here once. No library builds them: the one kept library that models Adaptive
Cards 1.3 with ``ActionSet``, webexpythonsdk's ``models.cards``, cannot be installed beside webexteamssdk 1.7 (it
needs PyJWT 2, webexteamssdk 1.7 pins PyJWT 1.7.1), and the others model other versions (1.1, 1.2, 1.5) or add
properties newer than 1.3 to every button.
"""
from collections.abc import Iterable, Sequence
from typing import Any, Optional

from wxc_sdk.base import enum_str
from wxc_sdk.me.callcenter import MeCallQueue
from wxc_sdk.me.callerid import MeSelectedCallerId
from wxc_sdk.telephony.calls import CallHistoryRecord, TelephonyCall

from .locales import N_
from .replies import Replies, personality

__all__ = ['CARD_CONTENT_TYPE', 'TRANSFER_INPUT', 'VERSION', 'VOCABULARY', 'element', 'card', 'attachment', 'text',
           'heading', 'facts', 'text_input', 'submit', 'Cards']

CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive'
SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json'
VERSION = '1.3'

#: the input of the transfer field on a connected call's card
TRANSFER_INPUT = 'destination'

#: every Adaptive Card type the cards are made of -> the properties they give it (besides ``type``); the sandbox's
#: page (``sandbox/static/cards.js``) and the documentation (``docs/_ext/botdocs.py``) render these
VOCABULARY: dict[str, frozenset[str]] = {
    'AdaptiveCard': frozenset({'$schema', 'version', 'body', 'actions'}),
    'TextBlock': frozenset({'text', 'wrap', 'weight', 'size', 'fontType', 'isSubtle', 'color', 'separator'}),
    'FactSet': frozenset({'facts'}),
    'Input.Text': frozenset({'id', 'label', 'placeholder'}),
    'Container': frozenset({'items', 'separator'}),
    'ColumnSet': frozenset({'columns'}),
    'Column': frozenset({'width', 'items'}),
    'ActionSet': frozenset({'actions'}),
    'Action.Submit': frozenset({'title', 'data', 'style'}),
}


def element(kind: str, **properties: Any) -> dict:
    """
    An element (or action, or the card itself) of the type ``kind``, with the properties that are not ``None``.

    :raises ValueError: a type or a property that :data:`VOCABULARY` does not declare
    """
    declared = VOCABULARY.get(kind)
    if declared is None:
        raise ValueError(f'{kind!r} is not an element of the cards (wxc_cc.cards.VOCABULARY)')
    undeclared = sorted(set(properties) - declared)
    if undeclared:
        raise ValueError(f'{kind} has no property {", ".join(undeclared)} in the cards (wxc_cc.cards.VOCABULARY)')
    return {'type': kind, **{name: value for name, value in properties.items() if value is not None}}


def card(body: list[dict], actions: Optional[list[dict]] = None) -> dict:
    """
    An Adaptive Card of the version Webex renders.
    """
    return element('AdaptiveCard', **{'$schema': SCHEMA}, version=VERSION, body=body, actions=actions or None)


def attachment(content: dict) -> dict:
    """
    A card as a message attachment.
    """
    return {'contentType': CARD_CONTENT_TYPE, 'content': content}


def text(value: str, **style: Any) -> dict:
    """A TextBlock that wraps; ``style``: its other properties (``weight='Bolder'``, ``isSubtle=True``, ...)."""
    return element('TextBlock', text=value, wrap=True, **style)


def heading(value: str) -> dict:
    """The heading of a card."""
    return text(value, weight='Bolder', size='Medium')


def facts(pairs: Iterable[tuple[str, str]]) -> dict:
    """A FactSet of (title, value) pairs."""
    return element('FactSet', facts=[{'title': title, 'value': value} for title, value in pairs])


def text_input(input_id: str, label: str, placeholder: str) -> dict:
    """A text field whose value a button press submits as ``input_id``."""
    return element('Input.Text', id=input_id, label=label, placeholder=placeholder)


def submit(title: str, action: str, owner: str, style: Optional[str] = None, **data: str) -> dict:
    """
    A button: submits ``{action, owner, **data}``.
    """
    return element('Action.Submit', title=title, data={'action': action, 'owner': owner, **data}, style=style)


def _row(columns: Sequence[list[dict]], button: Optional[dict] = None, stretch: int = -1) -> dict:
    """
    A row of a list card: columns (the one at index ``stretch`` takes the room left), and a button under them.
    """
    wide = stretch % len(columns)
    cells = [element('Column', width='stretch' if index == wide else 'auto', items=items)
             for index, items in enumerate(columns)]
    row = [element('ColumnSet', columns=cells)]
    if button is not None:
        row.append(element('ActionSet', actions=[button]))
    return element('Container', items=row, separator=True)


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

    :param replies: the replies (their catalogue, and the formatting of times, in the reader's zone, and parties)
    """

    def __init__(self, replies: Replies):
        self.replies = replies
        self.t = replies.t

    def in_zone(self, zone: Optional[str]) -> 'Cards':
        """
        The same cards for a reader in another time zone (:meth:`Replies.in_zone <wxc_cc.replies.Replies.in_zone>`).
        """
        return Cards(self.replies.in_zone(zone))

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
        way = personality(call)
        shown = [(self.t('card.fact.state'), self.replies.state_name(call.state)),
                 (self.t('card.fact.direction'),
                  self.t(_DIRECTIONS[way]) if way in _DIRECTIONS else self.t('card.unknown'))]
        since = call.answered or call.created
        if since:
            shown.append((self.t('card.fact.since'), self.replies.timestamp(since)))
        title = self.t(_HEADINGS[state]) if state in _HEADINGS else self.t('card.heading.other', state=state)
        body = [heading(title), text(self.t(_WITH[way], party=self.replies.party(call.remote_party))),
                facts(shown)]
        if state in ('connected', 'remoteHeld', 'held'):
            body.append(text_input(TRANSFER_INPUT, self.t('card.transfer_label'),
                                   self.t('card.transfer_placeholder')))
        return card(body, self.call_actions(call, owner))

    def history_card(self, records: Sequence[CallHistoryRecord], owner: str, title: str) -> dict:
        """
        Call history, newest first; missed calls with a number carry a Call back button.

        :param records: the records, already sorted and cut to size
        :param owner: person id of the user the history belongs to
        :param title: heading naming the zone of the times, e.g. ``'Call history: 3 calls, newest first (UTC)'``
        """
        body: list[dict] = [heading(title)]
        for record in records:
            kind = enum_str(record.call_type)
            columns = [[text(self.replies.table_time(record.time), fontType='Monospace')],
                       [text(self.replies.history_kind(kind))],
                       [text(self.replies.party_of(record.name, record.number, record.privacy_enabled))]]
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
        body: list[dict] = [heading(title)]
        for person in people:
            who = [text(person.name, weight='Bolder')] + ([text(person.title, isSubtle=True)] if person.title else [])
            call = submit(self.t('card.call', who=person.name), 'callback', owner, 'positive',
                          number=person.dial_string)
            body.append(_row([who, [text(person.dial_string, fontType='Monospace')]], call, stretch=0))
        return card(body)

    def devices_card(self, devices: Iterable[Any], owner: str, title: str) -> dict:
        """
        The person's devices, the preferred answer device marked, the others with a button that makes them the
        preferred one (``prefer_device`` with the device's ``endpointId``), and one that clears it.

        :param devices: the devices as Webex lists them (:class:`wxc_cc.webex.AnswerDevice`: ``id``, ``type``,
            ``name``, ``is_preferred_answer_endpoint``)
        :param owner: person id of the user they belong to (only they may press)
        :param title: heading, e.g. ``'Your devices (2)'``
        """
        body: list[dict] = [heading(title)]
        for device in devices:
            what = [text(device.name or device.id, weight='Bolder'), text(self.replies.device_type(device.type),
                                                                          isSubtle=True)]
            if device.is_preferred_answer_endpoint:
                body.append(_row([what, [text(self.t('card.preferred'), color='Good')]], stretch=0))
            else:
                body.append(_row([what], submit(self.t('card.prefer'), 'prefer_device', owner,
                                                endpointId=device.id)))
        return card(body, [submit(self.t('card.no_preferred'), 'no_preferred_device', owner)])

    def call_queues_card(self, call_queues: Iterable[MeCallQueue], owner: str, title: str) -> dict:
        """
        The call queues of an agent, each with Join or Leave (``join_call_queue``/``leave_call_queue`` with the
        queue's id; no Leave where the queue may not be left), and Available and Unavailable (``agent_state``).

        :param call_queues: the call queues as Webex lists them
        :param owner: person id of the agent (only they may press)
        :param title: heading, e.g. ``'Your call queues (2), agent state: available'``
        """
        body: list[dict] = [heading(title)]
        for call_queue in call_queues:
            label = ' · '.join(filter(None, (call_queue.extension, call_queue.phone_number))) \
                or self.t('agent.unnumbered')
            leavable = call_queue.allow_log_off_enabled is not False
            if call_queue.available:
                status = self.t('agent.is_joined') + ('' if leavable else ' · ' + self.t('agent.fixed'))
                button = submit(self.t('card.leave'), 'leave_call_queue', owner, queueId=call_queue.id) \
                    if leavable else None
            else:
                status = self.t('agent.not_joined')
                button = submit(self.t('card.join'), 'join_call_queue', owner, 'positive', queueId=call_queue.id)
            body.append(_row([[text(label, weight='Bolder')], [text(status, isSubtle=True)]], button, stretch=0))
        return card(body, [submit(self.t('card.available'), 'agent_state', owner, 'positive', state='AVAILABLE'),
                           submit(self.t('card.unavailable'), 'agent_state', owner, state='UNAVAILABLE')])

    def caller_ids_card(self, caller_ids: Iterable[tuple[MeSelectedCallerId, bool]], owner: str, title: str) -> dict:
        """
        The caller IDs the person may choose, the selected one marked, the others with a button that selects them
        (``select_caller_id`` with the type and Webex's ``id`` or ``directNumber``), and one for the default.

        :param caller_ids: each caller ID as Webex lists it, and whether it is the selected one
        :param owner: person id of the user (only they may press)
        :param title: heading
        """
        body: list[dict] = [heading(title)]
        for caller_id, selected in caller_ids:
            number = caller_id.direct_number or caller_id.extension
            what = [text(caller_id.name or number or '', weight='Bolder'),
                    text(' · '.join(filter(None, (number, self.replies.caller_id_type(caller_id.type)))),
                         isSubtle=True)]
            if selected:
                body.append(_row([what, [text(self.t('card.selected'), color='Good')]], stretch=0))
                continue
            ids = {key: value for key, value in (('callerId', caller_id.id), ('directNumber', caller_id.direct_number))
                   if value}
            body.append(_row([what], submit(self.t('card.use_caller_id'), 'select_caller_id', owner,
                                            type=enum_str(caller_id.type), **ids)))
        return card(body, [submit(self.t('card.default_caller_id'), 'select_caller_id', owner, type='DEFAULT_CLID')])

    def help_card(self, groups: Iterable[tuple[str, Iterable[tuple[str, str]]]]) -> dict:
        """
        The commands, grouped.

        :param groups: (group title, [(usage, description), ...]) in order
        """
        body = [heading(self.t('help.card_intro'))]
        for title, commands in groups:
            body.append(text(title, weight='Bolder', separator=True))
            body.append(facts(commands))
        return card(body)
