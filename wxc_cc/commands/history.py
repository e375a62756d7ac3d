"""
``/history [missed|placed|received] [count]``: the user's recent calls, newest first.
"""
from typing import Optional, Union

from wxc_sdk.base import enum_str
from wxc_sdk.telephony.calls import HistoryType

from .. import cards, replies
from ..locales import t
from .base import Command, Context, usage_error
from .common import call_api

__all__ = ['HistoryCommand']

DEFAULT_COUNT = 10
#: Webex keeps 20 records per kind
MAX_COUNT = 60


class HistoryCommand(Command):
    """
    ``/history``: a compact table; missed calls carry a Call back button.
    """
    name = '/history'
    usage = '/history [missed|placed|received] [count]'
    needs_user = True
    call_control = True
    group = 'calls'

    @property
    def help(self) -> str:
        return t('help./history', count=DEFAULT_COUNT)

    def parse(self, words: list[str]) -> tuple[Optional[str], int]:
        kind, count = None, DEFAULT_COUNT
        for word in (word.lower() for word in words):
            if word in ('missed', 'placed', 'received') and kind is None:
                kind = word
            elif word.isdigit() and 1 <= int(word) <= MAX_COUNT and count == DEFAULT_COUNT:
                count = int(word)
            else:
                raise usage_error(self)
        return kind, count

    def run(self, context: Context) -> Union[str, replies.Reply]:
        kind, count = self.parse(context.request.words)
        calls = context.user_api().calls
        records = call_api(lambda: calls.call_history(HistoryType(kind) if kind else None),
                           t('action.history'))
        records = replies.newest_first(records)[:count]
        table = replies.history(records, kind)
        if not any(enum_str(r.call_type) == 'missed' and r.number for r in records):
            return table
        card = cards.history_card(records, context.request.person_id,
                                  replies.history_title(len(records), kind) + ' (UTC)')
        return replies.Reply(table, card)
