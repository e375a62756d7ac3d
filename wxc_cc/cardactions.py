"""
Button presses on the bot's cards (``attachmentActions`` notifications).

The inputs come from ``GET /attachment/actions/{id}``. The bot acts only when the person pressing is the card's
owner, and only on the call the card is for, and only while that card is the call's live card: a press on a
card whose call has ended says so. Call actions need no reply when they work: the call event that follows
replaces the card.

The buttons of the phone settings cards (devices, call queues, caller IDs: :data:`SETTINGS_PRESSES`) name what
they choose by Webex's id; the bot reads the list again and acts on what it finds there now, and replies. Buttons
that dial (Call back, Call on a name lookup's card) send no ``endpointId``: Webex rings every device.
"""
import logging
from collections.abc import Callable
from typing import Any, Optional

from wxc_sdk.attachment_actions import AttachmentAction
from wxc_sdk.telephony.calls import CallsApi, RejectAction

from .cards import TRANSFER_INPUT
from .commands import agent, callerid, devices
from .commands.common import call_api, destination
from .commands.mysettings import MySettings
from .errors import BotError
from .locales import N_
from .monitoring import CallMonitor
from .replies import Replies
from .stores import TokenManager, UserContext
from .webex import UserApi

__all__ = ['CardActions', 'CALL_ACTIONS', 'SETTINGS_PRESSES']

log = logging.getLogger(__name__)


#: action -> (catalogue key of what it does, for messages; the request: (calls API, call id, destination))
CALL_ACTIONS: dict[str, tuple[str, Callable[[CallsApi, str, Optional[str]], Any]]] = {
    'answer': (N_('action.answer'), lambda calls, call_id, _: calls.answer(call_id)),
    'decline': (N_('action.reject'), lambda calls, call_id, _: calls.reject(call_id, RejectAction.busy)),
    'voicemail': (N_('action.voicemail_to'), lambda calls, call_id, _: calls.divert(call_id, to_voicemail=True)),
    'hold': (N_('action.hold'), lambda calls, call_id, _: calls.hold(call_id)),
    'resume': (N_('action.resume'), lambda calls, call_id, _: calls.resume(call_id)),
    'hangup': (N_('action.hangup'), lambda calls, call_id, _: calls.hangup(call_id)),
    'transfer': (N_('action.transfer'), lambda calls, call_id, target: calls.transfer(call_id1=call_id,
                                                                                      destination=target)),
}

#: action of a phone settings card -> what it does: (the person's settings, the inputs) -> the reply
SETTINGS_PRESSES: dict[str, Callable[[MySettings, dict], str]] = {**devices.PRESSES, **agent.PRESSES,
                                                                  **callerid.PRESSES}


class CardActions:
    """
    Serves button presses.

    :param tokens: the token store
    :param monitor: knows each call's live card
    :param user_api: builds API clients for a user
    :param say: the replies, in the deployment's language
    """

    def __init__(self, *, tokens: TokenManager, monitor: CallMonitor, user_api: Callable[[UserContext], UserApi],
                 say: Replies):
        self.tokens = tokens
        self.monitor = monitor
        self.user_api = user_api
        self.say = say

    def press(self, action: AttachmentAction) -> Optional[str]:
        """
        Act on a press.

        :param action: the submission, inputs included
        :return: what to tell the person who pressed, or ``None``
        """
        inputs = action.inputs or {}
        name, owner = inputs.get('action'), inputs.get('owner')
        if owner != action.person_id:
            log.warning('press by %s on a card of %s refused', action.person_id, owner)
            return self.say.t('card.not_yours')
        try:
            return self._act(action, name, inputs)
        except BotError as error:
            log.info('press %s by %s: %s', name, action.person_id, error.log_message)
            return error.message(self.say.catalogue)

    def _act(self, action: AttachmentAction, name: Any, inputs: dict) -> Optional[str]:
        user = self.tokens.get_user_context_and_refresh(action.person_id)
        if user is None:
            return self.say.not_authenticated(None)
        if name in SETTINGS_PRESSES:
            reply = SETTINGS_PRESSES[name](MySettings(self.say, user, self.user_api(user)), inputs)
            log.info('press %s by %s', name, action.person_id)
            return reply
        calls = self.user_api(user).calls
        if name == 'callback':
            number = destination(self.say, str(inputs.get('number') or ''), self.say.t('card.callback_usage'))
            self._request(lambda: calls.dial(number), self.say.t('action.callback'))
            return self.say.dialing(number)
        if name not in CALL_ACTIONS:
            raise BotError(self.say.t('card.unknown_button'), f'unknown card action {name!r}')
        call_id = inputs.get('callId')
        if not call_id or self.monitor.live_card(action.person_id, call_id) != action.message_id:
            raise BotError(self.say.t('card.ended'), 'press on a card that is not live')
        what, request = CALL_ACTIONS[name]
        target = None
        if name == 'transfer':
            target = destination(self.say, str(inputs.get(TRANSFER_INPUT) or ''), self.say.t('card.transfer_usage'))
        self._request(lambda: request(calls, call_id, target), self.say.t(what))
        log.info('press %s by %s on call %s', name, action.person_id, call_id)
        return None

    def _request(self, request: Callable[[], Any], what: str) -> None:
        """A call action; a 404 means the call has ended."""
        call_api(self.say, request, what,
                 explain=lambda error: self.say.t('card.ended') if error.response.status_code == 404 else None)
