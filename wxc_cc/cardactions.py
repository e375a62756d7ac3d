"""
Button presses on the bot's cards (``attachmentActions`` notifications).

The inputs come from ``GET /attachment/actions/{id}``. The bot acts only when the person pressing is the card's
owner, and only on the call the card is for, and only while that card is the call's live card: a press on a
card whose call has ended says so. Call actions need no reply when they work: the call event that follows
replaces the card.
"""
import logging
from collections.abc import Callable
from typing import Any, Optional

import requests
from wxc_sdk.attachment_actions import AttachmentAction
from wxc_sdk.rest import RestError
from wxc_sdk.telephony.calls import CallsApi, RejectAction

from . import replies
from .cards import TRANSFER_INPUT
from .commands.common import destination
from .errors import BotError, webex_reason
from .locales import N_, t
from .monitoring import CallMonitor
from .stores import TokenManager, UserContext
from .webex import UserApi

__all__ = ['CardActions', 'CALL_ACTIONS']

log = logging.getLogger(__name__)


#: action -> (catalogue key of what it does, for messages; the request)
CALL_ACTIONS: dict[str, tuple[str, Callable[[CallsApi, str, dict], Any]]] = {
    'answer': (N_('action.answer'), lambda calls, call_id, inputs: calls.answer(call_id)),
    'decline': (N_('action.reject'), lambda calls, call_id, inputs: calls.reject(call_id, RejectAction.busy)),
    'voicemail': (N_('action.voicemail_to'), lambda calls, call_id, inputs: calls.divert(call_id, to_voicemail=True)),
    'hold': (N_('action.hold'), lambda calls, call_id, inputs: calls.hold(call_id)),
    'resume': (N_('action.resume'), lambda calls, call_id, inputs: calls.resume(call_id)),
    'hangup': (N_('action.hangup'), lambda calls, call_id, inputs: calls.hangup(call_id)),
    'transfer': (N_('action.transfer'), lambda calls, call_id, inputs: calls.transfer(
        call_id1=call_id, destination=destination(str(inputs.get(TRANSFER_INPUT) or ''), t('card.transfer_usage')))),
}


class CardActions:
    """
    Serves button presses.

    :param store: the token store
    :param monitor: knows each call's live card
    :param user_api: builds API clients for a user
    """

    def __init__(self, *, store: TokenManager, monitor: CallMonitor, user_api: Callable[[UserContext], UserApi]):
        self.store = store
        self.monitor = monitor
        self.user_api = user_api

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
            return t('card.not_yours')
        try:
            return self._act(action, name, inputs)
        except BotError as error:
            log.info('press %s by %s: %s', name, action.person_id, error.log_message)
            return error.user_message

    def _act(self, action: AttachmentAction, name: Any, inputs: dict) -> Optional[str]:
        user = self.store.get_user_context_and_refresh(action.person_id)
        if user is None:
            return replies.not_authenticated(None)
        calls = self.user_api(user).calls
        if name == 'callback':
            number = destination(str(inputs.get('number') or ''), t('card.callback_usage'))
            self._request(lambda: calls.dial(number), t('action.callback'))
            return replies.dialing(number)
        if name not in CALL_ACTIONS:
            raise BotError(t('card.unknown_button'), f'unknown card action {name!r}')
        call_id = inputs.get('callId')
        if not call_id or self.monitor.live_card(action.person_id, call_id) != action.message_id:
            raise BotError(t('card.ended'), 'press on a card that is not live')
        what, request = CALL_ACTIONS[name]
        self._request(lambda: request(calls, call_id, inputs), t(what))
        log.info('press %s by %s on call %s', name, action.person_id, call_id)
        return None

    @staticmethod
    def _request(request: Callable[[], Any], what: str) -> None:
        try:
            request()
        except (RestError, requests.RequestException) as error:
            if isinstance(error, RestError) and error.response.status_code == 404:
                raise BotError(t('card.ended'), f'{what}: 404') from error
            reason = webex_reason(error)
            raise BotError(replies.api_failure(what, reason), f'{what} failed: {reason}') from error
