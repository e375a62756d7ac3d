"""
Which of the person's devices rings: ``/devices`` lists their phones and apps as Webex lists them for the preferred
answer device (``GET .../settings/availablePreferredAnswerEndpoints``) and chooses that device
(``PUT .../settings/preferredAnswerEndpoint``); ``… on <n>`` after ``/dial``, ``/answer``, ``/retrieve``,
``/pickup`` and ``/barge`` (the requests of call-controls.yml that take an ``endpointId``) uses only device n;
``/pull`` moves the person's call to a device (``POST /telephony/calls/pull``).

Devices are numbered in the order Webex lists them; a number that matches none is answered with the devices there
are, and nothing is sent. Without ``on <n>`` no ``endpointId`` is sent: Webex rings every device, as before.
"""
import logging
import re
from typing import Optional, Union


from ..errors import BotError
from ..locales import N_
from ..replies import Reply, escape
from ..webex import AnswerDevice
from .common import call_api, nth
from .context import Context, Pressed
from .mysettings import READ_SCOPE, WRITE_SCOPE, MySettings
from .registry import Button

__all__ = ['split_device', 'read_devices', 'device_for', 'endpoint_id', 'on_device', 'prefer', 'devices', 'pull',
           'preferred_line', 'BUTTONS']

log = logging.getLogger(__name__)

#: ``on <n>`` at the end of a command
_ON = re.compile(r'(?:^|\s+)on\s+(\d{1,3})$', re.IGNORECASE)


def split_device(argument: str) -> tuple[str, Optional[int]]:
    """
    The argument without a trailing ``on <n>``, and n (``None`` without it).

    :param argument: what follows the command word, e.g. ``Bob Brown on 2``
    """
    found = _ON.search(argument.strip())
    if found is None:
        return argument.strip(), None
    return argument.strip()[:found.start()].strip(), int(found.group(1))


def read_devices(my: MySettings) -> list[AnswerDevice]:
    """The person's devices, in the order Webex lists them (the preferred one marked)."""
    return my.request(my.api.me.endpoints.answer_devices, N_('action.devices_read'), READ_SCOPE)


def _name(device: AnswerDevice) -> str:
    return escape(device.name or device.id)


def _preferred(listed: list[AnswerDevice]) -> Optional[AnswerDevice]:
    """The preferred answer device of the list, if any."""
    return next((device for device in listed if device.is_preferred_answer_endpoint), None)


def _numbered(my: MySettings, listed: list[AnswerDevice], number: int) -> AnswerDevice:
    """Device ``number`` of the list; a number that matches none says which there are."""
    return nth(listed, number, _name, lambda devices: my.t('devices.no_number', number=number, devices=devices),
               'device', none=my.t('devices.none'))


def device_for(context: Context, number: Optional[int]) -> Optional[AnswerDevice]:
    """
    The device ``on <n>`` names, as Webex lists the person's devices now; ``None`` without a number (then nothing is
    read).

    :raises BotError: a number that matches no device (naming those there are), or Webex's refusal
    """
    if number is None:
        return None
    my = MySettings.of(context)
    return _numbered(my, read_devices(my), number)


def endpoint_id(device: Optional[AnswerDevice]) -> Optional[str]:
    """The ``endpointId`` to send: the device's, or none (Webex rings every device)."""
    return device.id if device is not None else None


def on_device(context: Context, reply: str, device: Optional[AnswerDevice]) -> str:
    """A reply, and the device used when ``on <n>`` named one."""
    return reply if device is None else f'{reply}  \n' + context.t('devices.used', device=_name(device))


def prefer(my: MySettings, listed: list[AnswerDevice], chosen: Optional[AnswerDevice]) -> str:
    """
    Make ``chosen`` the preferred answer device (``None``: no device is preferred), unless it already is so; the
    reply.

    :param listed: the person's devices as Webex lists them now
    """
    current = _preferred(listed)
    if chosen is None and current is None:
        return my.t('devices.already_none')
    if chosen is not None and current is not None and current.id == chosen.id:
        return my.t('devices.already_preferred', device=_name(chosen))
    my.request(lambda: my.api.me.endpoints.modify_preferred_answer_endpoint(endpoint_id(chosen)),
               N_('action.devices_set'), WRITE_SCOPE)
    log.info('user %s: preferred answer device %s', my.user.user_id, 'cleared' if chosen is None else 'set')
    return my.t('devices.now_none') if chosen is None else my.t('devices.now_preferred', device=_name(chosen))


def devices(context: Context) -> Union[str, Reply]:
    """
    ``/devices``: the person's devices, numbered, the preferred one marked, with a card to choose; ``/devices <n>``
    makes device n the preferred answer device; ``/devices none`` clears it.
    """
    words = [word.lower() for word in context.request.words]
    if len(words) > 1 or (words and words[0] != 'none' and not words[0].isdigit()):
        raise context.usage_error()
    my = MySettings.of(context)
    listed = read_devices(my)
    if words == ['none']:
        return prefer(my, listed, None)
    if words:
        return prefer(my, listed, _numbered(my, listed, int(words[0])))
    if not listed:
        return context.t('devices.none')
    title = context.t('devices.title', count=len(listed))
    lines = [f'**{title}**']
    for number, device in enumerate(listed, start=1):
        line = f'{number}. {_name(device)} · {context.replies.device_type(device.type)}'
        if device.is_preferred_answer_endpoint:
            line += ' · ' + context.t('devices.preferred')
        lines.append(line)
    lines.append(context.t('devices.hint'))
    return Reply('\n'.join(lines), context.services.cards.devices_card(listed, context.request.person_id, title))


def pull(context: Context) -> str:
    """
    ``/pull [n]`` or ``/pull on <n>``: Webex moves the person's current call to device n (it rings there, and
    answering it takes the call over); without n Webex chooses the device.
    """
    argument, number = split_device(context.request.argument)
    if argument:
        if number is not None or not argument.isdigit():
            raise context.usage_error()
        number = int(argument)
    device = device_for(context, number)
    call_api(context.replies, lambda: context.user_api().calls.pull(endpoint_id=endpoint_id(device)),
             context.t('action.pull'))
    log.info('user %s pulled a call', context.request.person_id)
    return context.t('pull.done_on', device=_name(device)) if device is not None else context.t('pull.done')


def preferred_line(my: MySettings) -> Optional[str]:
    """The line of ``/me`` naming the preferred answer device; ``None`` when Webex refuses the list."""
    listed = my.optional(my.api.me.endpoints.answer_devices, N_('action.devices_read'))
    if listed is None:
        return None
    current = _preferred(listed)
    return my.t('me.device', device=_name(current) if current is not None else my.t('me.no_device'))


def _press_prefer(pressed: Pressed) -> str:
    """A device card's button: make the device it names (by Webex's id) the preferred one, as listed now."""
    my, inputs = MySettings.of_press(pressed), pressed.inputs
    listed = read_devices(my)
    wanted = str(inputs.get('endpointId') or '')
    chosen = next((device for device in listed if device.id == wanted), None)
    if chosen is None:
        raise BotError(my.t('devices.gone'), 'the device of the card is no longer listed')
    return prefer(my, listed, chosen)


def _press_none(pressed: Pressed) -> str:
    """A device card's "no preferred device" button."""
    my = MySettings.of_press(pressed)
    return prefer(my, read_devices(my), None)


#: the buttons of the device card, and what they do
BUTTONS = (Button('prefer_device', _press_prefer),
           Button('no_preferred_device', _press_none))
