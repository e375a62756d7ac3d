"""
``/push [n]``: an executive assistant pushes a call to the executive.
"""
from wxc_sdk.telephony.calls import CallsApi, TelephonyCall

from .. import replies
from ..locales import t
from .common import call_api
from .oncall import CURRENT, OnCallCommand

__all__ = ['PushCommand']


class PushCommand(OnCallCommand):
    """
    ``/push``.
    """
    name = '/push'
    usage = '/push [n]'
    tiers = CURRENT + (('alerting',),)

    def act(self, calls: CallsApi, call: TelephonyCall, argument: None) -> str:
        call_api(lambda: calls.push(call.call_id), t('action.push'))
        return t('push.done', party=replies.party(call.remote_party))
