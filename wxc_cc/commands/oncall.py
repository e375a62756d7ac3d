"""
The pattern of the commands that act on one of the user's calls (``/hold [n]``, ``/mute``, ``/park`` ...): list
the calls, choose one (by its number in /calls, or the only one that fits), act on it with one request.
"""
from typing import Any, ClassVar, Optional

from wxc_sdk.telephony.calls import CallsApi, TelephonyCall

from ..locales import N_, t
from .base import Command, Context, usage_error
from .common import call_api, choose_call, split_number

__all__ = ['OnCallCommand', 'WHAT']

#: every state a call in progress can be in
IN_PROGRESS = ('connected', 'held', 'remoteHeld')

#: the call in progress: the connected one first, else one on hold
CURRENT = (('connected',), ('held', 'remoteHeld'))

#: command name -> the key of what it does to a call (:attr:`OnCallCommand.what`)
WHAT = {'/answer': N_('what./answer'), '/hangup': N_('what./hangup'), '/hold': N_('what./hold'),
        '/resume': N_('what./resume'), '/reject': N_('what./reject'), '/divert': N_('what./divert'),
        '/mute': N_('what./mute'), '/unmute': N_('what./unmute'), '/park': N_('what./park'),
        '/dtmf': N_('what./dtmf'), '/record': N_('what./record'), '/push': N_('what./push')}


class OnCallCommand(Command):
    """
    A command acting on one existing call. Subclasses set :attr:`tiers` and :attr:`what` and implement
    :meth:`act`; those with arguments implement :meth:`parse`.
    """
    needs_user = True
    call_control = True
    group = 'calls'
    #: acceptable call states, in tiers of preference
    tiers: ClassVar[tuple[tuple[str, ...], ...]] = CURRENT
    #: whether a leading call number is understood (not where the argument itself may be a number)
    takes_number: ClassVar[bool] = True

    @property
    def what(self) -> str:
        """What the command does to a call, for messages: ``'put on hold'``."""
        return t(WHAT[self.name])

    def split(self, words: list[str]) -> tuple[Optional[int], list[str]]:
        """
        The call number (if the command takes one and it was given) and the other words.
        """
        return split_number(words) if self.takes_number else (None, words)

    def parse(self, words: list[str]) -> Any:
        """
        Check the arguments (without the call number).

        :return: what :meth:`act` needs
        :raises BotError: with the usage line
        """
        if words:
            raise usage_error(self)
        return None

    def act(self, calls: CallsApi, call: TelephonyCall, argument: Any) -> str:
        """
        Act on the chosen call with one request.

        :return: the reply
        """
        raise NotImplementedError

    def run(self, context: Context) -> str:
        number, words = self.split(context.request.words)
        argument = self.parse(words)
        calls = context.user_api().calls
        call = choose_call(call_api(calls.list_calls, t('action.list_calls')), number, self.tiers, self.name, self.what)
        return self.act(calls, call, argument)
