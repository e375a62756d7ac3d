"""
The workers of one process: they take tasks from the durable work queue (:mod:`wxc_cc.stores.queue`) and carry
them out on a bounded pool of threads, while a heartbeat keeps their leases alive.

A task is started at most :data:`~wxc_cc.stores.queue.MAX_ATTEMPTS` times. A task taken over whose journal says
it had begun to change something at Webex is not run again: the person is told the outcome is unknown and shown
their calls. One whose journal says the person got the reply is only acknowledged. On stop, the workers take
nothing new, let the tasks in flight finish (bounded), and give back what is left for the others.
"""
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from typing import Optional, TypeVar

from .errors import StoreUnavailable
from .journal import Journal
from .metrics import Metrics
from .stores.queue import ACTING, MAX_ATTEMPTS, REPLIED, Lease, WorkQueue
from .tasks import TaskRunner

__all__ = ['QueueWorker']

log = logging.getLogger(__name__)

T = TypeVar('T')


def consumer_name() -> str:
    """A name for this process among all workers: host, process id and a random part."""
    return f'{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}'


class QueueWorker:
    """
    Carries out queued tasks in this process.

    :param queue: the deployment's work queue
    :param runner: does one task
    :param threads: tasks run at once in this process
    :param max_attempts: starts after which a task is set aside
    :param poll: seconds to wait for new tasks per look (the queue wakes it earlier when it can)
    :param metrics: measures each task from its notification's arrival to its end (default: off)
    """

    def __init__(self, *, queue: WorkQueue, runner: TaskRunner, threads: int, max_attempts: int = MAX_ATTEMPTS,
                 poll: float = 0.5, metrics: Optional[Metrics] = None):
        self.queue = queue
        self.runner = runner
        self.threads = threads
        self.max_attempts = max_attempts
        self.poll = poll
        self.metrics = metrics or Metrics()
        self.consumer = consumer_name()
        self._pool: Optional[ThreadPoolExecutor] = None
        self._in_flight: dict[Future, Lease] = {}
        self._lock = threading.Condition()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    # --- life cycle

    def start(self) -> None:
        """Start taking tasks."""
        if self._pool is not None:
            return
        self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix=f'wxc-cc-task-{self.consumer}')
        for target, name in ((self._take_loop, 'wxc-cc-take'), (self._heartbeat, 'wxc-cc-heartbeat')):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info('worker %s takes tasks on %d threads', self.consumer, self.threads)

    def stop(self, timeout: float) -> bool:
        """
        Take nothing new, let the tasks in flight finish for up to ``timeout`` seconds, and give back the tasks
        held but not started, so that other workers take them at once. A task still running when the time is up
        is not given back while it may still act: its lease lapses after ``claim_after`` seconds, and whoever
        takes it over then reads its journal.

        :return: True if every task in flight finished
        """
        with self._lock:
            self._stopping.set()
            self._lock.notify_all()
        for thread in self._threads:
            thread.join(timeout)
        with self._lock:
            futures = list(self._in_flight)
        _, not_done = wait_for(futures, timeout=timeout) if futures else (set(), set())
        for future in not_done:
            lease = self._in_flight.get(future)
            if lease is not None:
                log.warning('task %s not finished in %s s: left to be taken over', lease.task.id, timeout)
        self._safely(lambda: self.queue.let_go(self.consumer))
        if self._pool is not None:
            self._pool.shutdown(wait=not not_done, cancel_futures=True)
        return not not_done

    def alive(self) -> bool:
        """True while this worker is started and not stopped, and its take and heartbeat threads are alive."""
        return (self._pool is not None and not self._stopping.is_set() and len(self._threads) == 2
                and all(thread.is_alive() for thread in self._threads))

    def threads_alive(self) -> int:
        """Threads of this worker still alive (none once :meth:`stop` returned with every task finished)."""
        prefix = f'wxc-cc-task-{self.consumer}'
        pool = sum(thread.is_alive() for thread in threading.enumerate() if thread.name.startswith(prefix))
        return pool + sum(thread.is_alive() for thread in self._threads)

    def wait_idle(self, timeout: float) -> bool:
        """
        Wait until this process runs no task and the queue holds none: for tests and the sandbox.

        :return: False on timeout
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                running = bool(self._in_flight)
            if not running and self._safely(self.queue.depth) == 0:
                return True
            with self._lock:
                self._lock.wait(0.02)  # woken sooner when a task ends
        return False

    # --- taking and running

    def _take_loop(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                while len(self._in_flight) >= self.threads and not self._stopping.is_set():
                    self._lock.wait()
                free = self.threads - len(self._in_flight)
            if self._stopping.is_set():
                return
            try:
                leases = self.queue.take(self.consumer, free, wait=self.poll)
            except StoreUnavailable as error:
                log.warning('queue: %s', error.log_message)
                self._stopping.wait(self.poll)
                continue
            except Exception:
                log.exception('queue: taking tasks failed')
                self._stopping.wait(self.poll)
                continue
            for lease in leases:
                with self._lock:
                    if self._stopping.is_set():
                        # taken while stopping: back to the queue, for whoever runs next
                        self._safely(lambda lease=lease: self.queue.release(lease, started=False))
                        continue
                    future = self._pool.submit(self._run, lease)
                    self._in_flight[future] = lease
                future.add_done_callback(self._done)

    def _done(self, future: Future) -> None:
        with self._lock:
            self._in_flight.pop(future, None)
            self._lock.notify_all()

    def _heartbeat(self) -> None:
        while not self._stopping.wait(self.queue.claim_after / 3):
            with self._lock:
                leases = list(self._in_flight.values())
            self._safely(lambda: self.queue.renew(self.consumer, leases))

    def _run(self, lease: Lease) -> None:
        task = lease.task
        try:
            if lease.attempts > self.max_attempts:
                self._set_aside(lease, lease.reason or f'started {lease.attempts - 1} times')
                return
            if lease.state == REPLIED:
                log.info('task %s taken over after its reply: acknowledged', task.id)
            elif lease.state == ACTING:
                log.warning('task %s taken over while acting: outcome unknown, not repeated', task.id)
                with Journal(self.queue, lease).active():
                    self.runner.unknown_outcome(task)
            else:
                if lease.attempts > 1:
                    log.info('task %s started again (attempt %d)', task.id, lease.attempts)
                with Journal(self.queue, lease).active():
                    self.runner.run(task)
            self.queue.finish(lease)
            if task.accepted:
                self.metrics.command_done(time.time() - task.accepted)
        except Exception as error:
            reason = f'{type(error).__name__}: {error}'[:300]
            log.exception('task %s failed (attempt %d)', task.id, lease.attempts)
            if lease.attempts >= self.max_attempts:
                self._safely(lambda: self._set_aside(lease, reason))
            else:
                self._safely(lambda: self.queue.release(lease, reason))

    def _set_aside(self, lease: Lease, reason: str) -> None:
        log.error('task %s set aside after %d attempts: %s', lease.task.id, lease.attempts, reason)
        self.queue.dead_letter(lease, reason)
        self.runner.set_aside(lease.task)

    @staticmethod
    def _safely(work: Callable[[], T]) -> Optional[T]:
        """The work's result, or ``None`` when the queue is unavailable (logged)."""
        try:
            return work()
        except StoreUnavailable as error:
            log.warning('queue: %s', error.log_message)
            return None
