"""
Settings that undo themselves (``/dnd on for 1h``, ``/forward always 1002 until 6pm``): a pending end is one task of
the durable work queue (:mod:`wxc_cc.stores.queue`) of the kind :data:`~wxc_cc.task.END`, keyed by the person (so
it never runs beside their own commands), due at the end, and carrying what to put back (:class:`End`). It outlives
restarts, deploys and takeovers as every task does.

There is no other registry of them: :class:`Ends` lists a person's pending ends from the queue, puts a new one
(replacing the pending end of the same setting in the same step, and keeping what that one was to put back),
withdraws one, and keeps the limit of :data:`MAX_PENDING` per person.

A setting is named by a string: :data:`DND`, :data:`FORWARDING` (every kind of forwarding together), :data:`AGENT`
(the agent state of the call queues), and ``callqueue:<id>`` (one per call queue).
"""
import datetime
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Optional

from .errors import BotError
from .locales import N_, Catalogue
from .stores.queue import WorkQueue
from .task import END, Task, UnreadableTask

__all__ = ['End', 'Ends', 'TooManyEnds', 'MAX_PENDING', 'DND', 'FORWARDING', 'AGENT', 'CALL_QUEUE']

log = logging.getLogger(__name__)

#: pending ends a person may have at once
MAX_PENDING = 20

#: the settings an end puts back
DND, FORWARDING, AGENT, CALL_QUEUE = 'dnd', 'forwarding', 'agent', 'callqueue'


class TooManyEnds(BotError):
    """A person asked for one more pending end than :data:`MAX_PENDING`."""

    def __init__(self, most: int):
        super().__init__(N_('end.too_many'), f'more than {most} pending ends')
        self.most = most

    def message(self, catalogue: Catalogue) -> str:
        """That there are too many, and how to see and cancel them, in the catalogue's language."""
        return catalogue.t('end.too_many', most=self.most)


@dataclass(frozen=True)
class End:
    """
    A setting that goes back to what it was at a moment: what the task of a pending end carries.
    """
    #: the task's id, ``end:<person id>:<setting>:<random>``
    id: str
    #: whose setting it is (the task's key)
    person_id: str
    #: which setting, e.g. ``dnd`` or ``callqueue:<id>``
    setting: str
    #: when it goes back, seconds since the epoch
    due: float
    #: what to put back: the setting as it was before the first timed change (see :mod:`wxc_cc.commands.timed`)
    restore: dict
    #: what the bot set: only a setting still so is put back
    expect: dict
    #: when the setting was as :attr:`restore` says, seconds since the epoch
    since: float
    #: what the messages name it by (a call queue's extension and number)
    about: dict = field(default_factory=dict)
    #: the person's time zone when it was set, for the messages when their tokens are gone
    zone: Optional[str] = None

    @classmethod
    def new(cls, person_id: str, setting: str, at: datetime.datetime, *, restore: dict, expect: dict,
            since: Optional[float] = None, about: Optional[dict] = None, zone: Optional[str] = None) -> 'End':
        """
        A new pending end under a new id.

        :param at: when it goes back
        :param since: when the setting was as ``restore`` says (default: now)
        """
        return cls(id=f'end:{person_id}:{setting}:{secrets.token_hex(4)}', person_id=person_id, setting=setting,
                   due=at.timestamp(), restore=restore, expect=expect, since=time.time() if since is None else since,
                   about=about or {}, zone=zone)

    @property
    def kind(self) -> str:
        """The kind of setting: :data:`DND`, :data:`FORWARDING`, :data:`AGENT` or :data:`CALL_QUEUE`."""
        return self.setting.partition(':')[0]

    @property
    def target(self) -> str:
        """Which one of its kind: a call queue's id; empty for the others."""
        return self.setting.partition(':')[2]

    @property
    def at(self) -> datetime.datetime:
        """When it goes back."""
        return datetime.datetime.fromtimestamp(self.due, datetime.timezone.utc)

    @property
    def set_at(self) -> datetime.datetime:
        """When the setting was as :attr:`restore` says."""
        return datetime.datetime.fromtimestamp(self.since, datetime.timezone.utc)

    def task(self) -> Task:
        """The task that carries it: due at :attr:`due`, in the person's order of tasks."""
        payload = {'setting': self.setting, 'restore': self.restore, 'expect': self.expect, 'since': self.since,
                   'about': self.about, 'zone': self.zone}
        return Task(kind=END, key=self.person_id, id=self.id, created=self.since, due=self.due, payload=payload)

    @classmethod
    def of(cls, task: Task) -> 'End':
        """
        The end a task carries.

        :raises UnreadableTask: its payload is not one of an end
        """
        payload: dict[str, Any] = task.payload
        checks = (('setting', str), ('restore', dict), ('expect', dict), ('since', (int, float)), ('about', dict))
        wrong = [name for name, kind in checks if not isinstance(payload.get(name), kind)]
        if wrong or task.kind != END or not task.due or not isinstance(payload.get('zone'), (str, type(None))):
            raise UnreadableTask(f'not an end: {", ".join(wrong) or "kind, due or zone"}')
        return cls(id=task.id, person_id=task.key, setting=payload['setting'], due=task.due,
                   restore=payload['restore'], expect=payload['expect'], since=float(payload['since']),
                   about=payload['about'], zone=payload['zone'])


class Ends:
    """
    The pending ends, as the work queue keeps them.

    :param queue: the deployment's work queue
    :param most: pending ends a person may have at once
    """

    def __init__(self, *, queue: WorkQueue, most: int = MAX_PENDING):
        self.queue = queue
        self.most = most

    def pending(self, person_id: str) -> list[End]:
        """A person's pending ends, the next first (a record that is not an end is left out, and logged)."""
        found = []
        for entry in self.queue.scheduled(person_id, END):
            try:
                found.append(End.of(Task.from_json(entry.body)))
            except UnreadableTask as error:
                log.error('pending end %s cannot be read: %s', entry.id, error)
        return found

    def check_room(self, pending: list[End], settings: set[str]) -> None:
        """
        Whether ends of ``settings`` fit beside the ``pending`` ones (an end of a setting that has one replaces it).

        :raises TooManyEnds: they do not
        """
        if len({end.setting for end in pending} | settings) > self.most:
            raise TooManyEnds(self.most)

    def put(self, end: End, replacing: Optional[End] = None) -> End:
        """
        Queue an end; the pending end of the same setting it replaces is withdrawn in the same step (the caller
        gives the new end what that one was to put back, and since when: the setting goes back to what it was
        before the first change).

        :return: the end as queued
        """
        self.queue.put(end.task().entry(), replacing=replacing.id if replacing else None)
        log.info('end %s of %s put, due in %.0f s', end.setting, end.person_id, end.due - time.time())
        return end

    def cancel(self, end: End) -> bool:
        """
        Withdraw a pending end.

        :return: False when it is too late: a worker has taken it, or it is gone
        """
        withdrawn = self.queue.withdraw(end.id)
        log.info('end %s of %s %s', end.setting, end.person_id, 'withdrawn' if withdrawn else 'not withdrawn: taken')
        return withdrawn
