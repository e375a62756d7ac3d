"""
The durable work queue, in SQLite beside the token file and in real Redis, against the same contract: durable, once
per notification, in order per person and parallel across people, entries due later, liveness by heartbeat, fencing,
a journal that survives the worker, set aside rather than lost; then the workers of one process on top of it.
"""
import json
import threading
import time
from pathlib import Path

import pytest
import redis

from wxc_cc.journal import ACTING, REPLIED, acting, repeated, replied
from wxc_cc.stores.file_locks import LifeMarks
from wxc_cc.stores.queue import Entry, LeaseLost, WorkQueue
from wxc_cc.stores.redis_client import KeySpace
from wxc_cc.stores.redis_queue import RedisWorkQueue
from wxc_cc.stores.sqlite import SQLiteDatabase
from wxc_cc.stores.sqlite_queue import SQLiteWorkQueue
from wxc_cc.task import Task
from wxc_cc.worker import QueueWorker

pytestmark = pytest.mark.unit

#: a heartbeat's lifetime in these tests, seconds
LIFETIME = 3.0


class Clock:
    """The queues' clock: real time plus what a test adds."""

    def __init__(self):
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


class Backend:
    """Queues of one backend sharing one store, like the workers of a deployment (or a process restarted)."""

    def __init__(self, kind: str, tmp_path: Path, redis_client=None):
        self.kind, self.tmp_path, self.redis = kind, tmp_path, redis_client
        self.clock = Clock()

    def queue(self, lifetime: float = LIFETIME) -> WorkQueue:
        """A queue of another process (its own connections, its own life marks)."""
        if self.kind == 'sqlite':
            return SQLiteWorkQueue(SQLiteDatabase(self.tmp_path / 'wxc_cc_bot.db', durable=True),
                                   LifeMarks(self.tmp_path / 'workers'), lifetime, clock=self.clock)
        return RedisWorkQueue(KeySpace(self.redis), lifetime, clock=self.clock)

    def die(self, queue: WorkQueue, consumer: str) -> None:
        """``consumer``'s process dies: its life mark is released (file store), its heartbeat key lapses (Redis)."""
        if self.kind == 'sqlite':
            queue.marks.unmark(consumer)
        else:
            self.redis.delete(f'wxc_cc_bot:work:hb:{consumer}')


@pytest.fixture(params=['sqlite', 'redis'])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    return Backend(request.param, tmp_path, request.getfixturevalue('redis_client') if request.param == 'redis'
                   else None)


def task(key: str, number: int, created: float = 0.0, kind: str = 'message') -> Task:
    return Task(kind=kind, key=key, id=f'{kind}:{key}-{number}', created=created or number,
                notification={'resource': 'messages', 'event': 'created', 'data': {}})


def put(queue: WorkQueue, *tasks: Task) -> None:
    for item in tasks:
        assert queue.put(item.entry())


def joined(queue: WorkQueue, consumer: str) -> WorkQueue:
    """A queue whose ``consumer`` has its first heartbeat, as a worker's start gives it."""
    queue.beat(consumer)
    return queue


def ids(leases) -> list[str]:
    return [lease.id for lease in leases]


def take_all(queue: WorkQueue, consumer: str, limit: int = 10) -> list:
    """Everything ``consumer`` can take now (Redis hands out one offer per take)."""
    taken = []
    while len(taken) < limit and (more := queue.take(consumer, limit - len(taken))):
        taken += more
    return taken


# --- the queue's contract

def test_an_entry_put_is_kept_and_taken_once(backend):
    put(backend.queue(), task('alice', 1))
    restarted, other = joined(backend.queue(), 'w1'), joined(backend.queue(), 'w2')
    [lease] = restarted.take('w1', 10)
    assert (Task.from_json(lease.entry.body), lease.attempts, lease.state) == (task('alice', 1), 1, None)
    assert other.take('w2', 10) == [], 'one worker holds it'
    assert restarted.depth() == 1
    restarted.finish(lease)
    assert other.take('w2', 10) == [] and other.depth() == 0


def test_the_same_notification_is_queued_once(backend):
    queue = backend.queue()
    assert queue.put(task('alice', 1).entry()) is True
    assert backend.queue().put(task('alice', 1).entry()) is False, 'delivered again, or to another instance'
    assert queue.depth() == 1


def test_one_key_in_order_keys_in_parallel(backend):
    queue = joined(backend.queue(), 'w1')
    put(queue, task('alice', 1), task('alice', 2), task('bob', 1), task('alice', 3))
    first = take_all(queue, 'w1')
    assert sorted(ids(first)) == ['message:alice-1', 'message:bob-1'], "alice's second waits for her first"
    assert joined(backend.queue(), 'w2').take('w2', 10) == []
    queue.finish(next(lease for lease in first if lease.key == 'alice'))
    assert ids(take_all(joined(backend.queue(), 'w3'), 'w3')) == ['message:alice-2'], 'any worker runs it next'


def test_order_is_webex_time_not_arrival(backend):
    queue = joined(backend.queue(), 'w1')
    put(queue, task('alice', 2, created=200), task('alice', 1, created=100))
    [lease] = queue.take('w1', 10)
    assert lease.id == 'message:alice-1'


def test_an_entry_due_later_waits_without_holding_its_key_up(backend):
    queue = joined(backend.queue(), 'w1')
    now = backend.clock()
    later = Task(kind='message', key='alice', id='message:later', created=now + 60)
    put(queue, later, task('alice', 1, created=now - 1))
    [lease] = take_all(queue, 'w1')
    assert lease.id == 'message:alice-1', 'the entry due now runs; the later one does not hold it up'
    queue.finish(lease)
    assert take_all(queue, 'w1') == [], 'not before it is due'
    assert queue.depth() == 1
    backend.clock.offset = 61
    queue.beat('w1')  # the heartbeat (or a take, in the file store) finds what has become due
    assert ids(take_all(queue, 'w1')) == ['message:later']


def test_a_dead_workers_entry_is_taken_over_at_once_with_its_journal(backend):
    queue = joined(backend.queue(), 'dead')
    put(queue, task('alice', 1))
    [lease] = queue.take('dead', 10)
    queue.record(lease, ACTING)
    survivor = joined(backend.queue(), 'alive')
    assert survivor.take('alive', 10) == [], 'not while its worker lives'
    backend.die(queue, 'dead')
    assert survivor.beat('alive') == (1 if backend.kind == 'redis' else 1)
    [taken] = take_all(survivor, 'alive')
    assert (taken.id, taken.attempts, taken.state) == ('message:alice-1', 2, ACTING)


def test_a_live_workers_entry_is_never_taken_over(backend):
    """Three heartbeat lifetimes of a task on a live worker: nobody takes it (the heartbeats are real time)."""
    lifetime = 0.5
    queue = joined(backend.queue(lifetime), 'busy')
    put(queue, task('alice', 1))
    [lease] = queue.take('busy', 10)
    other = joined(backend.queue(lifetime), 'idle')
    deadline = time.monotonic() + 3 * lifetime
    while time.monotonic() < deadline:
        time.sleep(lifetime / 3)
        queue.beat('busy')
        other.beat('idle')
        assert other.take('idle', 10) == []
    queue.finish(lease)
    assert other.depth() == 0


def test_a_stale_holder_changes_nothing(backend):
    """After a takeover, the old holder's journal, finish, release and dead letter are refused; the new one's stand."""
    old = joined(backend.queue(), 'old')
    put(old, task('alice', 1), task('alice', 2))
    [stale] = old.take('old', 10)
    backend.die(old, 'old')
    new = joined(backend.queue(), 'new')
    new.beat('new')
    [current] = take_all(new, 'new')
    assert current.id == stale.id and current.fence != stale.fence
    new.record(current, ACTING)
    for change in (lambda: old.record(stale, REPLIED), lambda: old.finish(stale),
                   lambda: old.release(stale, 'boom'), lambda: old.dead_letter(stale, 'boom')):
        with pytest.raises(LeaseLost):
            change()
    assert new.depth() == 2 and new.dead_letters() == []
    new.finish(current)
    [following] = take_all(new, 'new')
    assert following.id == 'message:alice-2', "the new holder's finish let alice's next run"


def test_a_released_entry_is_taken_again_at_once_with_its_reason(backend):
    queue = joined(backend.queue(), 'w1')
    put(queue, task('alice', 1), task('alice', 2))
    [lease] = queue.take('w1', 10)
    queue.release(lease, 'ValueError: boom')
    [again] = joined(backend.queue(), 'w2').take('w2', 10)
    assert (again.id, again.attempts, again.reason) == ('message:alice-1', 2, 'ValueError: boom')


def test_an_entry_given_back_unstarted_keeps_its_attempts_and_a_pending_reply(backend):
    queue = joined(backend.queue(), 'w1')
    put(queue, task('alice', 1))
    [lease] = queue.take('w1', 10)
    queue.release(lease, started=False)
    [again] = queue.take('w1', 10)
    assert again.attempts == 1, 'an entry never started did not count'
    again.pending_state = REPLIED
    queue.release(again, 'OSError: lost')
    [third] = queue.take('w1', 10)
    assert (third.attempts, third.state) == (2, REPLIED), 'the reply noted before the failure is kept'


def test_an_entry_set_aside_frees_its_key(backend):
    queue = joined(backend.queue(), 'w1')
    put(queue, task('alice', 1), task('alice', 2))
    [lease] = queue.take('w1', 10)
    queue.dead_letter(lease, 'RuntimeError: poison')
    assert ids(take_all(queue, 'w1')) == ['message:alice-2']
    [dead] = queue.dead_letters()
    assert dead == {'id': 'message:alice-1', 'key': 'alice', 'kind': 'message', 'attempts': 1,
                    'reason': 'RuntimeError: poison'}
    assert queue.depth() == 1, 'the second, running'


def test_leaving_hands_back_at_once_what_was_not_started(backend):
    queue = joined(backend.queue(), 'w1')
    put(queue, task('alice', 1))
    [lease] = queue.take('w1', 10)
    queue.leave('w1')
    [again] = joined(backend.queue(), 'w2').take('w2', 10)
    assert (again.id, again.attempts) == ('message:alice-1', 1)


def test_long_running_entries_are_listed(backend):
    queue = joined(backend.queue(), 'w1')
    put(queue, task('alice', 1))
    [lease] = queue.take('w1', 10)
    assert queue.long_running() == []
    lease.since -= 400
    if backend.kind == 'sqlite':
        backend.clock.offset = 400
    queue.beat('w1', (lease,))
    [long] = backend.queue().long_running()
    assert (long['id'], long['key'], long['kind'], long['consumer']) == ('message:alice-1', 'alice', 'message', 'w1')
    assert long['seconds'] >= 400


def test_many_workers_take_each_entry_once(backend):
    """Eight workers on their own connections race for 40 entries of 8 people: each runs once, in order."""
    put(backend.queue(), *(task(f'person-{number % 8}', number) for number in range(40)))
    done: list[str] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        mine = joined(backend.queue(), name)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and mine.depth():
            for lease in mine.take(name, 2, wait=0.05):
                with lock:
                    done.append(lease.id)
                mine.finish(lease)

    threads = [threading.Thread(target=work, args=(f'w{n}',)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(done) == sorted(task(f'person-{n % 8}', n).id for n in range(40)), 'each once'
    for person in range(8):
        mine = [int(item.rsplit('-', 1)[1]) for item in done if item.startswith(f'message:person-{person}-')]
        assert mine == sorted(mine), f"person-{person}'s entries in order"


def test_a_wait_ends_when_woken(backend):
    queue = joined(backend.queue(), 'w1')
    taken: list = []
    thread = threading.Thread(target=lambda: taken.extend(queue.take('w1', 1, wait=30)))
    thread.start()
    deadline = time.monotonic() + 5
    while thread.is_alive() and time.monotonic() < deadline:
        queue.wake('w1')
        thread.join(0.05)
    assert not thread.is_alive() and taken == [], 'a stopping worker does not wait out its poll'


# --- the workers of one process

class Runner:
    """Stands in for the bot's TaskRunner: records what it ran, can hold a person's task, act, or fail."""

    def __init__(self):
        self.ran: list[str] = []
        self.acted: list[str] = []
        self.gate = threading.Event()
        self.gate.set()
        self.started = threading.Event()
        self.fail: set[str] = set()
        self.told: list[tuple[str, str]] = []
        self.lock = threading.Condition()

    def run(self, item: Task) -> None:
        self.started.set()
        if item.kind == 'end' and repeated():
            self.told.append(('repeated', item.id))
        if item.key == 'slow':
            self.gate.wait(10)
        if item.id in self.fail:
            raise RuntimeError('poison')
        if item.kind == 'press':  # a task that changes something at Webex, then replies
            acting()
            self.acted.append(item.id)
            replied()
        with self.lock:
            self.ran.append(item.id)
            self.lock.notify_all()

    def wait_ran(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until ``count`` tasks have run."""
        with self.lock:
            return self.lock.wait_for(lambda: len(self.ran) >= count, timeout)

    def repeatable(self, item: Task) -> bool:
        """A setting's end reads before it writes: run again after a takeover."""
        return item.kind == 'end'

    def unknown_outcome(self, item: Task) -> None:
        self.told.append(('unknown', item.id))

    def set_aside(self, item: Task) -> None:
        self.told.append(('set aside', item.id))


def worker(queue: WorkQueue, runner: Runner, threads: int = 4, poll: float = 0.05) -> QueueWorker:
    started = QueueWorker(queue=queue, runner=runner, threads=threads, poll=poll)
    started.start()
    return started


def test_the_workers_run_every_task_and_an_idle_worker_stops_at_once(backend):
    queue, runner = backend.queue(), Runner()
    put(queue, *(task('alice', number + 1) for number in range(10)))
    running = worker(queue, runner, poll=60)
    assert running.wait_idle(10)
    assert runner.ran == [f'message:alice-{n}' for n in range(1, 11)], 'in order'
    assert running.alive()
    started = time.monotonic()
    assert running.stop(30) and running.threads_alive() == 0
    assert time.monotonic() - started < 5, 'woken, not waiting out its 60 s poll'
    assert not running.alive()


def test_a_slow_person_does_not_stall_the_others(backend):
    queue, runner = backend.queue(), Runner()
    runner.gate.clear()
    put(queue, task('slow', 1), *(task(name, 1) for name in ('bob', 'carol', 'dave')))
    running = worker(queue, runner, threads=2)
    assert runner.wait_ran(3)
    assert sorted(runner.ran) == ['message:bob-1', 'message:carol-1', 'message:dave-1']
    runner.gate.set()
    assert running.wait_idle(5)
    assert running.stop(5)


def test_a_poison_task_is_set_aside_after_three_attempts_and_blocks_nothing(backend):
    queue, runner = backend.queue(), Runner()
    runner.fail.add('message:alice-1')
    put(queue, task('alice', 1), task('alice', 2))
    running = worker(queue, runner)
    assert running.wait_idle(10)
    assert runner.ran == ['message:alice-2'], 'her next command ran'
    assert runner.told == [('set aside', 'message:alice-1')], 'she is told once'
    [dead] = queue.dead_letters()
    assert (dead['id'], dead['attempts'], dead['reason']) == ('message:alice-1', 3, 'RuntimeError: poison')
    assert running.stop(5)


def test_unreadable_records_are_set_aside_at_once_and_the_rest_served(backend):
    """A record with a field this version does not know, and one that is not JSON: set aside with the reason."""
    queue, runner = backend.queue(), Runner()
    record = json.loads(task('alice', 1).to_json())
    newer = {**json.loads(task('alice', 3).to_json()), 'v': 99, 'colour': 'blue'}
    for entry in (Entry('message:alice-1', 'alice', 'message', 1, json.dumps({**record, 'colour': 'blue'})),
                  Entry('message:alice-2', 'alice', 'message', 2, '{"kind": "message", "key"'),
                  Entry('message:alice-3', 'alice', 'message', 3, json.dumps(newer)),
                  task('bob', 1).entry()):
        assert queue.put(entry)
    running = worker(queue, runner)
    assert running.wait_idle(10)
    assert sorted(runner.ran) == ['message:alice-3', 'message:bob-1'], "the next version's record is read"
    dead = {item['id']: (item['attempts'], item['reason']) for item in queue.dead_letters()}
    assert dead == {'message:alice-1': (1, 'unreadable: unknown fields in a version 2 record: colour'),
                    'message:alice-2': (1, 'unreadable: not JSON (JSONDecodeError)')}
    assert runner.told == [], 'nobody to tell: the record says nothing sure'
    assert running.stop(5)


def test_a_task_taken_over_while_acting_is_not_repeated(backend):
    queue, runner = backend.queue(), Runner()
    died = joined(backend.queue(), 'died')
    put(queue, task('alice', 1), task('bob', 1))
    for state in (ACTING, REPLIED):
        [lease] = died.take('died', 1)
        died.record(lease, state)
    backend.die(died, 'died')
    running = worker(queue, runner)
    assert running.wait_idle(10)
    assert runner.ran == [], 'neither is run again'
    assert runner.told == [('unknown', 'message:alice-1')], 'bob had his reply; alice hears the outcome is unknown'
    assert running.stop(5)


def test_a_repeatable_task_taken_over_while_acting_runs_again(backend):
    """A setting's end whose worker died while it wrote: run again, knowing it ran before, never "outcome unknown"."""
    queue, runner = backend.queue(), Runner()
    died = joined(backend.queue(), 'died')
    put(queue, Task(kind='end', key='alice', id='end:alice:dnd', created=1, due=1))
    [lease] = died.take('died', 1)
    died.record(lease, ACTING)
    backend.die(died, 'died')
    running = worker(queue, runner)
    assert running.wait_idle(10)
    assert runner.ran == ['end:alice:dnd'] and runner.told == [('repeated', 'end:alice:dnd')]
    assert queue.depth() == 0
    assert running.stop(5)


def test_a_worker_that_lost_its_task_does_not_act(backend, monkeypatch):
    """Its heartbeat lapsed while it held a task, another took it over: its next change at Webex is not made."""
    queue, runner = backend.queue(), Runner()
    runner.gate.clear()
    put(queue, task('slow', 1, kind='press'))
    running = worker(queue, runner)
    assert runner.started.wait(5)
    # a stalled process: it takes nothing and renews no heartbeat while it is taken for dead
    running.stop_taking()
    monkeypatch.setattr(running.queue, 'beat', lambda consumer, long_running=(): 0)
    backend.die(running.queue, running.consumer)
    if backend.kind == 'sqlite':
        backend.clock.offset = LIFETIME + 1  # its heartbeat row lapsed too
    thief = joined(backend.queue(), 'thief')
    [taken] = take_all(thief, 'thief')
    assert taken.id == 'press:slow-1'
    runner.gate.set()
    assert running.stop(5)
    assert runner.acted == [], 'the old holder stopped before acting'
    thief.finish(taken)


def test_a_task_running_three_heartbeat_lifetimes_on_a_live_worker_is_not_taken_over(backend):
    """Two workers; whichever takes the slow task runs it for three lifetimes of its heartbeat: it runs once."""
    lifetime, runner = 0.6, Runner()
    runner.gate.clear()
    workers = [worker(backend.queue(lifetime), runner) for _ in range(2)]
    put(workers[0].queue, task('slow', 1))
    assert runner.started.wait(10)
    time.sleep(3 * lifetime)  # real time: the heartbeats are
    runner.gate.set()
    assert runner.wait_ran(1)
    assert all(running.wait_idle(5) for running in workers)
    assert runner.ran == ['message:slow-1'], 'run once: never taken over while it ran'
    assert all(running.stop(5) for running in workers)


def test_stopping_leaves_a_running_task_to_be_taken_over(backend):
    """A task still running when the drain time is up may still act: taken over only once its worker is gone."""
    queue, runner = backend.queue(), Runner()
    runner.gate.clear()
    put(queue, task('slow', 1))
    running = worker(queue, runner)
    assert runner.started.wait(5)
    assert running.stop(0.2) is False
    other = joined(backend.queue(), 'next')
    assert take_all(other, 'next') == [], 'not while its worker may still act'
    backend.die(running.queue, running.consumer)
    other.beat('next')
    [taken] = take_all(other, 'next')
    assert (taken.id, taken.attempts) == ('message:slow-1', 2)
    runner.gate.set()


# --- what the previous version (26b0017) left in the store is carried over

def old_record(key: str, number: int) -> str:
    """A task as the previous version wrote it: no version, the same fields."""
    return json.dumps({'kind': 'message', 'key': key, 'id': f'message:{key}-{number}',
                       'notification': {'id': 'W', 'resource': 'messages', 'event': 'created', 'data': {},
                                        'actorId': None}, 'user_id': '', 'created': float(number),
                       'accepted': float(number)}, separators=(',', ':'))


def test_the_previous_versions_file_queue_is_carried_over(tmp_path):
    import sqlite3
    path = tmp_path / 'wxc_cc_bot.db'
    with sqlite3.connect(path) as old:  # the previous version's tables, as it made them
        old.execute('CREATE TABLE tasks (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, created REAL NOT '
                    'NULL, task TEXT NOT NULL, owner TEXT, lease_until REAL, attempts INTEGER NOT NULL DEFAULT 0, '
                    'state TEXT, reason TEXT NOT NULL DEFAULT \'\', dead INTEGER NOT NULL DEFAULT 0)')
        old.execute('CREATE TABLE seen (key TEXT PRIMARY KEY, expires REAL NOT NULL) WITHOUT ROWID')
        rows = [('alice', 1, old_record('alice', 1), 'old-worker', 1, 'acting', '', 0),
                ('alice', 2, old_record('alice', 2), None, 0, None, '', 0),
                ('bob', 1, old_record('bob', 1), None, 3, None, 'RuntimeError: poison', 1)]
        old.executemany('INSERT INTO tasks (key, created, task, owner, attempts, state, reason, dead) '
                        'VALUES (?, ?, ?, ?, ?, ?, ?, ?)', rows)
        old.execute('INSERT INTO seen VALUES (?, ?)', ('message:carol-1', time.time() + 3600))
    queue = SQLiteWorkQueue(SQLiteDatabase(path, durable=True), LifeMarks(tmp_path / 'workers'), LIFETIME)
    runner = Runner()
    running = worker(queue, runner)
    assert running.wait_idle(10)
    assert runner.told == [('unknown', 'message:alice-1')], 'its journal came along: not repeated'
    assert runner.ran == ['message:alice-2']
    assert [(dead['id'], dead['reason']) for dead in queue.dead_letters()] == [('message:bob-1',
                                                                                 'RuntimeError: poison')]
    assert queue.put(task('carol', 1).entry()) is False, 'what it had claimed stays claimed'
    assert running.stop(5)


def test_the_previous_versions_redis_queue_is_carried_over(redis_client):
    stream = 'wxc_cc_bot:queue'
    redis_client.xgroup_create(stream, 'workers', id='0', mkstream=True)
    for key, number in (('alice', 1), ('alice', 2), ('bob', 1)):
        redis_client.xadd(stream, {'task': old_record(key, number)})
    broken = redis_client.xadd(stream, {'task': '{"kind": "mess'})
    # a worker of the previous version took alice's first, began acting, and died
    [[_, [(taken, _)]]] = redis_client.xreadgroup('workers', 'old-worker', {stream: '>'}, count=1)
    redis_client.hset(f'wxc_cc_bot:queue:journal:{taken}', mapping={'attempts': 1, 'state': 'acting'})
    redis_client.xadd('wxc_cc_bot:queue:dead', {'id': 'message:dave-1', 'key': 'dave', 'kind': 'message',
                                                'attempts': 3, 'reason': 'RuntimeError: poison', 'task': '{}'})
    redis_client.set('wxc_cc_bot:seen:message:carol-1', 'x', px=3_600_000)
    time.sleep(0.25)  # real time: the dead worker's entry is idle longer than the heartbeat's lifetime
    queue, runner = RedisWorkQueue(KeySpace(redis_client), 0.2), Runner()
    running = worker(queue, runner)
    assert running.wait_idle(10)
    assert runner.told == [('unknown', 'message:alice-1')], 'its journal came along: not repeated'
    assert sorted(runner.ran) == ['message:alice-2', 'message:bob-1']
    assert {(dead['id'], dead['reason'][:20]) for dead in queue.dead_letters()} == {
        ('message:dave-1', 'RuntimeError: poison'), (f'queue:{broken}', 'unreadable: not JSON')}
    assert not redis_client.exists(stream, 'wxc_cc_bot:queue:dead'), 'emptied, then gone'
    assert queue.put(task('carol', 1).entry()) is False, 'what it had claimed stays claimed'
    assert running.stop(5)


# --- the queue's own cost

class CountingConnection(redis.Connection):
    """Notes each round trip to Redis: the thread that made it and what it asked (a script by its name)."""
    trips: list[tuple[str, str]] = []
    scripts: dict[str, str] = {}

    def send_packed_command(self, command, check_health: bool = True) -> None:
        packed = b''.join(command) if isinstance(command, list) else command
        words = packed.split(b'\r\n')
        name, first = words[2].decode().upper(), words[4].decode() if len(words) > 4 else ''
        what = self.scripts.get(first, 'script') if name == 'EVALSHA' else name
        CountingConnection.trips.append((threading.current_thread().name, what))
        super().send_packed_command(command, check_health)


def test_a_command_costs_six_redis_round_trips(settings, webex, redis_server, redis_client):
    """
    ``/dial`` from its notification to its end, once the bot runs (its scripts loaded): the put, the take (one
    blocking move, which also waits for the next), the rate counter, the token, the journal before the dial, the
    finish with the reply noted. Nothing per held entry, nothing per person waiting.
    """
    from tests.webexmock import chat, user_context
    from wxc_cc.stores import redis_stores
    from wxc_cc_bot import CallControlBot

    client = redis.Redis(connection_pool=redis.ConnectionPool(connection_class=CountingConnection, host='127.0.0.1',
                                                              port=redis_server.port, decode_responses=True))
    stores = redis_stores(KeySpace(client))
    stores.tokens.set_user_context(user_context())
    CountingConnection.scripts = {script.sha: name for name, script in stores.queue._scripts.items()}
    CountingConnection.scripts[stores.coordination._count.sha] = 'count'
    webex.bot_setup()
    app = CallControlBot(settings=settings, stores=stores)
    test_client = app.test_client()
    try:
        assert app.core.healer.started.wait(5)
        webex.add('POST', '/telephony/calls/dial', json_body={'callId': 'C1', 'callSessionId': 'S1'})
        for number in ('1111', '2222'):
            CountingConnection.trips = []
            chat(test_client, webex, f'/dial {number}')
            accepted = [trip for trip in CountingConnection.trips if trip[0] == 'MainThread']
            assert app.core.worker.wait_idle(10)  # its looks at the queue are the test's, not the command's
        trips = accepted + [(thread.split('-')[2], what) for thread, what in CountingConnection.trips
                            if thread.startswith(('wxc-cc-take', 'wxc-cc-task'))]
    finally:
        assert app.core.shutdown(5)
    assert sorted(trips) == sorted([('MainThread', 'put'), ('take', 'BLMOVE'), ('task', 'count'), ('task', 'GET'),
                                    ('task', 'record'), ('task', 'finish')]), trips


@pytest.mark.parametrize('version, ok', [('7.0.15', True), ('6.2.0', True), ('6.2.14', True), ('10.0.1', True),
                                         ('6.0.20', False), ('5.0.14', False), ('', False), ('x.y', False)])
def test_the_queue_needs_redis_6_2(version: str, ok: bool):
    from wxc_cc.stores.redis_queue import supported
    assert supported(version) is ok


def test_the_servers_version_is_checked(redis_client):
    """The session's redis-server (7) passes; the message names what is needed, should one not."""
    RedisWorkQueue(KeySpace(redis_client)).check_server()


# --- timed entries: listed, withdrawn, replaced

def timed(key: str, name: str, due: float) -> Entry:
    return Task(kind='end', key=key, id=f'end:{key}:{name}', due=due).entry()


def test_timed_entries_are_listed_withdrawn_and_replaced(backend):
    queue = joined(backend.queue(), 'w1')
    now = backend.clock()
    put(queue, task('alice', 1, created=now - 5))
    for entry in (timed('alice', 'dnd', now + 60), timed('alice', 'forward', now + 30), timed('bob', 'dnd', now + 9)):
        assert queue.put(entry)
    assert [entry.id for entry in queue.scheduled('alice', 'end')] == ['end:alice:forward', 'end:alice:dnd']
    [message] = take_all(queue, 'w1')
    assert queue.scheduled('alice', 'message') == [], 'a task taken is not scheduled any more'
    assert queue.withdraw('end:alice:forward') is True
    assert queue.withdraw('end:alice:forward') is False, 'gone'
    assert queue.put(timed('alice', 'dnd-2', now + 90), replacing='end:alice:dnd')
    assert [(entry.id, entry.due) for entry in queue.scheduled('alice', 'end')] == [('end:alice:dnd-2', now + 90)]
    assert queue.depth() == 3, 'her message, her new end, bob\'s end'
    queue.finish(message)
    backend.clock.offset = 100
    queue.beat('w1')
    assert sorted(ids(take_all(queue, 'w1'))) == ['end:alice:dnd-2', 'end:bob:dnd'], 'each once, when due'


def test_an_entry_a_worker_took_is_not_withdrawn(backend):
    queue = joined(backend.queue(), 'w1')
    assert queue.put(timed('alice', 'dnd', 1))
    [lease] = take_all(queue, 'w1')
    assert queue.withdraw('end:alice:dnd') is False, 'it runs: too late to cancel'
    queue.finish(lease)


def test_idle_is_nothing_due_now_nor_running(backend):
    """What a wait for the work of a command asks: an entry due later does not count, one that became due does."""
    queue = joined(backend.queue(), 'w1')
    now = backend.clock()
    assert queue.idle()
    assert queue.put(timed('alice', 'dnd', now + 60))
    assert queue.idle() and queue.depth() == 1, 'due later'
    put(queue, task('alice', 1, created=now - 5))
    assert not queue.idle(), 'her message waits'
    [lease] = take_all(queue, 'w1')
    assert not queue.idle(), 'it runs'
    queue.finish(lease)
    assert queue.idle()
    backend.clock.offset = 61
    assert not queue.idle(), 'the end became due'
    queue.beat('w1')
    [end] = take_all(queue, 'w1')
    assert end.id == 'end:alice:dnd' and not queue.idle()
    queue.finish(end)
    assert queue.idle() and queue.depth() == 0
