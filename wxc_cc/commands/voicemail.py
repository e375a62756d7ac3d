"""
``/voicemail [list | read <n> | unread <n> | delete <n>]``: the user's voice messages.
"""
from .. import replies
from ..locales import N_, t
from ..errors import BotError
from .base import Command, Context, usage_error
from .common import call_api

__all__ = ['VoicemailCommand']

#: sub-command -> (method of the voice messaging API, key of what it does, key of the reply)
_ACTIONS = {'read': ('mark_as_read', N_('voicemail.verb.read'), N_('voicemail.marked_read')),
            'unread': ('mark_as_unread', N_('voicemail.verb.unread'), N_('voicemail.marked_unread')),
            'delete': ('delete', N_('voicemail.verb.delete'), N_('voicemail.deleted'))}


class VoicemailCommand(Command):
    """
    ``/voicemail``: the summary; ``list`` numbers the messages (newest first) for ``read``, ``unread``, ``delete``.
    """
    name = '/voicemail'
    usage = '/voicemail [list | read <n> | unread <n> | delete <n>]'
    needs_user = True
    group = 'voicemail'

    def run(self, context: Context) -> str:
        words = [word.lower() for word in context.request.words]
        api = context.user_api().voicemail
        if not words:
            summary = call_api(api.summary, t('action.voicemail_summary'))
            return replies.voicemail_summary(summary.new_messages or 0, summary.old_messages or 0,
                                             summary.new_urgent_messages or 0)
        if words == ['list']:
            return replies.voicemail_list(self._messages(api))
        if len(words) != 2 or words[0] not in _ACTIONS or not words[1].isdigit():
            raise usage_error(self)
        messages, number = self._messages(api), int(words[1])
        if not 1 <= number <= len(messages):
            raise BotError(t('voicemail.no_message', number=number, count=len(messages)),
                           f'no voice message {number}')
        method, verb, done = _ACTIONS[words[0]]
        # TRANSLATORS: {what} is one of voicemail.verb.*
        call_api(lambda: getattr(api, method)(messages[number - 1].id), t('action.voicemail', what=t(verb)))
        return t(done, number=number)

    @staticmethod
    def _messages(api) -> list:
        return replies.newest_messages(call_api(lambda: list(api.list()), t('action.voicemail_list')))
