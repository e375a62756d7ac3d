"""
``/pickup [target]`` and ``/barge <target>``: new calls joining someone else's.
"""
from .. import replies
from .base import Command, Context
from .common import call_api, destination

__all__ = ['PickupCommand', 'BargeCommand']


class PickupCommand(Command):
    """
    ``/pickup``: a call ringing in the user's pickup group, or for the target.
    """
    name = '/pickup'
    usage = '/pickup [number]'
    help = "Pick up a call ringing for someone in your pickup group (or for the number given); your phone rings."
    needs_user = True
    call_control = True
    group = 'calls'

    def run(self, context: Context) -> str:
        target = destination(context.request.argument, self.usage) if context.request.argument else None
        call_api(lambda: context.user_api().calls.pickup(target=target), 'pick up the call')
        return f'Picking up the call ringing for {replies.escape(target) if target else "your group"}: ' \
               'your phone rings.'


class BargeCommand(Command):
    """
    ``/barge``: join another user's answered call.
    """
    name = '/barge'
    usage = '/barge <number>'
    help = "Barge in on another user's answered call; your phone rings."
    needs_user = True
    call_control = True
    group = 'calls'

    def run(self, context: Context) -> str:
        target = destination(context.request.argument, self.usage)
        call_api(lambda: context.user_api().calls.barge_in(target), 'barge in')
        return f'Barging in on the call of {replies.escape(target)}: your phone rings.'
