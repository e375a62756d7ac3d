"""
Settings that undo themselves, as the commands see them: the ``for <duration>`` or ``until <time>`` clause at the end
of ``/dnd``, ``/forward`` and ``/queue`` (:class:`Timing`: read before the change, told after it what changed, so
that it puts, replaces or withdraws the setting's pending end), ``/timers`` (the pending ends, numbered; ``/timers
cancel <n>``), their lines in ``/me``, and the moments in words, in the person's zone.

A change without the clause is a plain change: it withdraws the pending end of what it changes (the setting stays as
the person now says). A timed change of a setting that has a pending end replaces it, and the setting still goes back
to what it was before the first one. A timed change that leaves the setting as it was before puts no end (nothing
would go back).
"""
import datetime
import logging
from collections.abc import Iterable
from typing import Optional

from ..ends import End, Ends
from ..errors import BotError
from ..locales import N_
from ..replies import Replies, escape
from ..when import LONGEST, BadWhen, When, resolve
from .common import nth
from .context import Context, Pressed
from .undoable import SETTINGS, Setting

__all__ = ['Timing', 'timers', 'me_lines', 'with_end', 'end_line', 'moment_phrase', 'until_phrase', 'described',
           'USAGE_CLAUSE']

log = logging.getLogger(__name__)

#: what the usage lines of the commands that take the clause end with
USAGE_CLAUSE = '[for <duration> | until <time>]'

#: BadWhen's reasons -> the key of what the person is told
_BAD = {'duration': N_('end.bad_duration'), 'time': N_('end.bad_time'), 'too_far': N_('end.too_far')}

#: days after today -> the key of a moment on that day; any other day: :data:`_ON_A_DAY`
_DAYS = {0: N_('end.when.today'), 1: N_('end.when.tomorrow'), -1: N_('end.when.yesterday')}
_ON_A_DAY = N_('end.when.day')


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def moment_phrase(replies: Replies, moment: datetime.datetime, now: datetime.datetime) -> str:
    """
    When, as the person reads it, in their zone: "at 3:30 PM", "tomorrow at 6:00 AM", "on Tuesday at 6:00 AM",
    "yesterday at 2:30 PM" (UTC named when they have no zone).
    """
    clock = replies.clock
    key = _DAYS.get(clock.day_offset(moment, now), _ON_A_DAY)
    return replies.t(key, time=clock.clock_time(moment), weekday=clock.weekday(moment))


def until_phrase(replies: Replies, moment: datetime.datetime, now: datetime.datetime) -> str:
    """A moment to come, and how long until then: "at 3:30 PM (in 1 hour)"; one that has come: "(due now)"."""
    when = moment_phrase(replies, moment, now)
    if moment <= now:
        return replies.t('end.when.due', when=when)
    return replies.t('end.when.until', when=when, span=replies.clock.span(moment - now))


def described(replies: Replies, end: End) -> tuple[str, str]:
    """A pending end's setting and what it goes back to, in words."""
    setting = SETTINGS.get(end.kind)
    if setting is None:
        return escape(end.setting), '?'
    return setting.what(replies, end.about), setting.describe(replies, end.restore)


def end_line(replies: Replies, end: End, now: datetime.datetime) -> str:
    """A pending end in one line: "Do Not Disturb goes back at 3:30 PM (in 1 hour) to: off"."""
    what, state = described(replies, end)
    return replies.t('end.line', what=what, state=state, when=until_phrase(replies, end.at, now))


class Timing:
    """
    A change of settings as a command (or a card's button) asks it: timed, until :attr:`at`, or plain; and the
    person's pending ends, read once when first needed.

    :param replies: the replies, in the person's zone
    :param ends: the pending ends
    :param person_id: whose settings change
    :param zone: the person's time zone, kept with each end for its messages
    :param at: when the settings go back; ``None``: a plain change
    """

    def __init__(self, *, replies: Replies, ends: Ends, person_id: str, zone: Optional[str],
                 at: Optional[datetime.datetime]):
        self.replies = replies
        self.ends = ends
        self.person_id = person_id
        self.zone = zone
        self.at = at
        self._pending: Optional[dict[str, End]] = None

    @classmethod
    def of(cls, context: Context, when: Optional[When]) -> 'Timing':
        """
        The change a command asks: until the moment its clause names in the person's zone, or plain.

        :raises BotError: a clause that cannot be read, or too far ahead: what is wrong, and the command's usage
        """
        zone = context.user.timezone if context.user else None
        at = None
        if when is not None:
            try:
                at = resolve(when, _now(), zone)
            except BadWhen as error:
                told = context.t(_BAD[error.reason], text=escape(error.text), days=LONGEST.days)
                raise BotError(f'{told}  \n' + context.t('usage', usage=context.command.usage),
                               f'{when.keyword} clause: {error.reason}') from None
        return cls(replies=context.replies, ends=context.services.ends, person_id=context.request.person_id, zone=zone,
                   at=at)

    @classmethod
    def of_press(cls, pressed: Pressed) -> 'Timing':
        """A card's button: a plain change."""
        return cls(replies=pressed.replies, ends=pressed.services.ends, person_id=pressed.person_id,
                   zone=pressed.user.timezone, at=None)

    @property
    def pending(self) -> dict[str, End]:
        """The person's pending ends by setting."""
        if self._pending is None:
            self._pending = {end.setting: end for end in self.ends.pending(self.person_id)}
        return self._pending

    def check_room(self, settings: Iterable[str]) -> None:
        """
        Before a timed change: whether ends of these settings fit beside the pending ones.

        :raises TooManyEnds: they do not (nothing is changed then)
        """
        if self.at is not None:
            self.ends.check_room(list(self.pending.values()), set(settings))

    def after(self, setting: Setting, before: dict, after: dict, target: str = '',
              about: Optional[dict] = None) -> str:
        """
        A setting was changed as asked, or already was so: a timed change puts (or replaces) its end, or withdraws it
        when nothing would go back; a plain change withdraws it.

        :param before: the setting before the change, as a snapshot
        :param after: as the change made it
        :param target: which one of its kind (a call queue's id)
        :param about: what the messages name it by
        :return: what to tell the person of it, or ``''``
        """
        name, now = setting.name(target), _now()
        pending = self.pending.get(name)
        what = setting.what(self.replies, about or (pending.about if pending else {}))
        if self.at is None:
            if pending is None or not self.ends.cancel(pending):
                return ''
            del self.pending[name]
            return self.replies.t('end.cancelled', what=what, when=moment_phrase(self.replies, pending.at, now))
        restore = pending.restore if pending else setting.restorable(before)
        if setting.same(restore, after):
            if pending is not None and self.ends.cancel(pending):
                del self.pending[name]
            return self.replies.t('end.nothing', what=what, state=setting.describe(self.replies, restore),
                              when=until_phrase(self.replies, self.at, now))
        end = self.ends.put(End.new(self.person_id, name, self.at, restore=restore, expect=after,
                                    since=pending.since if pending else None, about=about, zone=self.zone),
                            replacing=pending)
        self.pending[name] = end
        log.info('user %s: %s goes back in %.0f s', self.person_id, name, (self.at - now).total_seconds())
        return self.replies.t('end.planned', what=what, state=setting.describe(self.replies, end.restore),
                          when=until_phrase(self.replies, self.at, now))


def with_end(reply: str, told: str) -> str:
    """A command's reply and what its timing adds."""
    return f'{reply} {told}' if told else reply


def timers(context: Context) -> str:
    """``/timers``: the person's settings that go back by themselves, numbered; ``/timers cancel <n>`` cancels one."""
    words = [word.lower() for word in context.request.words]
    cancel = len(words) == 2 and words[0] == 'cancel' and words[1].isdigit()
    if words and not cancel:
        raise context.usage_error()
    replies, ends, now = context.replies, context.services.ends, _now()
    pending = ends.pending(context.request.person_id)
    if not cancel:
        if not pending:
            return replies.t('end.none')
        lines = [replies.t('end.title', count=len(pending))]
        lines += [f'{number}. {end_line(replies, end, now)}' for number, end in enumerate(pending, start=1)]
        lines.append(replies.t('end.hint'))
        return '\n'.join(lines)
    number = int(words[1])
    end = nth(pending, number, lambda end: described(replies, end)[0],
              lambda listed: replies.t('end.no_number', number=number, ends=listed), 'pending end',
              none=replies.t('end.none'))
    if not ends.cancel(end):
        raise BotError(replies.t('end.too_late', what=described(replies, end)[0]), 'pending end already taken')
    return replies.t('end.cancelled', what=described(replies, end)[0], when=moment_phrase(replies, end.at, now))


def me_lines(context: Context, replies: Replies) -> list[str]:
    """The lines of ``/me`` naming the settings that go back by themselves, worded by ``replies``."""
    now = _now()
    return [end_line(replies, end, now) for end in context.services.ends.pending(context.request.person_id)]
