"""
``/answer``: answer the incoming call that is alerting.
"""
from .. import replies
from ..errors import BotError
from .base import Command, Context, usage_error
from .calls import call_api, pick_call

__all__ = ['AnswerCommand']


class AnswerCommand(Command):
    """
    ``/answer``.
    """
    name = '/answer'
    usage = '/answer'
    help = 'Answer the incoming call that is ringing.'
    needs_user = True

    def run(self, context: Context) -> str:
        if context.request.argument:
            raise usage_error(self)
        calls = context.user_api().calls
        incoming = [call for call in call_api(calls.list_calls, 'list your calls')
                    if str(getattr(call.personality, 'value', call.personality)) == 'terminator']
        call = pick_call(incoming, ('alerting',))
        if call is None:
            raise BotError('There is no incoming call to answer.', 'no alerting call')
        call_api(lambda: calls.answer(call.call_id), 'answer')
        return replies.answered(call)
