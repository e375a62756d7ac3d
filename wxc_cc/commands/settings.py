"""
The phone settings commands' handlers: ``/dnd``, ``/forward`` and ``/me``, acting with the person's own token
through Webex's "call settings for me" API (``/telephony/config/people/me``, :attr:`wxc_cc.webex.UserApi.me`), and
the lines of ``/me`` that :mod:`~wxc_cc.commands.devices`, :mod:`~wxc_cc.commands.agent` and
:mod:`~wxc_cc.commands.callerid` add (the preferred device, the call queues joined, the caller ID).

A change reads the setting first and writes it back with only what the command changes (Do Not Disturb's
``webexGoOverrideEnabled`` must be sent, and stays as it was); when the setting already is as asked, nothing is
written.

Two answers of Webex are told in words: 403 from a token without the settings scopes (someone who authorized the
bot before they were asked for: ``/auth force`` fixes it) and 404 (no Webex Calling licence: Webex's reason).
"""
import logging
from collections.abc import Callable
from typing import Optional, TypeVar

from wxc_sdk.me import MeNumber, MeProfile
from wxc_sdk.person_settings.forwarding import CallForwardingCommon, PersonForwardingSetting

from ..errors import BotError
from ..locales import N_
from ..replies import escape
from . import agent, callerid, devices
from .common import phone_number
from .context import Context
from .mysettings import READ_SCOPE, WRITE_SCOPE, MySettings

__all__ = ['FORWARDING_KINDS', 'dnd', 'forward', 'me', 'settings_request']

log = logging.getLogger(__name__)

T = TypeVar('T')

#: /forward's kinds -> (the field of wxc_sdk's CallForwardingPerson, the key of its name)
FORWARDING_KINDS = {'always': ('always', N_('forward.kind.always')), 'busy': ('busy', N_('forward.kind.busy')),
                    'noanswer': ('no_answer', N_('forward.kind.noanswer'))}


def settings_request(context: Context, request: Callable[[], T], action_key: str, scope: str) -> T:
    """
    A request of the "call settings for me" API for the person who sent the command (:meth:`MySettings.request`).

    :param request: the request to make
    :param action_key: the key of what it does, e.g. ``action.dnd_read``
    :param scope: the scope the request needs
    """
    return MySettings.of(context).request(request, action_key, scope)


def dnd(context: Context) -> str:
    """``/dnd [on|off]``: show Do Not Disturb, or turn it on or off."""
    words = [word.lower() for word in context.request.words]
    if words not in ([], ['on'], ['off']):
        raise context.usage_error()
    api = context.user_api().me.dnd
    current = settings_request(context, api.settings, N_('action.dnd_read'), READ_SCOPE)
    wanted = words[0] == 'on' if words else bool(current.enabled)
    if bool(current.enabled) == wanted:
        return context.t('dnd.is_on') if wanted else context.t('dnd.is_off')
    # webexGoOverrideEnabled is required in the request: as it was
    changed = current.model_copy(update={'enabled': wanted,
                                         'webex_go_override_enabled': bool(current.webex_go_override_enabled)})
    settings_request(context, lambda: api.configure(changed), N_('action.dnd_set'), WRITE_SCOPE)
    log.info('user %s turned Do Not Disturb %s', context.request.person_id, words[0])
    return context.t('dnd.now_on') if wanted else context.t('dnd.now_off')


def _numbers(profile: MeProfile) -> list[MeNumber]:
    """The person's numbers, the primary one first."""
    return sorted(profile.phone_numbers or [], key=lambda number: not number.primary)


def _own_number(profile: MeProfile) -> Optional[str]:
    """The person's extension, else their direct number: the primary number first."""
    return next((number.extension or number.direct_number for number in _numbers(profile)
                 if number.extension or number.direct_number), None)


def _target(context: Context, kind: CallForwardingCommon) -> str:
    """Where a kind of forwarding sends calls, e.g. ``to 1002``."""
    destination = escape(kind.destination or '')
    if kind.destination_voicemail_enabled:
        return context.t('forward.to_voicemail_of', destination=destination)
    return context.t('forward.to', destination=destination)


def _forwarding_lines(context: Context, setting: PersonForwardingSetting) -> list[tuple[str, Optional[str]]]:
    """(name of the kind, where it sends calls or ``None`` when it is off), in the order of :data:`FORWARDING_KINDS`."""
    lines = []
    for field, name_key in FORWARDING_KINDS.values():
        kind = getattr(setting.call_forwarding, field)
        target = _target(context, kind) if kind.enabled else None
        if target and field == 'no_answer':
            target += context.t('forward.after_rings', rings=kind.number_of_rings)
        lines.append((context.t(name_key), target))
    return lines


def _forwarding_summary(context: Context, setting: PersonForwardingSetting) -> str:
    """One line: the kinds that are on (``always to 1002; when busy to …``), or off."""
    on = [f'{name} {target}' for name, target in _forwarding_lines(context, setting) if target]
    return '; '.join(on) if on else context.t('word.off')


def forward(context: Context) -> str:
    """
    ``/forward``: the person's call forwarding; ``/forward always|busy|noanswer <number>|voicemail`` turns that
    kind on; ``/forward off`` turns every kind off.
    """
    words = context.request.words
    kind_word = words[0].lower() if words else ''
    setting_kind = kind_word in FORWARDING_KINDS and len(words) > 1
    if words and not setting_kind and [word.lower() for word in words] != ['off']:
        raise context.usage_error()
    to_voicemail = setting_kind and [word.lower() for word in words[1:]] == ['voicemail']
    number = None
    if setting_kind and not to_voicemail:
        number = phone_number(context.say, ' '.join(words[1:]), context.command.usage)
    api = context.user_api().me
    if to_voicemail:
        number = _own_number(settings_request(context, api.details, N_('action.me'), READ_SCOPE))
        if number is None:
            raise BotError(context.t('forward.no_own_number'), 'no own number for forwarding to voicemail')
    current = settings_request(context, api.forwarding.settings, N_('action.forward_read'), READ_SCOPE)
    if not words:
        lines = [context.t('forward.title')]
        lines += [f'- {name}: {target or context.t("word.off")}' for name, target in
                  _forwarding_lines(context, current)]
        return '\n'.join(lines)
    kinds = current.call_forwarding
    if kind_word == 'off':
        update = {field: getattr(kinds, field).model_copy(update={'enabled': False})
                  for field, _ in FORWARDING_KINDS.values() if getattr(kinds, field).enabled}
        if not update:
            return context.t('forward.already_off')
        done = context.t('forward.done_off')
    else:
        field, name_key = FORWARDING_KINDS[kind_word]
        update = {field: getattr(kinds, field).model_copy(update={'enabled': True, 'destination': number,
                                                                  'destination_voicemail_enabled': to_voicemail})}
        target = context.t('forward.to_your_voicemail') if to_voicemail else context.t('forward.to',
                                                                                       destination=escape(number))
        done = context.t('forward.done', kind=context.t(name_key), target=target)
    changed = current.model_copy(update={'call_forwarding': kinds.model_copy(update=update)})
    settings_request(context, lambda: api.forwarding.configure(changed), N_('action.forward_set'), WRITE_SCOPE)
    log.info('user %s changed call forwarding: %s', context.request.person_id, kind_word)
    return done


def _time_zone(context: Context, zone: Optional[str]) -> str:
    """The line of ``/me`` naming the person's time zone as Webex has it, and saying when times are shown in UTC."""
    if not zone:
        return context.t('me.no_timezone')
    clock = context.services.say.in_zone(zone).clock
    if clock.zone is None:
        return context.t('me.timezone_unknown', zone=escape(zone))
    return context.t('me.timezone', name=clock.zone_name(), zone=escape(zone))


def me(context: Context) -> str:
    """
    ``/me``: the person's numbers and extension, Do Not Disturb, call forwarding, preferred device, the call queues
    they joined, caller ID (a line of these three that Webex refuses is left out) and time zone (read again) at a
    glance.
    """
    if context.request.argument:
        raise context.usage_error()
    api = context.user_api().me
    profile = settings_request(context, api.details, N_('action.me'), READ_SCOPE)
    dnd_setting = settings_request(context, api.dnd.settings, N_('action.dnd_read'), READ_SCOPE)
    forwarding = settings_request(context, api.forwarding.settings, N_('action.forward_read'), READ_SCOPE)
    name = ' '.join(filter(None, (profile.first_name, profile.last_name)))
    numbers = []
    for number in _numbers(profile):
        if number.extension:
            numbers.append(context.t('me.extension', extension=escape(number.extension)))
        if number.direct_number:
            numbers.append(context.t('me.number', number=escape(number.direct_number)))
    lines = [f'**{escape(name) or escape(profile.email)}** ({escape(profile.email)})',
             '- ' + context.t('me.numbers', numbers=', '.join(numbers) or context.t('me.no_numbers')),
             '- ' + context.t('me.dnd', state=context.t('word.on') if dnd_setting.enabled else context.t('word.off')),
             '- ' + context.t('me.forwarding', summary=_forwarding_summary(context, forwarding))]
    lines += _phone_lines(MySettings.of(context))
    user = context.services.zones.read(context.user, context.services.user_api)
    lines.append('- ' + _time_zone(context, user.timezone))
    return '\n'.join(lines)


def _phone_lines(my: MySettings) -> list[str]:
    """The lines of ``/me`` about the phone menu: the preferred device, the call queues joined, the caller ID."""
    lines = (devices.preferred_line(my), agent.call_queues_line(my), callerid.caller_id_line(my))
    return [f'- {line}' for line in lines if line is not None]
