"""
Button presses on the bot's cards (Webex's ``attachmentActions``): each button is answered by the command that does
what it does, as a row of the command registry (:class:`~wxc_cc.commands.registry.Button`: Hold is ``/hold`` on the
card's call, Call back is ``/dial`` of the card's number); :class:`Presses` finds the row and hands it the press.

The inputs come from ``GET /attachment/actions/{id}``. The bot acts only when the person pressing is the card's
owner; a button that acts on a call acts only on the call its card is for, and only while that card is the call's
live card: a press on a card whose call has ended says so. Call buttons need no reply when they work: the call
event that follows replaces the card. The buttons of the phone settings cards name what they choose by Webex's id;
their rows read the list again and act on what they find there now.
"""
import logging
from typing import Optional

from wxc_sdk.attachment_actions import AttachmentAction

from .commands import Pressed, Services
from .errors import BotError
from .monitoring import CallMonitor

__all__ = ['Presses']

log = logging.getLogger(__name__)


class Presses:
    """
    Serves button presses.

    :param services: what commands use: the registry, whose rows answer the buttons, the token store
    :param monitor: knows each call's live card
    """

    def __init__(self, *, services: Services, monitor: CallMonitor):
        self.services = services
        self.monitor = monitor

    def press(self, action: AttachmentAction) -> Optional[str]:
        """
        Act on a press.

        :param action: the submission, inputs included
        :return: what to tell the person who pressed, or ``None``
        """
        t = self.services.catalogue.t
        inputs = action.inputs or {}
        name, owner = inputs.get('action'), inputs.get('owner')
        if owner != action.person_id:
            log.warning('press by %s on a card of %s refused', action.person_id, owner)
            return t('card.not_yours')
        try:
            return self._act(action, name)
        except BotError as error:
            log.info('press %s by %s: %s', name, action.person_id, error.log_message)
            return error.message(self.services.catalogue)

    def _act(self, action: AttachmentAction, name: object) -> Optional[str]:
        services, t = self.services, self.services.catalogue.t
        found = services.commands.button(name) if isinstance(name, str) else None
        if found is None:
            raise BotError(t('card.unknown_button'), f'unknown card button {name!r}')
        command, button = found
        if reason := command.unavailable(services):
            return t(reason, command=command.name)
        user = services.stores.tokens.get_user_context_and_refresh(action.person_id)
        if user is None:
            return services.replies.not_authenticated(None)
        pressed = Pressed(action, services, user)
        if button.on_call and (not pressed.call_id
                               or self.monitor.live_card(action.person_id, pressed.call_id) != action.message_id):
            raise BotError(t('card.ended'), 'press on a card that is not live')
        reply = button.press(pressed)
        log.info('press %s (%s) by %s', name, command.name, action.person_id)
        return reply
