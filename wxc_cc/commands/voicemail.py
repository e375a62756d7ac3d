"""
``/voicemail [list | read <n> | unread <n> | delete <n>]``: the user's voice messages.
"""
from .. import replies
from ..errors import BotError
from .base import Command, Context, usage_error
from .common import call_api

__all__ = ['VoicemailCommand']

_ACTIONS = {'read': ('mark_as_read', 'Marked message {n} as read.'),
            'unread': ('mark_as_unread', 'Marked message {n} as unread.'),
            'delete': ('delete', 'Deleted message {n}.')}


class VoicemailCommand(Command):
    """
    ``/voicemail``: the summary; ``list`` numbers the messages (newest first) for ``read``, ``unread``, ``delete``.
    """
    name = '/voicemail'
    usage = '/voicemail [list | read <n> | unread <n> | delete <n>]'
    help = 'Your voicemail: how many new and old messages; list them; mark one read or unread; delete one.'
    needs_user = True
    group = 'voicemail'

    def run(self, context: Context) -> str:
        words = [word.lower() for word in context.request.words]
        api = context.user_api().voicemail
        if not words:
            summary = call_api(api.summary, 'get your voicemail summary')
            return replies.voicemail_summary(summary.new_messages or 0, summary.old_messages or 0,
                                             summary.new_urgent_messages or 0)
        if words == ['list']:
            return replies.voicemail_list(self._messages(api))
        if len(words) != 2 or words[0] not in _ACTIONS or not words[1].isdigit():
            raise usage_error(self)
        messages, number = self._messages(api), int(words[1])
        if not 1 <= number <= len(messages):
            raise BotError(f'There is no message {number}: you have {len(messages)}. See /voicemail list.',
                           f'no voice message {number}')
        method, done = _ACTIONS[words[0]]
        call_api(lambda: getattr(api, method)(messages[number - 1].id), f'{words[0]} the message')
        return done.format(n=number)

    @staticmethod
    def _messages(api) -> list:
        return replies.newest_messages(call_api(lambda: list(api.list()), 'list your voicemail'))
