"""
The durable work queue: a notification the bot accepts is written here before Webex gets its 200, and any worker
of the deployment (this process after a restart included) carries it out.

:class:`WorkQueue` is the interface; :mod:`~wxc_cc.stores.sqlite_queue` serves the processes of one host (a table
beside the token file), :mod:`~wxc_cc.stores.redis_queue` a whole deployment. What is queued is an
:class:`Entry`: the queue orders, de-duplicates and hands out entries, and never reads their body (a task's
record, :mod:`wxc_cc.task`, read by the worker). Both backends keep the same promises:

* **once per notification**: an entry is queued once per id within :data:`REMEMBER` seconds, also when the put is
  retried after a lost answer or the notification is delivered again;
* **order per key, parallel across keys**: an entry is handed out only when every earlier entry of its key (a
  person) is finished, so one person's commands run in the order Webex created them, while different people's run
  at the same time; an entry due later (a timed task) waits until it is due, without holding its key's other
  entries up;
* **liveness by heartbeat**: every worker process renews one heartbeat (:meth:`WorkQueue.beat`); what a worker
  whose heartbeat lapsed held is handed out again, to any live worker, at once. A live worker's entry is never
  taken from it, however long it runs;
* **fencing**: every hand-out carries a new fencing token (:attr:`Lease.fence`); :meth:`~WorkQueue.record`,
  :meth:`~WorkQueue.finish`, :meth:`~WorkQueue.release` and :meth:`~WorkQueue.dead_letter` act only while the
  caller still holds the entry, checked atomically with the change, and raise :class:`LeaseLost` otherwise;
* **a journal per entry**: a state the worker writes (:mod:`wxc_cc.journal` gives it its meaning) survives the
  worker and comes with the entry to whoever holds it next;
* **set aside, not lost**: an entry that cannot be carried out goes to the dead letters with its reason.
"""
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Optional

__all__ = ['Entry', 'Lease', 'LeaseLost', 'UnsupportedStore', 'WorkQueue', 'MAX_ATTEMPTS', 'CLAIM_AFTER', 'REMEMBER', 'LONG_RUNNING']

#: how often an entry may be started before it is set aside
MAX_ATTEMPTS = 3

#: seconds a heartbeat lives unless renewed (``WXC_CC_CLAIM_AFTER``)
CLAIM_AFTER = 10.0

#: seconds an entry's id is remembered, so that the same notification is queued once
REMEMBER = 3600.0

#: seconds after which a running entry counts as long-running (logged, counted, listed)
LONG_RUNNING = 300.0


@dataclass(frozen=True)
class Entry:
    """
    What is queued. The queue reads its id, key, kind and due time, never its body.
    """
    #: what identifies it, e.g. ``'message:<id>'``: queued once per id
    id: str
    #: whose it is: one key's entries run one at a time, in order of :attr:`due`
    key: str
    #: what it is, for listings (``message``)
    kind: str
    #: seconds since the epoch: not handed out before, and one key's entries in this order
    due: float
    #: the record (a task's JSON)
    body: str


@dataclass
class Lease:
    """
    An entry handed to one worker, which holds it until it is finished, released or set aside.
    """
    entry: Entry
    #: how often the entry was started, this time included (an entry taken over counts again)
    attempts: int
    #: the journal's state, as the last holder left it (``None``: nothing written)
    state: Optional[str]
    #: the fencing token of this hand-out: only its holder may change the entry
    fence: int
    #: the backend's handle (a row id; a task id)
    handle: Any
    #: the consumer it was handed to
    holder: str
    #: the reason of the last failure, if the entry failed before
    reason: str = ''
    #: seconds since the epoch when this worker took it
    since: float = 0.0
    #: the journal's state written by the holder but not yet stored: stored with the entry's next change
    pending_state: Optional[str] = field(default=None, repr=False)

    @property
    def key(self) -> str:
        """Whose entry it is."""
        return self.entry.key

    @property
    def id(self) -> str:
        """The entry's id."""
        return self.entry.id


class LeaseLost(BaseException):
    """
    The caller no longer holds the entry: its heartbeat lapsed and another worker took the entry over, or the store
    lost it (flushed). The holder must stop at once and change nothing more, at Webex included.

    A :class:`BaseException`, like :class:`GeneratorExit`, so that the ``except Exception`` of a command that tells
    the person about its failures does not catch it and go on: it unwinds the whole task to the worker.
    """


class UnsupportedStore(Exception):
    """The store's server cannot hold the queue (a Redis too old); the message says what is needed."""


class WorkQueue(ABC):
    """
    A durable queue of :class:`Entry` objects, shared by every worker that uses the same backend.

    :param lifetime: seconds a worker's heartbeat lives unless renewed (``WXC_CC_CLAIM_AFTER``)
    :param remember: seconds an entry's id is remembered
    """

    def __init__(self, lifetime: float = CLAIM_AFTER, remember: float = REMEMBER):
        self.lifetime = lifetime
        self.remember = remember

    @abstractmethod
    def put(self, entry: Entry, replacing: Optional[str] = None) -> bool:
        """
        Add an entry, unless its id was queued within :attr:`remember` seconds; when this returns, it is stored
        durably. Safe to retry: a put retried after its answer was lost queues nothing more and returns True.

        :param replacing: the id of an entry this one replaces: withdrawn in the same step, unless a worker has
            taken it (see :meth:`withdraw`)
        :return: True if it is queued (by this call), False if its id had been queued before
        :raises StoreUnavailable: the backend could not take it (the caller answers Webex 503)
        """

    @abstractmethod
    def withdraw(self, entry_id: str) -> bool:
        """
        Remove an entry that no worker has taken (waiting, or due later): a timed task cancelled.

        :return: True if it was removed, False if it runs (or ran) or was never queued
        """

    @abstractmethod
    def scheduled(self, key: str, kind: str) -> list[Entry]:
        """
        The entries of one key and kind that no worker has taken, in the order they will run: a person's timed
        tasks.
        """

    @abstractmethod
    def take(self, consumer: str, limit: int, wait: float = 0.0) -> list[Lease]:
        """
        Hand out up to ``limit`` entries that may run now: the first entry of keys nobody runs, if it is due.

        :param consumer: who takes them (unique per worker process; it must :meth:`beat`)
        :param wait: when there is nothing to take, seconds to wait for something (:meth:`wake` ends it)
        :return: the leases; each counts one more attempt
        """

    @abstractmethod
    def wake(self, consumer: str) -> None:
        """End a :meth:`take` of ``consumer`` that waits, at once (a worker that stops)."""

    @abstractmethod
    def beat(self, consumer: str, long_running: tuple[Lease, ...] = ()) -> int:
        """
        Renew ``consumer``'s heartbeat, for :attr:`lifetime` seconds; hand out again what workers whose heartbeat
        lapsed held; hand out entries that have become due.

        :param long_running: the consumer's leases running longer than :data:`LONG_RUNNING`, for the listings
        :return: how many entries of dead workers were handed out again
        """

    @abstractmethod
    def leave(self, consumer: str) -> None:
        """
        ``consumer`` stops, running nothing: what it was handed but never started is handed out again, and its
        heartbeat ends, so that nobody waits for it to lapse.
        """

    @abstractmethod
    def record(self, lease: Lease, state: str) -> None:
        """
        Store the journal's state before going on.

        :raises LeaseLost: the caller no longer holds the entry (nothing is written)
        """

    @abstractmethod
    def finish(self, lease: Lease) -> None:
        """
        The entry is done: remove it; the next entry of its key may run.

        :raises LeaseLost: the caller no longer holds the entry (nothing is changed)
        """

    @abstractmethod
    def release(self, lease: Lease, reason: str = '', started: bool = True) -> None:
        """
        Hand an entry back without finishing it (it failed, or the worker stops before starting it): it may be taken
        again at once, by anybody. Its journal stays (with :attr:`Lease.pending_state`, if any), and so do its
        attempts unless it was never started.

        :param reason: why it failed, kept for the dead letter
        :param started: False for an entry taken but not started: the attempt does not count
        :raises LeaseLost: the caller no longer holds the entry (nothing is changed)
        """

    @abstractmethod
    def dead_letter(self, lease: Lease, reason: str, started: bool = True) -> None:
        """
        Set an entry aside for good, with its reason; the next entry of its key may run.

        :param started: False when it is set aside without being started this time (it was started too often
            before): the attempt does not count

        :raises LeaseLost: the caller no longer holds the entry (nothing is changed)
        """

    @abstractmethod
    def dead_letters(self) -> list[dict[str, Any]]:
        """
        The entries set aside, oldest first: ``{'id', 'key', 'kind', 'attempts', 'reason'}`` each, read without
        reading their bodies.
        """

    @abstractmethod
    def long_running(self) -> list[dict[str, Any]]:
        """
        The entries running longer than :data:`LONG_RUNNING`: ``{'id', 'key', 'kind', 'consumer', 'seconds'}`` each.
        """

    @abstractmethod
    def depth(self) -> int:
        """
        Entries waiting, due later or running (not those set aside).
        """

    @abstractmethod
    def idle(self) -> bool:
        """
        True when no entry waits to be taken now nor runs: what is left is due later, or set aside.
        """
