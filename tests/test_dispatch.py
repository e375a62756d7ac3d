"""
The dispatcher: bounded threads, one task at a time per key, order kept, bounded drain.
"""
import threading
import time

from wxc_cc.dispatch import Dispatcher


def test_tasks_of_one_key_run_in_order_one_at_a_time():
    dispatcher = Dispatcher(workers=4)
    log: list[tuple[str, int]] = []
    running = {'alice': 0}
    overlap = []

    def task(i: int):
        def run():
            running['alice'] += 1
            overlap.append(running['alice'])
            time.sleep(0.01)
            log.append(('alice', i))
            running['alice'] -= 1
        return run

    for i in range(10):
        assert dispatcher.submit('alice', task(i))
    assert dispatcher.wait_idle(5)
    assert log == [('alice', i) for i in range(10)]
    assert max(overlap) == 1


def test_a_slow_user_does_not_stall_the_others():
    dispatcher = Dispatcher(workers=2)
    release = threading.Event()
    done = []
    for _ in range(5):
        dispatcher.submit('slow', lambda: release.wait(5))
    for name in ('bob', 'carol', 'dave'):
        dispatcher.submit(name, lambda name=name: done.append(name))
    deadline = time.monotonic() + 5
    while len(done) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(done) == ['bob', 'carol', 'dave'], 'others served while the slow user holds one thread'
    release.set()
    assert dispatcher.wait_idle(5)


def test_threads_are_bounded():
    dispatcher = Dispatcher(workers=3)
    gate = threading.Event()
    for i in range(20):
        dispatcher.submit(f'user{i}', lambda: gate.wait(5))
    assert len(dispatcher._threads) == 3
    assert dispatcher.pending == 20
    gate.set()
    assert dispatcher.wait_idle(5)


def test_a_flooding_user_is_refused_beyond_the_limit():
    dispatcher = Dispatcher(workers=1, max_pending_per_key=3)
    gate = threading.Event()
    accepted = [dispatcher.submit('flood', lambda: gate.wait(5)) for _ in range(6)]
    assert accepted.count(True) in (3, 4)  # the first may already be running
    assert dispatcher.submit('other', lambda: None)
    gate.set()
    assert dispatcher.wait_idle(5)


def test_exceptions_are_logged_and_the_pool_goes_on(caplog):
    dispatcher = Dispatcher(workers=1)
    done = []
    dispatcher.submit('a', lambda: 1 / 0)
    dispatcher.submit('a', lambda: done.append(1))
    assert dispatcher.wait_idle(5)
    assert done == [1] and 'task for a failed' in caplog.text


def test_drain_finishes_work_and_refuses_new():
    dispatcher = Dispatcher(workers=2)
    done = []
    for i in range(4):
        dispatcher.submit(f'u{i}', lambda i=i: (time.sleep(0.05), done.append(i)))
    assert dispatcher.drain(5) is True
    assert sorted(done) == [0, 1, 2, 3]
    assert dispatcher.submit('late', lambda: None) is False


def test_drain_is_bounded():
    dispatcher = Dispatcher(workers=1)
    gate = threading.Event()
    dispatcher.submit('stuck', lambda: gate.wait(10))
    start = time.monotonic()
    assert dispatcher.drain(0.2) is False
    assert time.monotonic() - start < 1
    gate.set()
