"""
The phone settings whose change can end by itself (:mod:`wxc_cc.ends`): Do Not Disturb, call forwarding (every kind
together), each call queue (joined or not) and the agent state. Each is a :class:`Setting` of :data:`SETTINGS`: read
with the person's token into a snapshot (a plain dict that an end's task keeps as JSON), compared, written back, and
named in words. The commands that change them (:mod:`~wxc_cc.commands.settings`, :mod:`~wxc_cc.commands.agent`) read
and write them here too.

The snapshots:

- Do Not Disturb: ``{"enabled": true}``;
- call forwarding: ``{"always" | "busy" | "no_answer": {"enabled", "destination", "voicemail"}}``;
- a call queue: ``{"joined": true}``;
- the agent state: ``{"state": "AVAILABLE"}`` (``agentACDState``).

Two snapshots are the same setting when the person would say so: a kind of forwarding that is off is off, whatever
destination Webex keeps for it.
"""
from abc import ABC, abstractmethod
from typing import Any, Optional

import requests
from wxc_sdk.base import enum_str
from wxc_sdk.common import AgentACDState
from wxc_sdk.me.callcenter import MeCallCenterSettings, MeCallQueue
from wxc_sdk.person_settings.dnd import DND as DndSetting
from wxc_sdk.person_settings.forwarding import PersonForwardingSetting

from ..ends import AGENT, CALL_QUEUE, DND, FORWARDING
from ..locales import N_
from ..replies import Replies, escape
from .mysettings import READ_SCOPE, WRITE_SCOPE, MySettings

__all__ = ['Setting', 'DoNotDisturb', 'CallForwarding', 'CallQueueMembership', 'AgentState', 'SETTINGS',
           'DO_NOT_DISTURB', 'CALL_FORWARDING', 'CALL_QUEUES', 'AGENT_STATE', 'FORWARDING_KINDS', 'call_center',
           'change_call_center', 'state_name', 'queue_label']

#: /forward's kinds -> (the field of wxc_sdk's CallForwardingPerson, the key of its name), in the order shown
FORWARDING_KINDS = {'always': ('always', N_('forward.kind.always')), 'busy': ('busy', N_('forward.kind.busy')),
                    'noanswer': ('no_answer', N_('forward.kind.noanswer'))}

#: agentACDState -> the key of its name
_STATE_NAMES = {'AVAILABLE': N_('agent.state.available'), 'UNAVAILABLE': N_('agent.state.unavailable'),
                'SIGN_IN': N_('agent.state.sign_in'), 'SIGN_OUT': N_('agent.state.sign_out'),
                'WRAP_UP': N_('agent.state.wrap_up')}


class Setting(ABC):
    """One kind of setting whose change can end."""
    #: the kind, as :mod:`wxc_cc.ends` names it
    kind: str
    #: the key of its name in messages, e.g. "Do Not Disturb"
    what_key: str

    def name(self, target: str = '') -> str:
        """The setting as an end names it: the kind, and which one (a call queue's id)."""
        return f'{self.kind}:{target}' if target else self.kind

    def what(self, replies: Replies, about: dict) -> str:
        """Its name, e.g. "Do Not Disturb", "Call queue 5001"."""
        return replies.t(self.what_key)

    @abstractmethod
    def current(self, my: MySettings) -> Any:
        """
        The setting as Webex has it now (as wxc_sdk reads it).

        :raises BotError: Webex refused (its reason in words)
        """

    @abstractmethod
    def snapshot(self, current: Any, target: str = '') -> Optional[dict]:
        """The setting as Webex has it, as a snapshot; ``None`` when it is gone (a call queue no longer listed)."""

    @abstractmethod
    def write(self, my: MySettings, target: str, state: dict, current: Any) -> None:
        """
        Make the setting as the snapshot says, from the setting as just read (``current``).

        :raises BotError: Webex refused (its reason in words)
        """

    @abstractmethod
    def describe(self, replies: Replies, state: dict) -> str:
        """A snapshot in words, e.g. "off", "always to 1002", "joined"."""

    def same(self, one: dict, other: dict) -> bool:
        """Whether two snapshots are the same setting for the person."""
        return one == other

    def restorable(self, state: dict) -> dict:
        """What to put back of a setting that was as ``state`` says before a timed change."""
        return state


class DoNotDisturb(Setting):
    """Do Not Disturb (``.../settings/doNotDisturb``)."""
    kind = DND
    what_key = N_('end.what.dnd')

    def current(self, my: MySettings) -> DndSetting:
        return my.request(my.api.me.dnd.settings, N_('action.dnd_read'), READ_SCOPE)

    def snapshot(self, current: DndSetting, target: str = '') -> dict:
        return {'enabled': bool(current.enabled)}

    def write(self, my: MySettings, target: str, state: dict, current: DndSetting) -> None:
        # webexGoOverrideEnabled is required in the request: as it was
        changed = current.model_copy(update={'enabled': bool(state['enabled']),
                                             'webex_go_override_enabled': bool(current.webex_go_override_enabled)})
        my.request(lambda: my.api.me.dnd.configure(changed), N_('action.dnd_set'), WRITE_SCOPE)

    def describe(self, replies: Replies, state: dict) -> str:
        return replies.t('word.on') if state.get('enabled') else replies.t('word.off')


class CallForwarding(Setting):
    """Call forwarding, every kind together (``.../settings/callForwarding``)."""
    kind = FORWARDING
    what_key = N_('end.what.forwarding')

    def current(self, my: MySettings) -> PersonForwardingSetting:
        return my.request(my.api.me.forwarding.settings, N_('action.forward_read'), READ_SCOPE)

    def snapshot(self, current: PersonForwardingSetting, target: str = '') -> dict:
        kinds = current.call_forwarding
        return {field: {'enabled': bool(getattr(kinds, field).enabled),
                        'destination': getattr(kinds, field).destination,
                        'voicemail': bool(getattr(kinds, field).destination_voicemail_enabled)}
                for field, _ in FORWARDING_KINDS.values()}

    def write(self, my: MySettings, target: str, state: dict, current: PersonForwardingSetting) -> None:
        """See :meth:`Setting.write`: the kinds that differ from ``current`` are written, the rest as they are."""
        kinds, now = current.call_forwarding, self.snapshot(current)
        update = {field: getattr(kinds, field).model_copy(update={
                      'enabled': value['enabled'], 'destination': value['destination'],
                      'destination_voicemail_enabled': value['voicemail']})
                  for field, value in state.items() if field in now and value != now[field]}
        changed = current.model_copy(update={'call_forwarding': kinds.model_copy(update=update)})
        my.request(lambda: my.api.me.forwarding.configure(changed), N_('action.forward_set'), WRITE_SCOPE)

    @staticmethod
    def _normal(state: dict) -> dict:
        return {field: (value['enabled'], value['destination'], value['voicemail']) if value.get('enabled') else False
                for field, value in state.items()}

    def same(self, one: dict, other: dict) -> bool:
        return self._normal(one) == self._normal(other)

    @staticmethod
    def lines(replies: Replies, state: dict, rings: Optional[int] = None) -> list[tuple[str, Optional[str]]]:
        """
        (the name of each kind, where it sends calls or ``None`` when it is off), in the order of
        :data:`FORWARDING_KINDS`; with ``rings``, how many rings no-answer forwarding waits.
        """
        lines = []
        for field, name_key in FORWARDING_KINDS.values():
            value, target = state.get(field) or {}, None
            if value.get('enabled'):
                destination = escape(value.get('destination') or '')
                target = replies.t('forward.to_voicemail_of', destination=destination) if value.get('voicemail') \
                    else replies.t('forward.to', destination=destination)
                if field == 'no_answer' and rings is not None:
                    target += replies.t('forward.after_rings', rings=rings)
            lines.append((replies.t(name_key), target))
        return lines

    def describe(self, replies: Replies, state: dict, rings: Optional[int] = None) -> str:
        """One line: the kinds that are on (``always to 1002; when busy to …``), or off."""
        on = [f'{name} {target}' for name, target in self.lines(replies, state, rings) if target]
        return '; '.join(on) if on else replies.t('word.off')


def call_center(my: MySettings) -> MeCallCenterSettings:
    """
    The person's agent state and call queues, as Webex lists them now.

    :raises BotError: Webex refused (without the call-centre service: the person belongs to no call queue)
    """
    def refused(error: requests.HTTPError) -> Optional[str]:
        if error.response.status_code in (400, 404):
            return my.t('agent.refused', reason=my.reason(error))
        return None

    return my.request(my.api.me.call_center.settings, N_('action.agent_read'), READ_SCOPE, refused)


def change_call_center(my: MySettings, change: MeCallCenterSettings) -> None:
    """Change the call queues joined or the agent state (only what ``change`` names)."""
    my.request(lambda: my.api.me.call_center.modify(change), N_('action.agent_set'), WRITE_SCOPE)


def queue_label(replies: Replies, extension: Optional[str], number: Optional[str]) -> str:
    """A call queue as the person knows it: its extension and number (Webex's agent view has no name)."""
    if not (extension or number):
        return replies.t('agent.unnumbered')
    return replies.party_of(extension, number)


def state_name(replies: Replies, state: Any) -> str:
    """An agent state in the reply language."""
    value = enum_str(state) if state is not None else ''
    return replies.t(_STATE_NAMES[value]) if value in _STATE_NAMES else replies.t('agent.state.unknown')


class CallQueueMembership(Setting):
    """Whether the person has joined one call queue (its ``available``)."""
    kind = CALL_QUEUE
    what_key = N_('end.what.call_queue')

    @staticmethod
    def about(call_queue: MeCallQueue) -> dict:
        """What the messages name a call queue by."""
        return {'extension': call_queue.extension, 'number': call_queue.phone_number}

    def what(self, replies: Replies, about: dict) -> str:
        return replies.t(self.what_key, queue=queue_label(replies, about.get('extension'), about.get('number')))

    def current(self, my: MySettings) -> MeCallCenterSettings:
        return call_center(my)

    @staticmethod
    def state(call_queue: MeCallQueue) -> dict:
        """Whether the person has joined a call queue, as a snapshot."""
        return {'joined': bool(call_queue.available)}

    def snapshot(self, current: MeCallCenterSettings, target: str = '') -> Optional[dict]:
        found = next((q for q in current.queues or [] if q.id == target), None)
        return None if found is None else self.state(found)

    def write(self, my: MySettings, target: str, state: dict, current: MeCallCenterSettings) -> None:
        change_call_center(my, MeCallCenterSettings(queues=[MeCallQueue(id=target, available=state['joined'])]))

    def describe(self, replies: Replies, state: dict) -> str:
        return replies.t('agent.is_joined') if state.get('joined') else replies.t('agent.not_joined')


class AgentState(Setting):
    """The agent state of the call queues (``agentACDState``)."""
    kind = AGENT
    what_key = N_('end.what.agent')

    def current(self, my: MySettings) -> MeCallCenterSettings:
        return call_center(my)

    def snapshot(self, current: MeCallCenterSettings, target: str = '') -> dict:
        return {'state': enum_str(current.agent_acdstate) or ''}

    def write(self, my: MySettings, target: str, state: dict, current: MeCallCenterSettings) -> None:
        change_call_center(my, MeCallCenterSettings(agent_acdstate=AgentACDState(state['state'])))

    def describe(self, replies: Replies, state: dict) -> str:
        return state_name(replies, state.get('state'))

    def restorable(self, state: dict) -> dict:
        # wrapping up is the moment after a call: an agent back from a break is available (so is one Webex gave no
        # state for)
        return state if state.get('state') in set(_STATE_NAMES) - {'WRAP_UP'} else {'state': 'AVAILABLE'}


DO_NOT_DISTURB, CALL_FORWARDING, CALL_QUEUES, AGENT_STATE = (DoNotDisturb(), CallForwarding(), CallQueueMembership(),
                                                             AgentState())

#: every setting whose change can end, by kind
SETTINGS: dict[str, Setting] = {setting.kind: setting for setting in (DO_NOT_DISTURB, CALL_FORWARDING, CALL_QUEUES,
                                                                       AGENT_STATE)}
