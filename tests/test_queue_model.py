"""
The work queue against a model of its promise, with random runs (Hypothesis' stateful testing) on both backends:
worker processes put, take, beat, finish, give back and set aside entries, crash and start again, in any order.
Whatever happens: every entry put ends finished or set aside, never two live workers hold one person's entries at
once, one person's entries are handed out in order, and a worker that lost an entry changes nothing.
"""
import itertools
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from wxc_cc.stores.file_locks import LifeMarks
from wxc_cc.stores.queue import Entry, Lease, LeaseLost, WorkQueue
from wxc_cc.stores.redis_client import KeySpace
from wxc_cc.stores.redis_queue import RedisWorkQueue
from wxc_cc.stores.sqlite import SQLiteDatabase
from wxc_cc.stores.sqlite_queue import SQLiteWorkQueue

pytestmark = pytest.mark.unit

#: long enough that no heartbeat lapses by itself during a run: only a crash ends a worker
LIFETIME = 600.0
PEOPLE = ('alice', 'bob', 'carol')
RUNS = settings(max_examples=25, stateful_step_count=30, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@dataclass
class Process:
    """A worker process: its own queue (connections, life marks), its name, what it holds."""
    name: str
    queue: WorkQueue
    alive: bool = True
    held: list[Lease] = field(default_factory=list)


class QueueMachine(RuleBasedStateMachine):
    """The model: what was put, in which order per person, what ended; the processes and their leases."""

    #: set by the test: makes the queue of a new process
    backend: str = ''
    redis_client = None

    def __init__(self):
        super().__init__()
        self.directory = Path(tempfile.mkdtemp(prefix='wxc-cc-model-'))
        self.prefix = f'model-{id(self)}-'
        self.names = (f'p{n}' for n in itertools.count())
        self.ids = itertools.count()
        self.processes: list[Process] = []
        #: person -> ids not ended, in the order they must run (due, then put)
        self.waiting: dict[str, list[tuple[float, int, str]]] = {person: [] for person in PEOPLE}
        self.put_ids: set[str] = set()
        self.ended: dict[str, str] = {}
        self.spawn()

    def queue(self) -> WorkQueue:
        if self.backend == 'sqlite':
            return SQLiteWorkQueue(SQLiteDatabase(self.directory / 'wxc_cc_bot.db', durable=True),
                                   LifeMarks(self.directory / 'workers'), LIFETIME)
        return RedisWorkQueue(KeySpace(self.redis_client, prefix=self.prefix), LIFETIME)

    def live(self) -> list[Process]:
        return [process for process in self.processes if process.alive]

    def teardown(self) -> None:
        """Drain: a new worker takes and finishes everything left; then the model's promise is checked whole."""
        try:
            for process in self.live():
                while process.held:
                    lease = process.held.pop()
                    process.queue.finish(lease)
                    self.end(lease, 'finished')
            survivor = self.spawn()
            for _ in range(200):
                survivor.queue.beat(survivor.name)
                taken = survivor.queue.take(survivor.name, 10)
                if not taken:
                    break
                for lease in taken:
                    self.check_order(lease)
                    survivor.queue.finish(lease)
                    self.end(lease, 'finished')
            assert set(self.ended) == self.put_ids, 'every entry put ended, finished or set aside'
            assert survivor.queue.depth() == 0
            dead = {item['id'] for item in survivor.queue.dead_letters()}
            assert dead == {entry for entry, how in self.ended.items() if how == 'dead'}
        finally:
            for process in self.processes:
                if process.alive and isinstance(process.queue, SQLiteWorkQueue):
                    process.queue.marks.unmark(process.name)
            shutil.rmtree(self.directory, ignore_errors=True)
            if self.backend == 'redis':
                keys = list(self.redis_client.scan_iter(match=f'{self.prefix}*'))
                if keys:
                    self.redis_client.delete(*keys)

    # --- helpers of the model

    def check_order(self, lease: Lease) -> None:
        waiting = self.waiting[lease.key]
        assert waiting and waiting[0][2] == lease.id, f'{lease.id} handed out before {waiting[:1]}'
        for process in self.live():
            assert lease.key not in [held.key for held in process.held], f'{lease.key} held by two live workers'

    def end(self, lease: Lease, how: str) -> None:
        self.waiting[lease.key] = [item for item in self.waiting[lease.key] if item[2] != lease.id]
        self.ended[lease.id] = how

    # --- what the processes do

    def spawn(self) -> Process:
        """A worker process starts: its first heartbeat takes over what gone ones held."""
        process = Process(next(self.names), self.queue())
        process.queue.beat(process.name)
        self.processes.append(process)
        return process

    @rule()
    def start(self) -> None:
        self.spawn()

    @rule(person=st.sampled_from(PEOPLE), due=st.integers(min_value=0, max_value=3), again=st.booleans())
    def put(self, person: str, due: int, again: bool) -> None:
        number = next(self.ids)
        entry = Entry(id=f'e{number}', key=person, kind='message', due=float(due), body='{}')
        queue = self.processes[0].queue
        assert queue.put(entry) is True
        if again:
            assert self.processes[-1].queue.put(entry) is False, 'delivered again: queued once'
        self.waiting[person].append((float(due), number, entry.id))
        self.waiting[person].sort()
        self.put_ids.add(entry.id)

    @precondition(lambda self: self.live())
    @rule(which=st.integers(min_value=0, max_value=9))
    def take(self, which: int) -> None:
        process = self.live()[which % len(self.live())]
        for lease in process.queue.take(process.name, 3):
            self.check_order(lease)
            process.held.append(lease)

    @precondition(lambda self: self.live())
    @rule(which=st.integers(min_value=0, max_value=9))
    def beat(self, which: int) -> None:
        process = self.live()[which % len(self.live())]
        process.queue.beat(process.name)

    @precondition(lambda self: any(process.held for process in self.processes))
    @rule(which=st.integers(min_value=0, max_value=99), how=st.sampled_from(['finish', 'release', 'dead']))
    def end_one(self, which: int, how: str) -> None:
        """A worker ends a lease it holds: a live one's works; a crashed one's... it cannot (it is dead)."""
        holders = [process for process in self.live() if process.held]
        if not holders:
            return
        process = holders[which % len(holders)]
        lease = process.held.pop(which % len(process.held))
        if how == 'finish':
            process.queue.finish(lease)
            self.end(lease, 'finished')
        elif how == 'dead':
            process.queue.dead_letter(lease, 'RuntimeError: poison')
            self.end(lease, 'dead')
        else:
            process.queue.release(lease, 'OSError: lost')

    @precondition(lambda self: self.live())
    @rule(which=st.integers(min_value=0, max_value=9))
    def crash(self, which: int) -> None:
        """A process dies without a word; its leases go stale."""
        process = self.live()[which % len(self.live())]
        process.alive = False
        if isinstance(process.queue, SQLiteWorkQueue):
            process.queue.marks.unmark(process.name)
        else:
            self.redis_client.delete(f'{self.prefix}work:hb:{process.name}')

    @precondition(lambda self: any(not process.alive and process.held for process in self.processes))
    @rule(which=st.integers(min_value=0, max_value=99))
    def stale_holder_changes_nothing(self, which: int) -> None:
        """A dead process's lease, once a live one took the entry over, can change nothing."""
        stale = [process for process in self.processes if not process.alive and process.held]
        process = stale[which % len(stale)]
        lease = process.held[which % len(process.held)]
        taken_over = any(held.id == lease.id for live in self.live() for held in live.held)
        if not taken_over:
            return
        with pytest.raises(LeaseLost):
            process.queue.finish(lease)

    @invariant()
    def no_two_live_holders(self) -> None:
        keys = [lease.key for process in self.live() for lease in process.held]
        assert len(keys) == len(set(keys)), 'one person, one live holder'


@pytest.mark.parametrize('backend', ['sqlite', 'redis'])
def test_the_queue_keeps_its_promise_whatever_happens(backend: str, request: pytest.FixtureRequest):
    machine = type(f'{backend.title()}QueueMachine', (QueueMachine,), {'backend': backend})
    if backend == 'redis':
        machine.redis_client = request.getfixturevalue('redis_client')
    run_state_machine_as_test(machine, settings=RUNS)
