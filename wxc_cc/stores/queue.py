"""
The durable work queue: a notification the bot accepts is written here before Webex gets its 200, and any worker
of the deployment (this process after a restart included) carries it out.

:class:`WorkQueue` is the interface; :mod:`~wxc_cc.stores.sqlite_queue` serves the processes of one host (a table
beside the token file), :mod:`~wxc_cc.stores.redis_queue` a whole deployment (Redis Streams with a consumer
group). Both keep the same promises:

* **order per key, parallel across keys**: a task is handed out only when every earlier task of its key (a
  person) is finished, so one person's commands run in the order Webex created them, while different people's run
  at the same time;
* **taken over when its worker dies**: a task whose worker stopped renewing its lease for ``claim_after`` seconds
  is handed out again, to any live worker;
* **a journal per task**: ``acting`` (it started changing something at Webex) and ``replied`` (the person got the
  reply) survive the worker, so that a task taken over never repeats a side effect whose outcome is unknown, and
  never sends a reply twice;
* **poison ends**: a task started ``max_attempts`` times goes to the dead letters with its reason.
"""
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Optional

from ..tasks import Task

__all__ = ['Lease', 'WorkQueue', 'ACTING', 'REPLIED', 'MAX_ATTEMPTS', 'CLAIM_AFTER']

#: journal: the task began a request that changes something at Webex
ACTING = 'acting'
#: journal: the person got the reply
REPLIED = 'replied'

#: how often a task may be started before it is set aside
MAX_ATTEMPTS = 3

#: seconds without a renewed lease after which a task is taken over (``WXC_CC_CLAIM_AFTER``)
CLAIM_AFTER = 30.0


@dataclass
class Lease:
    """
    A task handed to one worker, which holds it until it is finished, failed or set aside.
    """
    task: Task
    #: how often the task was started, this time included (a task taken over counts again)
    attempts: int
    #: the journal: ``None``, :data:`ACTING` or :data:`REPLIED`
    state: Optional[str]
    #: the backend's handle (a row id, a stream entry id)
    handle: Any
    #: the reason of the last failure, if the task failed before
    reason: str = ''

    @property
    def key(self) -> str:
        """Whose task it is."""
        return self.task.key


class WorkQueue(ABC):
    """
    A durable queue of :class:`~wxc_cc.tasks.Task` objects, shared by every worker that uses the same backend.

    :param claim_after: seconds without a renewed lease after which a task is taken over
    """

    def __init__(self, claim_after: float = CLAIM_AFTER):
        self.claim_after = claim_after

    @abstractmethod
    def put(self, task: Task) -> None:
        """
        Add a task; when this returns, it is stored durably.

        :raises StoreUnavailable: the backend could not take it (the caller answers Webex 503)
        """

    @abstractmethod
    def take(self, consumer: str, limit: int, wait: float = 0.0) -> list[Lease]:
        """
        Lease up to ``limit`` tasks that may run now: the oldest waiting task of keys with nothing running, and
        tasks whose worker stopped renewing their lease for ``claim_after`` seconds.

        :param consumer: who takes them (unique per worker process)
        :param wait: when there is nothing to take, seconds to wait for something to arrive
        :return: the leases, oldest first; each counts one more attempt
        """

    @abstractmethod
    def renew(self, consumer: str, leases: list[Lease]) -> None:
        """
        Keep leases alive: the worker is still on them.
        """

    @abstractmethod
    def record(self, lease: Lease, state: str) -> None:
        """
        Write the task's journal (:data:`ACTING`, :data:`REPLIED`) before going on.
        """

    @abstractmethod
    def finish(self, lease: Lease) -> None:
        """
        The task is done: remove it; the next task of its key may run.
        """

    @abstractmethod
    def release(self, lease: Lease, reason: str = '', started: bool = True) -> None:
        """
        Give a task back without finishing it (it failed, or the worker stops): it may be taken again at once,
        by anybody. Its journal stays, and so do its attempts unless it was never started.

        :param reason: why it failed, kept for the dead letter
        :param started: False for a task taken but not started: the attempt does not count
        """

    def let_go(self, consumer: str) -> None:
        """
        A worker stops: give back what it holds without having started it, for the others to take at once.
        Default: nothing is held unstarted.
        """

    @abstractmethod
    def dead_letter(self, lease: Lease, reason: str) -> None:
        """
        Set a task aside for good, with its reason; the next task of its key may run.
        """

    @abstractmethod
    def dead_letters(self) -> list[dict[str, Any]]:
        """
        The tasks set aside: ``{'id', 'key', 'kind', 'attempts', 'reason'}`` each, oldest first.
        """

    @abstractmethod
    def depth(self) -> int:
        """
        Tasks waiting or running.
        """
