"""
What the sandbox page shows, as JSON: chat messages (markdown rendered to safe HTML), calls with the far-end
actions that fit them and the devices they ring or are on, the phone's Do Not Disturb and forwarding, its devices
(which one is preferred, which rings), call queues and selected caller ID, the settings that go back by themselves
(the bot's pending ends), and the API trace (secrets masked). Pure functions of the fake's and the bot's records.
"""
import datetime
import json
import logging
from collections.abc import Iterable
from typing import Any, Optional

from fakewebex import Person, Recorded
from wxc_cc.commands.timers import end_line
from wxc_cc.ends import End
from wxc_cc.replies import Replies

from .markdown import render_markdown, render_plain

__all__ = ['FAR_END_ACTIONS', 'RINGING_STATES', 'far_end_actions', 'message_view', 'call_view', 'settings_view',
           'phone_view', 'ends_view', 'trace_row', 'scrub']

log = logging.getLogger(__name__)

#: far-end action -> (button label, states of the user's call it fits, personality it needs or None)
FAR_END_ACTIONS: dict[str, tuple[str, frozenset, Optional[str]]] = {
    'answer': ('Answer (far end)', frozenset({'connecting'}), 'originator'),
    'hold': ('Hold (far end)', frozenset({'connected'}), None),
    'resume': ('Resume (far end)', frozenset({'remoteHeld'}), None),
    'hangup': ('Hang up (far end)', frozenset({'connecting', 'alerting', 'connected', 'held', 'remoteHeld'}), None),
}

_MASK = '***'

#: states of a call that rings the devices it is on
RINGING_STATES = frozenset({'alerting', 'connecting'})


def far_end_actions(call: dict) -> list[dict[str, str]]:
    """
    :param call: a call as the fake's API shows it
    :return: ``[{action, label}]`` the far end can do to it now
    """
    return [{'action': action, 'label': label} for action, (label, states, personality) in FAR_END_ACTIONS.items()
            if call['state'] in states and personality in (None, call['personality'])]


def message_view(message: dict, bot: Person) -> dict[str, Any]:
    """
    :param message: a stored message of a 1:1 space with the bot
    :param bot: the bot
    :return: ``{id, fromBot, author, created, html, card}``: the bot's markdown rendered, a person's text shown
        literally, both escaped; ``card`` is the Adaptive Card content or None
    """
    from_bot = message['personId'] == bot.id
    markdown = message.get('markdown')
    if from_bot or markdown is not None:
        rendered = render_markdown(markdown if markdown is not None else message.get('text', ''))
    else:
        rendered = render_plain(message.get('text', ''))
    cards = [a.get('content') for a in message.get('attachments') or ()
             if a.get('contentType') == 'application/vnd.microsoft.card.adaptive']
    return {'id': message['id'], 'fromBot': from_bot, 'author': message.get('personEmail', ''),
            'created': message.get('created', ''), 'html': rendered, 'card': cards[0] if cards else None}


def call_view(call: dict, devices: list[str]) -> dict[str, Any]:
    """
    :param call: a call as the fake's API shows it
    :param devices: the names of the user's devices it rings, or is on once answered
    :return: ``{id, state, direction, remote, created, answered, devices, ringing, farEnd}``; ``ringing``: the
        devices ring (the call is alerting or connecting)
    """
    remote = call.get('remoteParty') or {}
    return {'id': call['id'], 'state': call['state'],
            'direction': 'incoming' if call['personality'] == 'terminator' else 'outgoing',
            'remote': {'name': remote.get('name') or '', 'number': remote.get('number') or ''},
            'created': call.get('created'), 'answered': call.get('answered'), 'devices': list(devices),
            'ringing': call['state'] in RINGING_STATES, 'farEnd': far_end_actions(call)}


def settings_view(dnd: bool, forwarding: dict) -> dict[str, Any]:
    """
    :param dnd: whether Do Not Disturb is on
    :param forwarding: the call forwarding as ``GET /telephony/config/people/me/settings/callForwarding`` shows it
    :return: ``{dnd, forwarding: [{kind, destination, voicemail}]}``, the kinds of forwarding that are on
    """
    kinds = forwarding.get('callForwarding') or {}
    on = [kind for kind in ('always', 'busy', 'noAnswer') if kinds.get(kind, {}).get('enabled')]
    return {'dnd': dnd, 'forwarding': [{'kind': kind, 'destination': kinds[kind].get('destination', ''),
                                        'voicemail': kinds[kind].get('destinationVoicemailEnabled', False)}
                                       for kind in on]}


def phone_view(devices: list[dict], calls: list[dict], agent: Optional[dict], queue_names: dict[str, str],
               caller_id: dict) -> dict[str, Any]:
    """
    :param devices: the user's devices as ``availablePreferredAnswerEndpoints`` lists them
    :param calls: the user's calls as :func:`call_view` shows them
    :param agent: the user's call queues as ``GET .../settings/queues`` shows them; None without the call-centre
        service
    :param queue_names: call queue id -> name
    :param caller_id: the selected caller ID as ``selectedCallerId`` shows it (its ``selected``)
    :return: ``{devices: [{name, type, preferred, ringing}], agent: {state, queues: [{name, extension, number,
        joined, mayLeave}]} or None, callerId: {type, name, number}}``
    """
    ringing = {name for call in calls if call['ringing'] for name in call['devices']}
    return {
        'devices': [{'name': device['name'], 'type': device['type'],
                     'preferred': bool(device.get('isPreferredAnswerEndpoint')), 'ringing': device['name'] in ringing}
                    for device in devices],
        'agent': None if agent is None else {
            'state': agent.get('agentACDState', ''),
            'queues': [{'name': queue_names.get(queue['id'], ''), 'extension': queue.get('extension', ''),
                        'number': queue.get('phoneNumber', ''), 'joined': bool(queue.get('available')),
                        'mayLeave': queue.get('allowLogOffEnabled', True)} for queue in agent.get('queues', [])]},
        'callerId': {'type': caller_id.get('type', ''), 'name': caller_id.get('name', ''),
                     'number': caller_id.get('directNumber') or caller_id.get('extension') or ''}}


def ends_view(ends: list[End], replies: Replies, now: datetime.datetime) -> list[dict[str, Any]]:
    """
    :param ends: the user's pending ends, the next first
    :param replies: the bot's replies, in the user's time zone
    :param now: the time now
    :return: ``[{html, due}]``: what goes back to what and when, as ``/timers`` words it (rendered), and when
        (ISO 8601)
    """
    return [{'html': render_markdown(end_line(replies, end, now)), 'due': end.at.isoformat()} for end in ends]


def scrub(value: Any, secrets: Iterable[str]) -> Any:
    """
    Belt and braces over the fake's own masking: replace any token value the fake issued, wherever it occurs.

    :param value: JSON-like data
    :param secrets: token values never to show
    :return: a copy without them
    """
    text = json.dumps(value)
    found = [s for s in secrets if s and s in text]
    if not found:
        return value
    for secret in found:
        text = text.replace(secret, _MASK)
    return json.loads(text)


def trace_row(recorded: Recorded, secrets: Iterable[str]) -> dict[str, Any]:
    """
    :param recorded: one request the fake logged
    :param secrets: token values never to show
    :return: ``{seq, at, method, path, query, body, status, identity, durationMs, by}``; ``by`` is ``'browser'``
        for the OAuth pages the browser visits, ``'bot'`` otherwise (in the sandbox nobody else calls the API)
    """
    return scrub({'seq': recorded.seq, 'at': recorded.at, 'method': recorded.method, 'path': recorded.path,
                  'query': recorded.query, 'body': recorded.body, 'status': recorded.status,
                  'identity': recorded.identity, 'durationMs': round(recorded.duration_ms, 1),
                  'by': 'browser' if recorded.path == '/authorize' else 'bot'}, secrets)
