"""
The number the person's calls show: ``/callerid`` shows the selected caller ID and those the person may choose,
by name and number (``GET .../settings/availableCallerIds``, ``GET .../settings/selectedCallerId``), numbered in
the order Webex lists them; ``/callerid <n>`` selects one (``PUT .../settings/selectedCallerId`` with
``{"selected": {"type": ...}}``, plus ``id`` for a call queue or hunt group, ``directNumber`` for an additional
number: :meth:`wxc_cc.webex.MeCallerIds.select`); ``/callerid default`` goes back to the default the administrator
configured (``DEFAULT_CLID``).
"""
import logging
from typing import Optional, Union

from wxc_sdk.base import enum_str
from wxc_sdk.me.callerid import MeSelectedCallerId

from ..errors import BotError
from ..locales import N_
from ..replies import Reply
from .common import nth
from .context import Context, Pressed
from .mysettings import READ_SCOPE, WRITE_SCOPE, MySettings
from .registry import Button

__all__ = ['DEFAULT', 'read_caller_ids', 'same_caller_id', 'select_caller_id', 'callerid', 'caller_id_line',
           'BUTTONS']

log = logging.getLogger(__name__)

#: the type of the default caller ID
DEFAULT = 'DEFAULT_CLID'
#: types chosen by their ``id``
_BY_ID = ('CALL_QUEUE', 'HUNT_GROUP')

#: the caller ID types a card button may name
_TYPES = (DEFAULT, 'ADDITIONAL_CLID', *_BY_ID)


def read_caller_ids(my: MySettings) -> tuple[list[MeSelectedCallerId], MeSelectedCallerId]:
    """The caller IDs the person may choose, as Webex lists them now, and the selected one."""
    api = my.api.me.caller_id
    available = my.request(api.available_caller_id_list, N_('action.callerid_read'), READ_SCOPE)
    return available, my.request(api.get_selected_caller_id_settings, N_('action.callerid_read'), READ_SCOPE)


def same_caller_id(a: MeSelectedCallerId, b: MeSelectedCallerId) -> bool:
    """Whether two caller IDs are the same one: by type, and the id or number that tells them apart."""
    kind = enum_str(a.type)
    if kind != enum_str(b.type):
        return False
    if kind in _BY_ID:
        return a.id == b.id
    return kind != 'ADDITIONAL_CLID' or a.direct_number == b.direct_number


def _label(my: MySettings, caller_id: MeSelectedCallerId) -> str:
    """A caller ID as ``Name (number), call queue``."""
    return f'{my.replies.party_of(caller_id.name, caller_id.direct_number or caller_id.extension)}, ' \
        + my.replies.caller_id_type(caller_id.type)


def select_caller_id(my: MySettings, selected: MeSelectedCallerId, chosen: MeSelectedCallerId) -> str:
    """
    Select ``chosen``, unless it already is the selected caller ID; the reply.

    :param selected: the caller ID selected now
    """
    if same_caller_id(selected, chosen):
        return my.t('callerid.already', caller_id=_label(my, selected))
    kind = enum_str(chosen.type)
    told = {'id': chosen.id} if kind in _BY_ID else {'direct_number': chosen.direct_number} \
        if kind == 'ADDITIONAL_CLID' else {}
    change = MeSelectedCallerId(type=chosen.type, **told)
    my.request(lambda: my.api.me.caller_id.select(change), N_('action.callerid_set'), WRITE_SCOPE)
    log.info('user %s selected a caller ID of type %s', my.user.user_id, kind)
    if kind == DEFAULT:
        return my.t('callerid.now_default')
    return my.t('callerid.now', caller_id=_label(my, chosen))


def callerid(context: Context) -> Union[str, Reply]:
    """
    ``/callerid``: the selected caller ID and those the person may choose, numbered, with a card;
    ``/callerid <n>`` selects one; ``/callerid default`` goes back to the default.
    """
    words = [word.lower() for word in context.request.words]
    if len(words) > 1 or (words and words[0] != 'default' and not words[0].isdigit()):
        raise context.usage_error()
    my = MySettings.of(context)
    available, selected = read_caller_ids(my)
    if words == ['default']:
        return select_caller_id(my, selected, MeSelectedCallerId(type=DEFAULT))
    if words:
        number = int(words[0])
        chosen = nth(available, number, lambda caller_id: _label(my, caller_id),
                     lambda caller_ids: my.t('callerid.no_number', number=number, caller_ids=caller_ids), 'caller ID',
                     none=my.t('callerid.none', caller_id=_label(my, selected)))
        return select_caller_id(my, selected, chosen)
    lines = [context.t('callerid.title', caller_id=_label(my, selected))]
    if not available:
        lines.append(context.t('callerid.nothing_else'))
        return '\n'.join(lines)
    for number, caller_id in enumerate(available, start=1):
        mark = ' · ' + context.t('callerid.selected') if same_caller_id(caller_id, selected) else ''
        lines.append(f'{number}. {_label(my, caller_id)}{mark}')
    lines.append(context.t('callerid.hint'))
    return Reply('\n'.join(lines), context.services.cards.caller_ids_card(
        [(caller_id, same_caller_id(caller_id, selected)) for caller_id in available], context.request.person_id,
        context.t('callerid.card_title')))


def caller_id_line(my: MySettings) -> Optional[str]:
    """The line of ``/me`` naming the selected caller ID; ``None`` when Webex refuses the read."""
    selected = my.optional(my.api.me.caller_id.get_selected_caller_id_settings, N_('action.callerid_read'))
    return my.t('me.caller_id', caller_id=_label(my, selected)) if selected is not None else None


def _press_select(pressed: Pressed) -> str:
    """
    A caller ID card's button: select the caller ID it names (its type and Webex's id or number), as listed now;
    the default is always there.
    """
    my, inputs = MySettings.of_press(pressed), pressed.inputs
    kind = inputs.get('type')
    if kind not in _TYPES:
        raise BotError(my.t('card.unknown_button'), f'unknown caller ID type {kind!r}')
    wanted = MeSelectedCallerId(type=kind, id=inputs.get('callerId') or None,
                                direct_number=inputs.get('directNumber') or None)
    available, selected = read_caller_ids(my)
    if kind == DEFAULT:
        return select_caller_id(my, selected, MeSelectedCallerId(type=DEFAULT))
    chosen = next((caller_id for caller_id in available if same_caller_id(caller_id, wanted)), None)
    if chosen is None:
        raise BotError(my.t('callerid.gone'), 'the caller ID of the card is no longer listed')
    return select_caller_id(my, selected, chosen)


#: the buttons of the caller ID card, and what they do
BUTTONS = (Button('select_caller_id', _press_select),)
