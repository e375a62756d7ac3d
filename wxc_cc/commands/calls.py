"""
``/calls``: the user's active calls, numbered for the commands that take a call number.
"""
import datetime

from .. import replies
from ..locales import t
from .base import Command, Context, usage_error
from .common import call_api, numbered

__all__ = ['CallsCommand']


class CallsCommand(Command):
    """
    ``/calls``.
    """
    name = '/calls'
    usage = '/calls'
    needs_user = True
    call_control = True
    group = 'calls'

    def run(self, context: Context) -> str:
        if context.request.argument:
            raise usage_error(self)
        calls = call_api(context.user_api().calls.list_calls, t('action.list_calls'))
        return replies.call_list(numbered(calls), datetime.datetime.now(datetime.timezone.utc))
