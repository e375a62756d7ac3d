"""
``/dial <dial string>``: place a call from the user's phone (click to dial).
"""
import logging

from .. import replies
from ..locales import t
from .base import Command, Context
from .common import call_api, destination

__all__ = ['DialCommand']

log = logging.getLogger(__name__)


class DialCommand(Command):
    """
    ``/dial``.
    """
    name = '/dial'
    usage = '/dial <number or SIP URI>'
    needs_user = True
    call_control = True
    group = 'calls'

    def run(self, context: Context) -> str:
        number = destination(context.request.argument, self.usage)
        call_api(lambda: context.user_api().calls.dial(number), t('action.dial'))
        log.info('user %s dialed', context.request.person_id)
        return replies.dialing(number)
