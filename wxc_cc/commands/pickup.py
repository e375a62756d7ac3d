"""
``/pickup [target]`` and ``/barge <target>``: new calls joining someone else's.
"""
from .. import replies
from ..locales import t
from .base import Command, Context
from .common import call_api, destination

__all__ = ['PickupCommand', 'BargeCommand']


class PickupCommand(Command):
    """
    ``/pickup``: a call ringing in the user's pickup group, or for the target.
    """
    name = '/pickup'
    usage = '/pickup [number]'
    needs_user = True
    call_control = True
    group = 'calls'

    def run(self, context: Context) -> str:
        target = destination(context.request.argument, self.usage) if context.request.argument else None
        call_api(lambda: context.user_api().calls.pickup(target=target), t('action.pickup'))
        return t('pickup.done', target=replies.escape(target) if target else t('pickup.group'))


class BargeCommand(Command):
    """
    ``/barge``: join another user's answered call.
    """
    name = '/barge'
    usage = '/barge <number>'
    needs_user = True
    call_control = True
    group = 'calls'

    def run(self, context: Context) -> str:
        target = destination(context.request.argument, self.usage)
        call_api(lambda: context.user_api().calls.barge_in(target), t('action.barge'))
        return t('barge.done', target=replies.escape(target))
