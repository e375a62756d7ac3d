"""
The person as an agent of call queues (Webex's call-centre service): ``/queue`` shows their agent state
(``agentACDState``) and every call queue they belong to, joined or not (``GET .../settings/queues``);
``/queue join [n]`` and ``/queue leave [n]`` join or leave call queue n, or all of them, sending only the queues
that change (``PUT .../settings/queues``); ``/queue available`` and ``/queue unavailable`` set the agent state.

A call queue whose ``allowLogOffEnabled`` is false may not be left: ``/queue leave n`` says so and sends nothing,
``/queue leave`` leaves the others and names it. A person Webex refuses the read to (no call-centre service)
belongs to no call queue. Call queues are numbered in the order Webex lists them.

``for <duration>`` or ``until <time>`` at the end makes the change go back by itself then (a break: ``/queue
unavailable for 30m``), one end per call queue and one for the agent state (:mod:`~wxc_cc.commands.timers`).

The word "queue" alone in this code base means the bot's durable work queue; here it is always a call queue.
"""
import logging
from typing import Any, Optional, Union

from wxc_sdk.base import enum_str
from wxc_sdk.common import AgentACDState
from wxc_sdk.me.callcenter import MeCallCenterSettings, MeCallQueue

from ..errors import BotError
from ..locales import N_
from ..replies import Reply
from ..when import split_when
from .common import nth
from .context import Context, Pressed
from .mysettings import MySettings
from .registry import Button
from .timers import Timing, with_end
from .undoable import AGENT_STATE, CALL_QUEUES, call_center, change_call_center, queue_label, state_name

__all__ = ['AGENT_STATES', 'read_agent', 'change_call_queues', 'set_agent_state', 'queue', 'call_queues_line',
           'BUTTONS']

log = logging.getLogger(__name__)

#: /queue's words -> the agent state they set
AGENT_STATES = {'available': AgentACDState.available, 'unavailable': AgentACDState.unavailable}


def read_agent(my: MySettings) -> MeCallCenterSettings:
    """
    The person's agent state and call queues, as Webex lists them now.

    :raises BotError: the person belongs to no call queue (Webex refuses the read without the call-centre service,
        or lists none), or another refusal of Webex
    """
    settings = call_center(my)
    if not settings.queues:
        raise BotError(my.t('agent.none'), 'no call queue')
    return settings


def _label(my: MySettings, call_queue: MeCallQueue) -> str:
    """A call queue as the person knows it: its extension and number (Webex's agent view has no name)."""
    return queue_label(my.replies, call_queue.extension, call_queue.phone_number)


def _labels(my: MySettings, call_queues: list[MeCallQueue]) -> str:
    return ', '.join(_label(my, call_queue) for call_queue in call_queues)


def _leavable(call_queue: MeCallQueue) -> bool:
    return call_queue.allow_log_off_enabled is not False


def change_call_queues(my: MySettings, chosen: list[MeCallQueue], join: bool, timing: Timing) -> str:
    """
    Join or leave the chosen call queues, sending only those that change; the reply. Those that may not be left
    stay joined and are named; when none can change, nothing is sent. A timed change puts an end for each call
    queue it changes (or, changing none, for each chosen); a plain one withdraws those of every call queue chosen.

    :param chosen: call queues as Webex lists them now
    :raises BotError: leaving only call queues that may not be left
    :raises TooManyEnds: the ends do not fit beside the pending ones (nothing is sent)
    """
    if join:
        changing, stuck = [q for q in chosen if not q.available], []
    else:
        changing = [q for q in chosen if q.available and _leavable(q)]
        stuck = [q for q in chosen if q.available and not _leavable(q)]
    timed = changing if timing.at is not None and changing else [q for q in chosen if q not in stuck]
    timing.check_room(CALL_QUEUES.name(q.id) for q in timed)
    if not changing:
        if stuck:
            raise BotError(my.t('agent.may_not_leave', queues=_labels(my, stuck)), 'call queue may not be left')
        labels = _labels(my, chosen)
        reply = my.t('agent.already_joined', queues=labels) if join else my.t('agent.already_left', queues=labels)
    else:
        change_call_center(my, MeCallCenterSettings(queues=[MeCallQueue(id=q.id, available=join) for q in changing]))
        log.info('user %s %s %d call queues', my.user.user_id, 'joined' if join else 'left', len(changing))
        labels = _labels(my, changing)
        reply = my.t('agent.joined', queues=labels) if join else my.t('agent.left', queues=labels)
        if stuck:
            reply += ' ' + my.t('agent.kept', queues=_labels(my, stuck))
    told = [timing.after(CALL_QUEUES, CALL_QUEUES.state(q), {'joined': join}, q.id, CALL_QUEUES.about(q))
            for q in timed]
    return with_end(reply, ' '.join(filter(None, told)))


def set_agent_state(my: MySettings, settings: MeCallCenterSettings, state: AgentACDState, timing: Timing) -> str:
    """Set the agent state, unless it already is so; the reply, and what the timing adds."""
    before = AGENT_STATE.snapshot(settings)
    timing.check_room([AGENT_STATE.name()])
    if before['state'] == enum_str(state):
        reply = my.t('agent.state_already', state=state_name(my.replies, state))
    else:
        change_call_center(my, MeCallCenterSettings(agent_acdstate=state))
        log.info('user %s: agent state %s', my.user.user_id, enum_str(state))
        reply = my.t('agent.state_now', state=state_name(my.replies, state))
    return with_end(reply, timing.after(AGENT_STATE, before, {'state': enum_str(state)}))


def _numbered(my: MySettings, settings: MeCallCenterSettings, number: int) -> MeCallQueue:
    return nth(settings.queues or [], number, lambda call_queue: _label(my, call_queue),
               lambda queues: my.t('agent.no_number', number=number, queues=queues), 'call queue')


def queue(context: Context) -> Union[str, Reply]:
    """
    ``/queue``: the agent state and the call queues, numbered, with a card; ``/queue join [n]``, ``/queue leave
    [n]``, ``/queue available``, ``/queue unavailable``, each for a while with ``for <duration>`` or ``until <time>``.
    """
    words, when = split_when(context.request.words)
    words = [word.lower() for word in words]
    sub, numbers = (words[0], words[1:]) if words else ('', [])
    membership = sub in ('join', 'leave') and len(numbers) <= 1 and all(number.isdigit() for number in numbers)
    if (not membership and words not in ([], ['available'], ['unavailable'])) or (when and not words):
        raise context.usage_error()
    timing = Timing.of(context, when)
    my = MySettings.of(context)
    settings = read_agent(my)
    if membership:
        chosen = [_numbered(my, settings, int(numbers[0]))] if numbers else list(settings.queues or [])
        return change_call_queues(my, chosen, sub == 'join', timing)
    if words:
        return set_agent_state(my, settings, AGENT_STATES[sub], timing)
    title = context.t('agent.title', count=len(settings.queues or []),
                      state=state_name(context.replies, settings.agent_acdstate))
    lines = [f'**{title}**']
    for number, call_queue in enumerate(settings.queues or [], start=1):
        line = f'{number}. {_label(my, call_queue)} · ' + (context.t('agent.is_joined') if call_queue.available
                                                          else context.t('agent.not_joined'))
        if not _leavable(call_queue):
            line += ' · ' + context.t('agent.fixed')
        lines.append(line)
    lines.append(context.t('agent.hint'))
    return Reply('\n'.join(lines), context.services.cards.call_queues_card(settings.queues or [],
                                                                           context.request.person_id, title))


def call_queues_line(my: MySettings) -> Optional[str]:
    """
    The line of ``/me`` naming the call queues joined and the agent state; ``None`` when Webex refuses the read (no
    call-centre service) or the person belongs to no call queue.
    """
    settings = my.optional(my.api.me.call_center.settings, N_('action.agent_read'))
    if settings is None or not settings.queues:
        return None
    joined = [q for q in settings.queues if q.available]
    return my.t('me.call_queues', queues=_labels(my, joined) if joined else my.t('me.no_call_queue'),
                state=state_name(my.replies, settings.agent_acdstate))


def _chosen(my: MySettings, settings: MeCallCenterSettings, inputs: dict[str, Any]) -> MeCallQueue:
    wanted = str(inputs.get('queueId') or '')
    found = next((q for q in settings.queues or [] if q.id == wanted), None)
    if found is None:
        raise BotError(my.t('agent.gone'), 'the call queue of the card is no longer listed')
    return found


def _press_membership(pressed: Pressed, join: bool) -> str:
    """Join or leave the call queue a card's button names (by Webex's id), as listed now."""
    my = MySettings.of_press(pressed)
    return change_call_queues(my, [_chosen(my, read_agent(my), pressed.inputs)], join, Timing.of_press(pressed))


def _press_join(pressed: Pressed) -> str:
    """A call queue card's Join button."""
    return _press_membership(pressed, True)


def _press_leave(pressed: Pressed) -> str:
    """A call queue card's Leave button."""
    return _press_membership(pressed, False)


def _press_state(pressed: Pressed) -> str:
    """A call queue card's Available or Unavailable button."""
    my, inputs = MySettings.of_press(pressed), pressed.inputs
    state = next((state for state in AGENT_STATES.values() if state.value == inputs.get('state')), None)
    if state is None:
        raise BotError(my.t('card.unknown_button'), f'unknown agent state {inputs.get("state")!r}')
    return set_agent_state(my, read_agent(my), state, Timing.of_press(pressed))


#: the buttons of the call queue card, and what they do
BUTTONS = (Button('join_call_queue', _press_join),
           Button('leave_call_queue', _press_leave),
           Button('agent_state', _press_state))
