"""
``/transfer <number>`` (blind transfer of the current call) and ``/transfer`` (connect your two calls).
"""
from wxc_sdk.telephony.calls import TelephonyCall

from .. import replies
from ..locales import t
from ..errors import BotError
from .base import Command, Context
from .common import call_api, destination, numbered, state_of
from .oncall import IN_PROGRESS

__all__ = ['TransferCommand']


class TransferCommand(Command):
    """
    ``/transfer``.
    """
    name = '/transfer'
    usage = '/transfer [number]'
    needs_user = True
    call_control = True
    group = 'calls'

    def run(self, context: Context) -> str:
        target = destination(context.request.argument, self.usage) if context.request.argument else None
        calls_api = context.user_api().calls
        calls = [call for call in numbered(call_api(calls_api.list_calls, t('action.list_calls')))
                 if state_of(call) in IN_PROGRESS]
        if target is None:
            if len(calls) != 2:
                raise BotError(t('transfer.not_two', count=len(calls), usage=self.usage), 'not two calls')
            first, second = calls
            call_api(lambda: calls_api.transfer_calls(first.call_id, second.call_id), t('action.transfer'))
            return t('transfer.connected', first=replies.party(first.remote_party),
                     second=replies.party(second.remote_party))
        call = self._current(calls)
        call_api(lambda: calls_api.transfer(call_id1=call.call_id, destination=target), t('action.transfer'))
        return t('transfer.done', party=replies.party(call.remote_party), destination=replies.escape(target))

    @staticmethod
    def _current(calls: list[TelephonyCall]) -> TelephonyCall:
        connected = [call for call in calls if state_of(call) == 'connected']
        if len(connected) == 1 or (not connected and len(calls) == 1):
            return (connected or calls)[0]
        raise BotError(t('transfer.which') if connected else t('transfer.none'), 'no single current call')
