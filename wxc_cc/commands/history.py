"""
``/history``: the user's recent calls, newest first.
"""
from .. import replies
from .base import Command, Context, usage_error
from .calls import call_api

__all__ = ['HistoryCommand']


class HistoryCommand(Command):
    """
    ``/history``.
    """
    name = '/history'
    usage = '/history'
    help = 'Show your recent calls, newest first.'
    needs_user = True

    def run(self, context: Context) -> str:
        if context.request.argument:
            raise usage_error(self)
        calls = context.user_api().calls
        return replies.history(call_api(calls.call_history, 'get your call history'))
