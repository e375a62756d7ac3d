"""
``/dial <dial string>``: place a call from the user's phone (click to dial).
"""
import logging
import re

from .. import replies
from ..errors import BotError
from .base import Command, Context, usage_error
from .calls import call_api

__all__ = ['DialCommand']

log = logging.getLogger(__name__)

#: what a dial string may look like: digits and dial characters, or a (sip:/tel:) URI
_DIAL_STRING = re.compile(r'^(?:(?:tel:|sip:)?[\w.+*#@:;=%-]{1,128})$')


def dial_string(text: str) -> str:
    """
    The dial string in what the user typed: phone numbers lose the spaces, dashes, dots and parentheses people
    write them with (``+1 (408) 555-1001``); anything else loses only whitespace.
    """
    if re.fullmatch(r'[+\d\s().*#-]+', text):
        return re.sub(r'[\s().-]', '', text)
    return ''.join(text.split())


class DialCommand(Command):
    """
    ``/dial``.
    """
    name = '/dial'
    usage = '/dial <number or SIP URI>'
    help = 'Call a number: your phone rings first, the call starts when you answer.'
    needs_user = True

    def run(self, context: Context) -> str:
        destination = dial_string(context.request.argument)
        if not destination:
            raise usage_error(self)
        if not _DIAL_STRING.match(destination):
            raise BotError(f'{replies.escape(destination)} is not a number or SIP URI I can dial.  \n'
                           f'Usage: {self.usage}', 'invalid dial string')
        call_api(lambda: context.user_api().calls.dial(destination), 'dial')
        log.info('user %s dialed', context.request.person_id)
        return replies.dialing(destination)
