"""
What a running task has done so far, kept with its entry in the work queue, so that a task taken over after its
worker died never repeats a change at Webex whose outcome is unknown, and never sends a reply twice.

The journal owns its states (:data:`ACTING`, :data:`REPLIED`); the queue stores them for it through the small
protocol :class:`JournalStore`. :class:`Journal` writes them; the worker makes a task's journal the current one
while the task runs (a :class:`contextvars.ContextVar`, the execution context of that one task), so that the places
that act or reply (:func:`acting` before a request that changes something, :func:`replied` after the reply) need
not carry it through every call.

``acting`` is stored before the request it announces, and raises :class:`~wxc_cc.stores.queue.LeaseLost` when the
task was taken over meanwhile: the request is then not made. ``replied`` is kept with the lease and stored with the
entry's next change (its end, or its release after a failure): a reply is always the last thing a task does before
its end, so storing it on its own would only add a round trip.
"""
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Optional, Protocol

from .stores.queue import Lease

__all__ = ['Journal', 'JournalStore', 'acting', 'replied', 'repeated', 'ACTING', 'REPLIED']

#: the task began a request that changes something at Webex
ACTING = 'acting'
#: the person got the reply
REPLIED = 'replied'

_current: ContextVar[Optional['Journal']] = ContextVar('wxc_cc_journal', default=None)


class JournalStore(Protocol):
    """Where a task's journal is kept: the work queue."""

    def record(self, lease: Lease, state: str) -> None:
        """Store the state now; raise :class:`~wxc_cc.stores.queue.LeaseLost` if the lease was lost."""


class Journal:
    """
    The journal of one task run.

    :param store: where it is written
    :param lease: the task
    """

    def __init__(self, store: JournalStore, lease: Lease):
        self.store = store
        self.lease = lease

    @property
    def state(self) -> Optional[str]:
        """The state, as written so far (stored or not)."""
        return self.lease.pending_state or self.lease.state

    def acting(self) -> None:
        """About to change something at Webex: stored before going on (once per task)."""
        if self.state is None:
            self.store.record(self.lease, ACTING)

    def replied(self) -> None:
        """The person got the reply: stored with the entry's next change."""
        if self.state != REPLIED:
            self.lease.pending_state = REPLIED

    @contextmanager
    def active(self) -> Iterator['Journal']:
        """Make this the current journal while the task runs."""
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)


def acting() -> None:
    """Note, in the running task's journal, that it is about to change something at Webex."""
    if journal := _current.get():
        journal.acting()


def replied() -> None:
    """Note, in the running task's journal, that the person got the reply."""
    if journal := _current.get():
        journal.replied()


def repeated() -> bool:
    """
    Whether the running task was started before (it failed, or its worker died): what it did then may have been
    done, a message sent among it.
    """
    journal = _current.get()
    return journal is not None and journal.lease.attempts > 1
