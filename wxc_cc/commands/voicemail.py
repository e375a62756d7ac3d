"""
``/voicemail [list | read <n> | unread <n> | delete <n>]``: the person's voice messages.
"""
from ..errors import BotError
from ..locales import N_
from ..replies import newest_messages
from ..webex import UserApi
from .common import call_api
from .context import Context

__all__ = ['voicemail']

#: sub-command -> (method of the voice messaging API, key of what it does, key of the reply)
_ACTIONS = {'read': ('mark_as_read', N_('voicemail.verb.read'), N_('voicemail.marked_read')),
            'unread': ('mark_as_unread', N_('voicemail.verb.unread'), N_('voicemail.marked_unread')),
            'delete': ('delete', N_('voicemail.verb.delete'), N_('voicemail.deleted'))}


def _messages(context: Context, api: UserApi) -> list:
    listed = call_api(context.replies, lambda: list(api.voicemail.list()), context.t('action.voicemail_list'))
    return newest_messages(listed)


def voicemail(context: Context) -> str:
    """
    The summary; ``list`` numbers the messages (newest first) for ``read``, ``unread`` and ``delete``.
    """
    words = [word.lower() for word in context.request.words]
    api, replies = context.user_api(), context.replies
    if not words:
        summary = call_api(replies, api.voicemail.summary, context.t('action.voicemail_summary'))
        return replies.voicemail_summary(summary.new_messages or 0, summary.old_messages or 0,
                                     summary.new_urgent_messages or 0)
    if words == ['list']:
        return replies.voicemail_list(_messages(context, api))
    if len(words) != 2 or words[0] not in _ACTIONS or not words[1].isdigit():
        raise context.usage_error()
    messages, number = _messages(context, api), int(words[1])
    if not 1 <= number <= len(messages):
        raise BotError(context.t('voicemail.no_message', number=number, count=len(messages)),
                       f'no voice message {number}')
    method, verb, reply = _ACTIONS[words[0]]
    # TRANSLATORS: {what} is one of voicemail.verb.*
    call_api(replies, lambda: getattr(api.voicemail, method)(messages[number - 1].id),
             context.t('action.voicemail', what=context.t(verb)))
    return context.t(reply, number=number)
