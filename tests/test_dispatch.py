"""
The in-process dispatcher: bounded threads, one task at a time per key, order kept, bounded drain, and no
thread left behind.
"""
import itertools
import threading
import time
from collections.abc import Callable

import pytest

from wxc_cc.dispatch import Dispatcher
from wxc_cc.tasks import Task

pytestmark = pytest.mark.unit


class Work:
    """Tasks whose work is a function of the test; the dispatcher runs them through :meth:`run`."""

    def __init__(self):
        self.actions: dict[str, Callable[[], object]] = {}
        self._ids = itertools.count(1)

    def run(self, task: Task) -> None:
        self.actions.pop(task.id)()

    def task(self, key: str, action: Callable[[], object]) -> Task:
        task = Task(kind='test', key=key, id=f'task:{next(self._ids)}')
        self.actions[task.id] = action
        return task


def test_tasks_of_one_key_run_in_order_one_at_a_time():
    work = Work()
    dispatcher = Dispatcher(work.run, workers=4)
    log: list[tuple[str, int]] = []
    running = {'alice': 0}
    overlap = []

    def task(i: int):
        def run():
            running['alice'] += 1
            overlap.append(running['alice'])
            time.sleep(0.01)  # work that takes a while: time for another task to overlap, if it could
            log.append(('alice', i))
            running['alice'] -= 1
        return run

    for i in range(10):
        assert dispatcher.submit(work.task('alice', task(i)))
    assert dispatcher.wait_idle(5)
    assert log == [('alice', i) for i in range(10)]
    assert max(overlap) == 1
    assert dispatcher.drain(5) and dispatcher.threads_alive() == 0


def test_a_slow_user_does_not_stall_the_others():
    work = Work()
    dispatcher = Dispatcher(work.run, workers=2)
    release = threading.Event()
    served = {name: threading.Event() for name in ('bob', 'carol', 'dave')}
    for _ in range(5):
        dispatcher.submit(work.task('slow', lambda: release.wait(5)))
    for name, event in served.items():
        dispatcher.submit(work.task(name, event.set))
    assert all(event.wait(5) for event in served.values()), 'others served while the slow user holds one thread'
    release.set()
    assert dispatcher.wait_idle(5)
    assert dispatcher.drain(5) and dispatcher.threads_alive() == 0


def test_threads_are_bounded():
    work = Work()
    dispatcher = Dispatcher(work.run, workers=3)
    gate = threading.Event()
    for i in range(20):
        dispatcher.submit(work.task(f'user{i}', lambda: gate.wait(5)))
    assert len(dispatcher._threads) == 3
    assert dispatcher.pending == 20
    gate.set()
    assert dispatcher.wait_idle(5)
    assert dispatcher.drain(5) and dispatcher.threads_alive() == 0


def test_a_flooding_user_is_refused_beyond_the_limit():
    work = Work()
    dispatcher = Dispatcher(work.run, workers=1, max_pending_per_key=3)
    started, gate = threading.Event(), threading.Event()
    assert dispatcher.submit(work.task('flood', lambda: started.set() or gate.wait(5)))
    assert started.wait(5)
    accepted = [dispatcher.submit(work.task('flood', lambda: gate.wait(5))) for _ in range(5)]
    assert accepted == [True] * 3 + [False] * 2
    assert dispatcher.submit(work.task('other', lambda: None))
    gate.set()
    assert dispatcher.wait_idle(5)
    assert dispatcher.drain(5)


def test_exceptions_are_logged_and_the_pool_goes_on(caplog):
    work = Work()
    dispatcher = Dispatcher(work.run, workers=1)
    done = []
    dispatcher.submit(work.task('a', lambda: 1 / 0))
    dispatcher.submit(work.task('a', lambda: done.append(1)))
    assert dispatcher.wait_idle(5)
    assert done == [1] and 'task task:1 for a failed' in caplog.text
    assert dispatcher.drain(5)


def test_drain_finishes_work_and_refuses_new():
    work = Work()
    dispatcher = Dispatcher(work.run, workers=2)
    done = []
    for i in range(4):  # work that takes a while: still running when the drain begins
        dispatcher.submit(work.task(f'u{i}', lambda i=i: (time.sleep(0.05), done.append(i))))
    assert dispatcher.drain(5) is True
    assert sorted(done) == [0, 1, 2, 3]
    assert dispatcher.submit(work.task('late', lambda: None)) is False
    assert dispatcher.threads_alive() == 0, 'the idle workers ended'


def test_drain_is_bounded():
    work = Work()
    dispatcher = Dispatcher(work.run, workers=1)
    gate = threading.Event()
    dispatcher.submit(work.task('stuck', lambda: gate.wait(10)))
    start = time.monotonic()
    assert dispatcher.drain(0.2) is False
    assert time.monotonic() - start < 1
    gate.set()
