"""
``/hold [n]`` and ``/resume [n]``.
"""
from wxc_sdk.telephony.calls import CallsApi, TelephonyCall

from .. import replies
from ..locales import t
from .common import call_api
from .oncall import OnCallCommand

__all__ = ['HoldCommand', 'ResumeCommand']


class HoldCommand(OnCallCommand):
    """
    ``/hold``.
    """
    name = '/hold'
    usage = '/hold [n]'
    tiers = (('connected', 'remoteHeld'),)

    def act(self, calls: CallsApi, call: TelephonyCall, argument: None) -> str:
        call_api(lambda: calls.hold(call.call_id), t('action.hold'))
        return t('hold.done', party=replies.party(call.remote_party))


class ResumeCommand(OnCallCommand):
    """
    ``/resume``.
    """
    name = '/resume'
    usage = '/resume [n]'
    tiers = (('held',),)

    def act(self, calls: CallsApi, call: TelephonyCall, argument: None) -> str:
        call_api(lambda: calls.resume(call.call_id), t('action.resume'))
        return t('resume.done', party=replies.party(call.remote_party))
