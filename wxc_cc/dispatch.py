"""
Work done after the webhook request is answered, in this process.

:class:`Dispatcher` runs :class:`~wxc_cc.tasks.Task` objects on a bounded pool of threads. Each task carries a key
(the person it is for): one key's tasks run one at a time and in order, so a person who floods the bot or whose
requests are slow occupies one thread, never all of them, and a reply never overtakes the reply to an earlier
command.
"""
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Optional

from .tasks import Task

__all__ = ['Dispatcher']

log = logging.getLogger(__name__)

class Dispatcher:
    """
    A bounded pool with per-key ordering.

    :param run: does one task (:meth:`wxc_cc.tasks.TaskRunner.run`); its exceptions are logged
    :param workers: threads; they start with the first task
    :param max_pending_per_key: tasks one key may have waiting; more are refused
    """

    def __init__(self, run: Callable[[Task], None], workers: int = 8, max_pending_per_key: int = 20):
        self.run = run
        self.workers = workers
        self.max_pending_per_key = max_pending_per_key
        self._cond = threading.Condition()
        #: waiting tasks per key; a key is present while it has work queued or running
        self._queues: dict[str, deque[Task]] = {}
        #: keys with queued work and nothing running, in the order they became ready
        self._ready: deque[str] = deque()
        self._running = 0
        self._threads: list[threading.Thread] = []
        self._accepting = True

    def submit(self, task: Task) -> bool:
        """
        Queue a task.

        :param task: the work; tasks of one key run one after the other
        :return: False if refused (shutting down, or too many tasks waiting for this key)
        """
        key = task.key
        with self._cond:
            if not self._accepting:
                return False
            queue = self._queues.get(key)
            if queue is None:
                self._queues[key] = deque([task])
                self._ready.append(key)
            elif len(queue) >= self.max_pending_per_key:
                return False
            else:
                queue.append(task)
            if len(self._threads) < self.workers:
                self._start_thread()
            self._cond.notify()
            return True

    def _start_thread(self) -> None:
        thread = threading.Thread(target=self._work, name=f'wxc-cc-{len(self._threads)}', daemon=True)
        self._threads.append(thread)
        thread.start()

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._ready:
                    if not self._accepting and not self._queues:
                        return
                    self._cond.wait()
                key = self._ready.popleft()
                task = self._queues[key].popleft()
                self._running += 1
            try:
                self.run(task)
            except Exception:
                log.exception('task %s for %s failed', task.id, key)
            with self._cond:
                self._running -= 1
                if self._queues[key]:
                    self._ready.append(key)
                else:
                    del self._queues[key]
                self._cond.notify_all()

    def threads_alive(self) -> int:
        """Worker threads still alive (none after :meth:`drain` once every task finished)."""
        return sum(thread.is_alive() for thread in self._threads)

    @property
    def pending(self) -> int:
        """Tasks queued or running."""
        with self._cond:
            return sum(len(queue) for queue in self._queues.values()) + self._running

    def wait_idle(self, timeout: float) -> bool:
        """
        Wait until no task is queued or running.

        :param timeout: seconds
        :return: True if idle, False on timeout
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queues:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def drain(self, timeout: Optional[float]) -> bool:
        """
        Stop accepting tasks and wait (bounded) for those queued or running.

        :param timeout: seconds
        :return: True if everything finished in time
        """
        deadline = time.monotonic() + (timeout or 0)
        with self._cond:
            self._accepting = False
            self._cond.notify_all()
        drained = self.wait_idle(timeout or 0)
        if not drained:
            log.warning('shutdown: %d task(s) not finished after %s s', self.pending, timeout)
        # idle threads end once nothing is left; those still running a task are left to finish it
        for thread in list(self._threads):
            thread.join(max(0.0, deadline - time.monotonic()))
        return drained
