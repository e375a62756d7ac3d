"""
What a running task has done so far, written to the work queue before it goes on, so that a task taken over
after its worker died never repeats a change at Webex whose outcome is unknown, and never sends a reply twice.

:class:`Journal` writes it; the worker makes a task's journal the current one while the task runs (a
:class:`contextvars.ContextVar`, the execution context of that one task), so that the places that act or reply
(:meth:`acting` before a request that changes something, :meth:`replied` after the reply) need not carry it
through every call.
"""
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Optional

from .stores.queue import ACTING, REPLIED, Lease, WorkQueue

__all__ = ['Journal', 'acting', 'replied']

_current: ContextVar[Optional['Journal']] = ContextVar('wxc_cc_journal', default=None)


class Journal:
    """
    The journal of one task run.

    :param queue: where it is written
    :param lease: the task
    """

    def __init__(self, queue: WorkQueue, lease: Lease):
        self.queue = queue
        self.lease = lease

    def acting(self) -> None:
        """About to change something at Webex (written once per task)."""
        if self.lease.state is None:
            self.queue.record(self.lease, ACTING)

    def replied(self) -> None:
        """The person got the reply."""
        if self.lease.state != REPLIED:
            self.queue.record(self.lease, REPLIED)

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
