"""
``/retrieve [extension]``: pick up a parked call.
"""
from .. import replies
from ..locales import t
from .base import Command, Context
from .common import call_api, destination

__all__ = ['RetrieveCommand']


class RetrieveCommand(Command):
    """
    ``/retrieve``: the call parked against the given extension, or against the user.
    """
    name = '/retrieve'
    usage = '/retrieve [extension]'
    needs_user = True
    call_control = True
    group = 'calls'

    def run(self, context: Context) -> str:
        where = destination(context.request.argument, self.usage) if context.request.argument else None
        call_api(lambda: context.user_api().calls.retrieve(destination=where), t('action.retrieve'))
        return t('retrieve.done', where=replies.escape(where) if where else t('retrieve.you'))
