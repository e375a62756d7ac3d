"""
``/retrieve [extension]``: pick up a parked call.
"""
from .. import replies
from .base import Command, Context
from .common import call_api, destination

__all__ = ['RetrieveCommand']


class RetrieveCommand(Command):
    """
    ``/retrieve``: the call parked against the given extension, or against the user.
    """
    name = '/retrieve'
    usage = '/retrieve [extension]'
    help = 'Pick up a parked call (parked against you, or against the extension given); your phone rings.'
    needs_user = True
    call_control = True
    group = 'calls'

    def run(self, context: Context) -> str:
        where = destination(context.request.argument, self.usage) if context.request.argument else None
        call_api(lambda: context.user_api().calls.retrieve(destination=where), 'retrieve the parked call')
        return f'Retrieving the call parked against {replies.escape(where) if where else "you"}: your phone rings.'
