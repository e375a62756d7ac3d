"""
The phone settings commands' handlers: ``/dnd``, ``/forward`` and ``/me``, acting with the person's own token
through Webex's "call settings for me" API (``/telephony/config/people/me``, :attr:`wxc_cc.webex.UserApi.me`), and
the lines of ``/me`` that :mod:`~wxc_cc.commands.devices`, :mod:`~wxc_cc.commands.agent` and
:mod:`~wxc_cc.commands.callerid` add (the preferred device, the call queues joined, the caller ID), and the settings
that go back by themselves (:mod:`~wxc_cc.commands.timers`).

A change reads the setting first and writes it back with only what the command changes (Do Not Disturb's
``webexGoOverrideEnabled`` must be sent, and stays as it was); when the setting already is as asked, nothing is
written. ``for <duration>`` or ``until <time>`` at the end makes the change go back by itself then
(:class:`~wxc_cc.commands.timers.Timing`); a change without it withdraws the pending end of the setting.

Two answers of Webex are told in words: 403 from a token without the settings scopes (someone who authorized the
bot before they were asked for: ``/auth force`` fixes it) and 404 (no Webex Calling licence: Webex's reason).
"""
import logging
from typing import Optional

from wxc_sdk.me import MeNumber, MeProfile

from ..errors import BotError
from ..locales import N_
from ..replies import escape
from ..when import split_when
from . import agent, callerid, devices
from .common import phone_number
from .context import Context
from .mysettings import READ_SCOPE, MySettings
from .timers import Timing, me_lines, with_end
from .undoable import CALL_FORWARDING, DO_NOT_DISTURB, FORWARDING_KINDS

__all__ = ['dnd', 'forward', 'me']

log = logging.getLogger(__name__)


def dnd(context: Context) -> str:
    """``/dnd [on|off] [for <duration> | until <time>]``: show Do Not Disturb, or turn it on or off (for a while)."""
    words, when = split_when(context.request.words)
    words = [word.lower() for word in words]
    if words not in ([], ['on'], ['off']) or (when and not words):
        raise context.usage_error()
    timing = Timing.of(context, when)
    my = MySettings.of(context)
    current = DO_NOT_DISTURB.current(my)
    before = DO_NOT_DISTURB.snapshot(current)
    enabled = before['enabled']
    if not words:
        return context.t('dnd.is_on') if enabled else context.t('dnd.is_off')
    wanted = words[0] == 'on'
    timing.check_room([DO_NOT_DISTURB.name()])
    if enabled == wanted:
        reply = context.t('dnd.is_on') if wanted else context.t('dnd.is_off')
    else:
        DO_NOT_DISTURB.write(my, '', {'enabled': wanted}, current)
        log.info('user %s turned Do Not Disturb %s', context.request.person_id, words[0])
        if wanted:
            reply = context.t('dnd.now_on') if timing.at is None else context.t('dnd.now_on_for_a_while')
        else:
            reply = context.t('dnd.now_off')
    return with_end(reply, timing.after(DO_NOT_DISTURB, before, {'enabled': wanted}))


def _numbers(profile: MeProfile) -> list[MeNumber]:
    """The person's numbers, the primary one first."""
    return sorted(profile.phone_numbers or [], key=lambda number: not number.primary)


def _own_number(profile: MeProfile) -> Optional[str]:
    """The person's extension, else their direct number: the primary number first."""
    return next((number.extension or number.direct_number for number in _numbers(profile)
                 if number.extension or number.direct_number), None)


def forward(context: Context) -> str:
    """
    ``/forward``: the person's call forwarding; ``/forward always|busy|noanswer <number>|voicemail`` turns that
    kind on; ``/forward off`` turns every kind off; either for a while with ``for <duration>`` or ``until <time>``.
    """
    words, when = split_when(context.request.words)
    kind_word = words[0].lower() if words else ''
    setting_kind = kind_word in FORWARDING_KINDS and len(words) > 1
    if (words and not setting_kind and [word.lower() for word in words] != ['off']) or (when and not words):
        raise context.usage_error()
    timing = Timing.of(context, when)
    to_voicemail = setting_kind and [word.lower() for word in words[1:]] == ['voicemail']
    number = None
    if setting_kind and not to_voicemail:
        number = phone_number(context.replies, ' '.join(words[1:]), context.command.usage)
    my = MySettings.of(context)
    if to_voicemail:
        number = _own_number(my.request(my.api.me.details, N_('action.me'), READ_SCOPE))
        if number is None:
            raise BotError(context.t('forward.no_own_number'), 'no own number for forwarding to voicemail')
    current = CALL_FORWARDING.current(my)
    before = CALL_FORWARDING.snapshot(current)
    if not words:
        lines = [context.t('forward.title')]
        lines += [f'- {name}: {target or context.t("word.off")}' for name, target in
                  CALL_FORWARDING.lines(context.replies, before, current.call_forwarding.no_answer.number_of_rings)]
        return '\n'.join(lines)
    timing.check_room([CALL_FORWARDING.name()])
    if kind_word == 'off':
        wanted = {field: {**value, 'enabled': False} for field, value in before.items()}
        write = any(value['enabled'] for value in before.values())
        done = context.t('forward.done_off') if write else context.t('forward.already_off')
    else:
        field, name_key = FORWARDING_KINDS[kind_word]
        wanted = {**before, field: {'enabled': True, 'destination': number, 'voicemail': to_voicemail}}
        target = context.t('forward.to_your_voicemail') if to_voicemail else context.t('forward.to',
                                                                                       destination=escape(number))
        done, write = context.t('forward.done', kind=context.t(name_key), target=target), True
    if write:
        CALL_FORWARDING.write(my, '', wanted, current)
        log.info('user %s changed call forwarding: %s', context.request.person_id, kind_word)
    return with_end(done, timing.after(CALL_FORWARDING, before, wanted))


def _time_zone(context: Context, zone: Optional[str]) -> str:
    """The line of ``/me`` naming the person's time zone as Webex has it, and saying when times are shown in UTC."""
    if not zone:
        return context.t('me.no_timezone')
    clock = context.services.replies.in_zone(zone).clock
    if clock.zone is None:
        return context.t('me.timezone_unknown', zone=escape(zone))
    return context.t('me.timezone', name=clock.zone_name(), zone=escape(zone))


def me(context: Context) -> str:
    """
    ``/me``: the person's numbers and extension, Do Not Disturb, call forwarding, preferred device, the call queues
    they joined, caller ID (a line of these three that Webex refuses is left out), time zone (read again) and the
    settings that go back by themselves, at a glance.
    """
    if context.request.argument:
        raise context.usage_error()
    my = MySettings.of(context)
    profile = my.request(my.api.me.details, N_('action.me'), READ_SCOPE)
    dnd_setting = DO_NOT_DISTURB.current(my)
    forwarding = CALL_FORWARDING.current(my)
    rings = forwarding.call_forwarding.no_answer.number_of_rings
    name = ' '.join(filter(None, (profile.first_name, profile.last_name)))
    numbers = []
    for number in _numbers(profile):
        if number.extension:
            numbers.append(context.t('me.extension', extension=escape(number.extension)))
        if number.direct_number:
            numbers.append(context.t('me.number', number=escape(number.direct_number)))
    lines = [f'**{escape(name) or escape(profile.email)}** ({escape(profile.email)})',
             '- ' + context.t('me.numbers', numbers=', '.join(numbers) or context.t('me.no_numbers')),
             '- ' + context.t('me.dnd', state=DO_NOT_DISTURB.describe(context.replies,
                                                                    DO_NOT_DISTURB.snapshot(dnd_setting))),
             '- ' + context.t('me.forwarding', summary=CALL_FORWARDING.describe(
                 context.replies, CALL_FORWARDING.snapshot(forwarding), rings))]
    lines += _phone_lines(my)
    user = context.services.zones.read(context.user, context.services.user_api)
    lines.append('- ' + _time_zone(context, user.timezone))
    lines += [f'- {line}' for line in me_lines(context, context.services.replies.in_zone(user.timezone))]
    return '\n'.join(lines)


def _phone_lines(my: MySettings) -> list[str]:
    """The lines of ``/me`` about the phone menu: the preferred device, the call queues joined, the caller ID."""
    lines = (devices.preferred_line(my), agent.call_queues_line(my), callerid.caller_id_line(my))
    return [f'- {line}' for line in lines if line is not None]
