"""
The workers of one process: they take tasks from the durable work queue (:mod:`wxc_cc.stores.queue`) and carry
them out on a bounded set of threads, while a heartbeat shows the deployment that this process is alive.

A task is started at most :data:`~wxc_cc.stores.queue.MAX_ATTEMPTS` times. A task taken over whose journal says
it had begun to change something at Webex is not run again: the person is told the outcome is unknown and shown
their calls; unless its kind is repeatable (it reads before it changes, a setting's end), when it is run again. One whose journal says the person got the reply is only finished. A record that is not a task this
version can read is set aside at once. A worker that lost a task to another (its heartbeat lapsed) stops it before
its next change.

Three kinds of thread, none of which dies of an error: the take loop, the heartbeat (every second, or every third of
its lifetime if that is shorter; it also hands out again the tasks of dead workers, so that they are taken over at
most about a second after their worker's heartbeat lapsed, and the tasks that became due), and the task threads.
On stop: take nothing more at once, let the running tasks finish (bounded) with the heartbeat still beating, then
give back whatever was taken but not started and end the heartbeat, so that nobody waits for it to lapse.
"""
import logging
import os
import queue as threadqueue
import secrets
import socket
import threading
import time
from collections.abc import Callable
from typing import Optional, TypeVar

from .journal import ACTING, REPLIED, Journal
from .metrics import Metrics
from .runner import TaskRunner
from .stores.queue import LONG_RUNNING, MAX_ATTEMPTS, Lease, LeaseLost, WorkQueue
from .task import Task, UnreadableTask

__all__ = ['QueueWorker', 'consumer_name']

log = logging.getLogger(__name__)

T = TypeVar('T')

#: longest pause between two tries of the take loop or the heartbeat after the store failed, seconds
MAX_BACKOFF = 2.0

#: seconds a task thread keeps trying to finish (or give back) its task while the store is unavailable
SETTLE_FOR = 30.0

#: longest time between two heartbeats, seconds: a heartbeat also finds dead workers and tasks that became due, so
#: it comes more often than its lifetime requires
BEAT_EVERY = 1.0


def consumer_name() -> str:
    """A name for this process among all workers: host, process id and a random part."""
    return f'{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}'


def _backoff(failures: int, cap: float) -> float:
    return min(cap, 0.1 * 2 ** failures)


class _TaskThreads:
    """
    Daemon threads that run tasks, started as needed up to ``size``.

    Why not :class:`concurrent.futures.ThreadPoolExecutor`: its threads are joined, without limit, when the
    interpreter exits, before ``atexit`` runs; a stopping process must instead drain within ``WXC_CC_DRAIN_TIMEOUT``
    and then exit, leaving a task still running to be taken over.
    """

    def __init__(self, size: int, name: str):
        self.size = size
        self.name = name
        self._work: threadqueue.SimpleQueue[Optional[Callable[[], None]]] = threadqueue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._lock = threading.Lock()

    def submit(self, work: Callable[[], None]) -> None:
        """Run ``work`` on an idle thread, or a new one (the caller never submits more than ``size`` at once)."""
        with self._lock:
            if self._idle:
                self._idle -= 1
            elif len(self._threads) < self.size:
                thread = threading.Thread(target=self._serve, name=f'{self.name}-{len(self._threads)}', daemon=True)
                self._threads.append(thread)
                thread.start()
        self._work.put(work)

    def _serve(self) -> None:
        while (work := self._work.get()) is not None:
            work()
            with self._lock:
                self._idle += 1

    def shutdown(self, timeout: float) -> None:
        """Every thread ends once its task is done, idle ones at once; wait up to ``timeout`` seconds for them."""
        with self._lock:
            threads = list(self._threads)
        for _ in threads:
            self._work.put(None)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def alive(self) -> int:
        """Threads still running."""
        with self._lock:
            return sum(thread.is_alive() for thread in self._threads)


class QueueWorker:
    """
    Carries out queued tasks in this process.

    :param queue: the deployment's work queue
    :param runner: does one task
    :param threads: tasks run at once in this process
    :param max_attempts: starts after which a task is set aside
    :param poll: longest wait for new tasks per look, seconds (the queue wakes it earlier when it can)
    :param metrics: measures each task from its notification's arrival to its end (default: off)
    :param consumer: this process's name among the workers (default: :func:`consumer_name`)
    """

    def __init__(self, *, queue: WorkQueue, runner: TaskRunner, threads: int, max_attempts: int = MAX_ATTEMPTS,
                 poll: float = 1.0, metrics: Optional[Metrics] = None, consumer: Optional[str] = None):
        self.queue = queue
        self.runner = runner
        self.threads = threads
        self.max_attempts = max_attempts
        self.poll = poll
        self.metrics = metrics or Metrics()
        self.consumer = consumer or consumer_name()
        self._pool = _TaskThreads(threads, f'wxc-cc-task-{self.consumer}')
        #: leases running, by identity
        self._running: dict[int, Lease] = {}
        self._long: set[int] = set()
        self._lock = threading.Condition()
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []

    # --- life cycle

    def start(self) -> None:
        """
        Start: the first heartbeat, which takes over at once what gone workers of this host held (file store), then
        the take loop and the heartbeat thread.
        """
        if self._threads:
            return
        self._safely(self._beat, 'first heartbeat')
        for target, name in ((self._take_loop, 'wxc-cc-take'), (self._heartbeat_loop, 'wxc-cc-heartbeat')):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info('worker %s takes tasks on %d threads', self.consumer, self.threads)

    def alive(self) -> bool:
        """True while started, not stopping, and the take loop and the heartbeat run."""
        return bool(self._threads) and not self._stopping.is_set() and all(t.is_alive() for t in self._threads)

    def stop_taking(self) -> None:
        """Take nothing more, at once (SIGTERM): the running tasks go on, and so does the heartbeat."""
        if not self._stopping.is_set():
            log.info('worker %s takes no more tasks', self.consumer)
        with self._lock:
            self._stopping.set()
            self._lock.notify_all()
        self._safely(lambda: self.queue.wake(self.consumer), 'wake')

    def stop(self, timeout: float) -> bool:
        """
        Take nothing new, let the running tasks finish for up to ``timeout`` seconds with the heartbeat still
        beating, then give back what was taken but not started and end the heartbeat. A task still running when the
        time is up is not given back while it may still act: it is taken over once this process's heartbeat lapses,
        and whoever takes it reads its journal.

        :return: True if every running task finished
        """
        deadline = time.monotonic() + timeout
        self.stop_taking()
        take = self._threads[0] if self._threads else None
        while take is not None and take.is_alive() and time.monotonic() < deadline:
            take.join(0.05)
            self._safely(lambda: self.queue.wake(self.consumer), 'wake')
        with self._lock:
            while self._running and time.monotonic() < deadline:
                self._lock.wait(deadline - time.monotonic())
            unfinished = list(self._running.values())
        self._stopped.set()
        for thread in self._threads[1:]:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._pool.shutdown(0.0 if unfinished else 1.0)
        for lease in unfinished:
            log.warning('task %s not finished in %s s: taken over once this worker is gone', lease.id, timeout)
        if not unfinished and self._threads:
            self._safely(lambda: self.queue.leave(self.consumer), 'leave')
        return not unfinished

    def threads_alive(self) -> int:
        """Threads of this worker still alive (none once :meth:`stop` returned with every task finished)."""
        return self._pool.alive() + sum(thread.is_alive() for thread in self._threads)

    def wait_idle(self, timeout: float) -> bool:
        """
        Wait until this process runs no task and the queue holds none that is due (a setting's end due later does not
        count): for tests and the sandbox.

        :return: False on timeout
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                running = bool(self._running)
            if not running and self._safely(self.queue.idle, 'idle'):
                return True
            with self._lock:
                self._lock.wait(0.02)  # woken sooner when a task ends
        return False

    # --- the heartbeat

    def _beat(self) -> None:
        now = time.time()
        with self._lock:
            long = tuple(lease for lease in self._running.values() if now - lease.since > LONG_RUNNING)
            new = [lease for lease in long if id(lease) not in self._long]
            self._long.update(id(lease) for lease in new)
        for lease in new:
            log.warning('task %s has run for %.0f s', lease.id, now - lease.since)
            self.metrics.long_task()
        self.queue.beat(self.consumer, long)

    def _heartbeat_loop(self) -> None:
        interval, failures = min(BEAT_EVERY, self.queue.lifetime / 3), 0
        while not self._stopped.wait(_backoff(failures, interval) if failures else interval):
            try:
                self._beat()
                failures = 0
            except Exception as error:
                failures += 1
                self._log_failure('heartbeat', error)

    # --- taking and running

    def _take_loop(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            with self._lock:
                while len(self._running) >= self.threads and not self._stopping.is_set():
                    self._lock.wait()
                free = self.threads - len(self._running)
            if self._stopping.is_set():
                return
            try:
                leases = self.queue.take(self.consumer, free, wait=self.poll)
                failures = 0
            except Exception as error:
                failures += 1
                self._log_failure('take', error)
                self._stopping.wait(_backoff(failures, MAX_BACKOFF))
                continue
            for lease in leases:
                with self._lock:
                    stopping = self._stopping.is_set()
                    if not stopping:
                        self._running[id(lease)] = lease
                if stopping:
                    # taken while stopping: back to the queue, for whoever runs next
                    self._safely(lambda lease=lease: self.queue.release(lease, started=False), 'release')
                else:
                    self._pool.submit(lambda lease=lease: self._run(lease))

    def _run(self, lease: Lease) -> None:
        try:
            self._carry_out(lease)
        except LeaseLost:
            log.warning('task %s stopped: another worker took it over', lease.id)
        except Exception:
            log.exception('task %s: unexpected failure', lease.id)
        finally:
            with self._lock:
                self._running.pop(id(lease), None)
                self._long.discard(id(lease))
                self._lock.notify_all()

    def _unreadable(self, lease: Lease, error: UnreadableTask, why: str) -> None:
        """A task this version cannot read, or whose content it does not know, is set aside at once."""
        log.error('task %s (%s) %s, set aside: %s', lease.id, lease.entry.kind, why, error)
        reason = f'unreadable: {error}'
        self._settle(lambda: self.queue.dead_letter(lease, reason))

    def _carry_out(self, lease: Lease) -> None:
        try:
            task = Task.from_json(lease.entry.body)
        except UnreadableTask as error:
            self._unreadable(lease, error, 'cannot be read')
            return
        try:
            if lease.attempts > self.max_attempts:
                self._set_aside(lease, task, lease.reason or f'started {lease.attempts - 1} times', started=False)
                return
            if lease.state == REPLIED:
                log.info('task %s taken over after its reply: finished', task.id)
            elif lease.state == ACTING and not self.runner.repeatable(task):
                log.warning('task %s taken over while acting: outcome unknown, not repeated', task.id)
                with Journal(self.queue, lease).active():
                    self.runner.unknown_outcome(task)
            else:
                if lease.attempts > 1:
                    log.info('task %s started again (attempt %d)', task.id, lease.attempts)
                with Journal(self.queue, lease).active():
                    self.runner.run(task)
        except LeaseLost:
            raise
        except UnreadableTask as error:
            self._unreadable(lease, error, 'cannot be carried out')
            return
        except Exception as error:
            reason = f'{type(error).__name__}: {error}'[:300]
            log.exception('task %s failed (attempt %d)', task.id, lease.attempts)
            if lease.attempts >= self.max_attempts:
                self._set_aside(lease, task, reason)
            else:
                self._settle(lambda: self.queue.release(lease, reason))
            return
        self._settle(lambda: self.queue.finish(lease))
        if task.accepted:
            self.metrics.command_done(time.time() - task.accepted)

    def _set_aside(self, lease: Lease, task: Task, reason: str, started: bool = True) -> None:
        attempts = lease.attempts if started else lease.attempts - 1
        log.error('task %s set aside after %d attempts: %s', task.id, attempts, reason)
        self._settle(lambda: self.queue.dead_letter(lease, reason, started))
        self._safely(lambda: self.runner.set_aside(task), 'set aside')

    def _settle(self, change: Callable[[], None]) -> None:
        """
        End a task in the store (finish, give back, set aside), trying again while the store is unavailable, for up to
        :data:`SETTLE_FOR` seconds: a task left held by a live worker would hold its person's next tasks up.
        """
        deadline, failures = time.monotonic() + SETTLE_FOR, 0
        while True:
            try:
                change()
                return
            except LeaseLost:
                raise
            except Exception as error:
                failures += 1
                self._log_failure('ending a task', error)
                if time.monotonic() > deadline:
                    log.error('queue: a task could not be ended; it is taken over once this worker is gone')
                    return
                time.sleep(_backoff(failures, MAX_BACKOFF))

    @staticmethod
    def _log_failure(what: str, error: Exception) -> None:
        message = getattr(error, 'log_message', None)
        if message:
            log.warning('queue: %s: %s', what, message)
        else:
            log.error('queue: %s failed: %s: %s', what, type(error).__name__, error, exc_info=error)

    def _safely(self, work: Callable[[], T], what: str) -> Optional[T]:
        """The work's result, or ``None`` when it failed (logged)."""
        try:
            return work()
        except LeaseLost:
            return None
        except Exception as error:
            self._log_failure(what, error)
            return None
