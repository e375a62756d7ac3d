"""
The durable work queue, in SQLite beside the token file and in real Redis (Streams), against the same contract:
durable, in order per person and parallel across people, taken over when a worker stops renewing its lease, a
journal that survives the worker, poison set aside; then the workers of one process on top of it.
"""
import threading
import time
from pathlib import Path

import pytest

from wxc_cc.stores.queue import ACTING, REPLIED, WorkQueue
from wxc_cc.stores.redis_client import KeySpace
from wxc_cc.stores.redis_queue import RedisWorkQueue
from wxc_cc.stores.sqlite import SQLiteDatabase
from wxc_cc.stores.sqlite_queue import SQLiteWorkQueue
from wxc_cc.tasks import Task
from wxc_cc.worker import QueueWorker

pytestmark = pytest.mark.unit

#: seconds after which a lease lapses in these tests
CLAIM_AFTER = 0.5


@pytest.fixture(params=['sqlite', 'redis'])
def make_queue(request: pytest.FixtureRequest, tmp_path: Path):
    """Builds queues sharing one backend, like the workers of one deployment (or a process restarted)."""
    def make(claim_after: float = CLAIM_AFTER) -> WorkQueue:
        if request.param == 'sqlite':
            return SQLiteWorkQueue(SQLiteDatabase(tmp_path / 'wxc_cc_bot.db', durable=True), claim_after)
        return RedisWorkQueue(KeySpace(request.getfixturevalue('redis_client')), claim_after)
    return make


def task(key: str, number: int, created: float = 0.0) -> Task:
    return Task(kind='message', key=key, id=f'message:{key}-{number}', created=created or number,
                notification={'resource': 'messages', 'event': 'created', 'data': {}})


def ids(leases) -> list[str]:
    return [lease.task.id for lease in leases]


def test_a_task_put_is_kept_and_taken_once(make_queue):
    make_queue().put(task('alice', 1))
    restarted, other = make_queue(), make_queue()
    [lease] = restarted.take('w1', 10)
    assert (lease.task, lease.attempts, lease.state) == (task('alice', 1), 1, None)
    assert other.take('w2', 10) == [], 'one worker holds it'
    assert restarted.depth() == 1
    restarted.finish(lease)
    assert other.take('w2', 10) == [] and other.depth() == 0


def test_one_key_in_order_keys_in_parallel(make_queue):
    queue = make_queue()
    for item in (task('alice', 1), task('alice', 2), task('bob', 1), task('alice', 3)):
        queue.put(item)
    first = queue.take('w1', 10)
    assert sorted(ids(first)) == ['message:alice-1', 'message:bob-1'], "alice's second waits for her first"
    assert make_queue().take('w2', 10) == []
    queue.finish(next(lease for lease in first if lease.key == 'alice'))
    # whoever holds it now runs it (with Redis, the worker the stream gave it to; others after its lease lapses)
    assert ids(queue.take('w1', 10)) == ['message:alice-2']


def test_order_is_webex_time_not_arrival(make_queue):
    queue = make_queue()
    queue.put(task('alice', 2, created=200))
    queue.put(task('alice', 1, created=100))
    [lease] = queue.take('w1', 10)
    assert lease.task.id == 'message:alice-1'


def test_a_worker_that_stops_renewing_is_taken_over_with_its_journal(make_queue):
    queue = make_queue()
    queue.put(task('alice', 1))
    [lease] = queue.take('dead', 10)
    queue.record(lease, ACTING)
    survivor = make_queue()
    assert survivor.take('alive', 10) == [], 'not before its lease lapsed'
    time.sleep(CLAIM_AFTER + 0.2)  # real time must pass for the lease to lapse
    [taken] = survivor.take('alive', 10)
    assert (taken.task.id, taken.attempts, taken.state) == ('message:alice-1', 2, ACTING)


def test_a_renewed_lease_is_kept(make_queue):
    queue = make_queue()
    queue.put(task('alice', 1))
    [lease] = queue.take('w1', 10)
    other = make_queue()
    for _ in range(3):
        time.sleep(CLAIM_AFTER / 2)
        queue.renew('w1', [lease])
        assert other.take('w2', 10) == []
    queue.record(lease, REPLIED)
    queue.finish(lease)
    assert other.depth() == 0


def test_a_released_task_is_taken_again_at_once_with_its_reason(make_queue):
    queue = make_queue(claim_after=60)
    queue.put(task('alice', 1))
    queue.put(task('alice', 2))
    [lease] = queue.take('w1', 10)
    queue.release(lease, 'ValueError: boom')
    [again] = make_queue(claim_after=60).take('w2', 10)
    assert (again.task.id, again.attempts, again.reason) == ('message:alice-1', 2, 'ValueError: boom')


def test_a_task_set_aside_frees_its_key(make_queue):
    queue = make_queue()
    queue.put(task('alice', 1))
    queue.put(task('alice', 2))
    [lease] = queue.take('w1', 10)
    queue.dead_letter(lease, 'RuntimeError: poison')
    assert ids(queue.take('w1', 10)) == ['message:alice-2']
    [dead] = queue.dead_letters()
    assert (dead['key'], dead['kind'], dead['attempts'], dead['reason']) == ('alice', 'message', 1,
                                                                           'RuntimeError: poison')
    assert queue.depth() == 1, 'the second, running'


def test_many_workers_take_each_task_once(make_queue):
    """Eight workers on their own connections race for 40 tasks of 8 people: each task runs once, in order."""
    queue = make_queue(claim_after=30)
    for number in range(40):
        queue.put(task(f'person-{number % 8}', number))
    done: list[str] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        mine = make_queue(claim_after=30)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and mine.depth():
            for lease in mine.take(name, 2, wait=0.05):
                with lock:
                    done.append(lease.task.id)
                mine.finish(lease)

    threads = [threading.Thread(target=work, args=(f'w{n}',)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(done) == sorted(task(f'person-{n % 8}', n).id for n in range(40)), 'each once'
    for person in range(8):
        mine = [int(item.rsplit('-', 1)[1]) for item in done if item.startswith(f'message:person-{person}-')]
        assert mine == sorted(mine), f"person-{person}'s tasks in order"


# --- the workers of one process

class Runner:
    """Stands in for the bot's TaskRunner: records what it ran, can hold a person's task or fail."""

    def __init__(self):
        self.ran: list[str] = []
        self.gate = threading.Event()
        self.gate.set()
        self.started = threading.Event()
        self.fail: set[str] = set()
        self.told: list[tuple[str, str]] = []
        self.lock = threading.Condition()

    def run(self, item: Task) -> None:
        self.started.set()
        if item.key == 'slow':
            self.gate.wait(10)
        if item.id in self.fail:
            raise RuntimeError('poison')
        with self.lock:
            self.ran.append(item.id)
            self.lock.notify_all()

    def wait_ran(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until ``count`` tasks have run."""
        with self.lock:
            return self.lock.wait_for(lambda: len(self.ran) >= count, timeout)

    def unknown_outcome(self, item: Task) -> None:
        self.told.append(('unknown', item.id))

    def set_aside(self, item: Task) -> None:
        self.told.append(('set aside', item.id))


def worker(queue: WorkQueue, runner: Runner, threads: int = 4) -> QueueWorker:
    started = QueueWorker(queue=queue, runner=runner, threads=threads, poll=0.05)
    started.start()
    return started


def test_the_workers_run_every_task_and_stop_cleanly(make_queue):
    queue, runner = make_queue(), Runner()
    for number in range(10):
        queue.put(task('alice', number + 1))
    running = worker(queue, runner)
    assert running.wait_idle(10)
    assert runner.ran == [f'message:alice-{n}' for n in range(1, 11)], 'in order'
    assert running.stop(5) and running.threads_alive() == 0


def test_a_slow_person_does_not_stall_the_others(make_queue):
    queue, runner = make_queue(claim_after=30), Runner()
    runner.gate.clear()
    queue.put(task('slow', 1))
    for name in ('bob', 'carol', 'dave'):
        queue.put(task(name, 1))
    running = worker(queue, runner, threads=2)
    assert runner.wait_ran(3)
    assert sorted(runner.ran) == ['message:bob-1', 'message:carol-1', 'message:dave-1']
    runner.gate.set()
    assert running.wait_idle(5)
    assert running.stop(5)


def test_a_poison_task_is_set_aside_after_three_attempts_and_blocks_nothing(make_queue):
    queue, runner = make_queue(claim_after=30), Runner()
    runner.fail.add('message:alice-1')
    queue.put(task('alice', 1))
    queue.put(task('alice', 2))
    running = worker(queue, runner)
    assert running.wait_idle(10)
    assert runner.ran == ['message:alice-2'], 'her next command ran'
    assert runner.told == [('set aside', 'message:alice-1')], 'she is told once'
    [dead] = queue.dead_letters()
    assert (dead['id'], dead['attempts'], dead['reason']) == ('message:alice-1', 3, 'RuntimeError: poison')
    assert running.stop(5)


def test_a_task_taken_over_while_acting_is_not_repeated(make_queue):
    queue, runner = make_queue(), Runner()
    queue.put(task('alice', 1))
    [lease] = queue.take('died', 1)
    queue.record(lease, ACTING)
    queue.put(task('bob', 1))
    [lease_bob] = queue.take('died', 1)
    queue.record(lease_bob, REPLIED)
    running = worker(queue, runner)
    assert running.wait_idle(10)
    assert runner.ran == [], 'neither is run again'
    assert runner.told == [('unknown', 'message:alice-1')], 'bob had his reply; alice hears the outcome is unknown'
    assert running.stop(5)


def test_stopping_leaves_a_running_task_to_be_taken_over(make_queue):
    """A task still running when the drain time is up may still act: it is taken over only when its lease lapses."""
    queue, runner = make_queue(), Runner()
    runner.gate.clear()
    queue.put(task('slow', 1))
    running = worker(queue, runner)
    assert runner.started.wait(5)
    assert running.stop(0.2) is False
    other = make_queue()
    assert other.take('next', 10) == [], 'not while its worker may still act'
    time.sleep(CLAIM_AFTER + 0.2)  # real time must pass for the lease to lapse
    [taken] = other.take('next', 10)
    assert (taken.task.id, taken.attempts) == ('message:slow-1', 2)
    runner.gate.set()


def test_stopping_gives_back_at_once_what_was_not_started(make_queue):
    queue, runner = make_queue(claim_after=30), Runner()
    runner.gate.clear()
    queue.put(task('slow', 1))
    queue.put(task('slow', 2))
    running = worker(queue, runner, threads=2)
    assert runner.started.wait(5)
    time.sleep(0.2)  # the worker looks at the queue again meanwhile, and holds the second task (Redis)
    assert running.stop(0.1) is False
    runner.gate.set()
    deadline = time.monotonic() + 5
    while queue.depth() > 1 and time.monotonic() < deadline:  # the store offers nothing to wait on
        time.sleep(0.02)
    [taken] = make_queue(claim_after=30).take('next', 10)
    assert taken.task.id == 'message:slow-2', 'the second, never started, at once'
