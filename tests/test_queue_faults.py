"""
The work queue meets Redis faults, in one process against real redis-servers: a stall past the socket timeout
while a notification is put, a flush and a restart with nothing on disk while tasks flow. The workers' threads
survive every error, serving resumes, and no task ever runs under two live holders.
"""
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from fakewebex.servers import RedisServer
from wxc_cc.errors import StoreUnavailable
from wxc_cc.stores.redis_client import REDIS_ERRORS, SINGLE_RETRIES, KeySpace
from wxc_cc.stores.redis_queue import RedisWorkQueue
from wxc_cc.task import Task
from wxc_cc.worker import QueueWorker

pytestmark = pytest.mark.unit


def task(key: str, number: int) -> Task:
    return Task(kind='message', key=key, id=f'message:{key}-{number}', created=float(number),
                notification={'resource': 'messages', 'event': 'created', 'data': {}})


def client(port: int, socket_timeout: float) -> redis.Redis:
    """A client as the bot makes one for a single Redis (its retries), with a shorter socket timeout."""
    retries, cap = SINGLE_RETRIES
    return redis.Redis(host='127.0.0.1', port=port, decode_responses=True, socket_timeout=socket_timeout,
                       socket_connect_timeout=2, retry=Retry(ExponentialBackoff(cap=cap, base=0.05), retries,
                                                             supported_errors=REDIS_ERRORS))


def stall(server: RedisServer, seconds: float) -> threading.Thread:
    """Redis stops answering anybody for ``seconds`` (``DEBUG SLEEP``), starting now."""
    sleeper = threading.Thread(target=lambda: server.client().execute_command('DEBUG', 'SLEEP', seconds))
    sleeper.start()
    time.sleep(0.1)  # the sleep has begun
    return sleeper


def test_a_put_retried_after_a_stall_queues_once(redis_server, redis_client):
    """redis-py times out and sends the put again while Redis, stalled, still holds the first: one task."""
    queue = RedisWorkQueue(KeySpace(client(redis_server.port, socket_timeout=0.3)))
    assert queue.put(task('bob', 1).entry()), 'the put script is loaded, as in a bot that runs'
    sleeper = stall(redis_server, 0.6)
    assert queue.put(task('alice', 1).entry()) is True, 'the retry found its own put: accepted'
    sleeper.join(5)
    assert queue.depth() == 2
    assert redis_client.zcard('wxc_cc_bot:work:key:alice') == 1


def test_a_put_answered_503_after_a_longer_stall_is_not_queued_again_by_the_redelivery(redis_server, redis_client):
    """Every try times out (Webex is answered 503), yet Redis runs them later; Webex's redelivery adds nothing."""
    queue = RedisWorkQueue(KeySpace(client(redis_server.port, socket_timeout=0.2)))
    assert queue.put(task('bob', 1).entry()), 'the put script is loaded, as in a bot that runs'
    sleeper = stall(redis_server, 1.5)
    with pytest.raises(StoreUnavailable):
        queue.put(task('alice', 1).entry())
    sleeper.join(5)
    assert queue.put(task('alice', 1).entry()) is False, 'delivered again: already queued'
    assert queue.depth() == 2
    assert redis_client.zcard('wxc_cc_bot:work:key:alice') == 1


class Watchful:
    """A runner that notes every task run and whether two ran at once for one key (two live holders)."""

    def __init__(self):
        self.ran: Counter = Counter()
        self.running: set[str] = set()
        self.overlaps: list[str] = []
        self.lock = threading.Lock()

    def run(self, item: Task) -> None:
        with self.lock:
            if item.key in self.running:
                self.overlaps.append(item.id)
            self.running.add(item.key)
        time.sleep(0.01)
        with self.lock:
            self.running.discard(item.key)
            self.ran[item.id] += 1

    def unknown_outcome(self, item: Task) -> None:
        pass

    def set_aside(self, item: Task) -> None:
        pass


@pytest.mark.parametrize('fault', ['FLUSHALL', 'restart without persistence'])
def test_the_workers_survive_redis_losing_everything(tmp_path: Path, fault: str):
    server = RedisServer.launch(tmp_path)
    runner = Watchful()
    workers = [QueueWorker(queue=RedisWorkQueue(KeySpace(server.client()), 3.0), runner=runner, threads=4,
                           poll=0.2) for _ in range(2)]
    try:
        for worker in workers:
            worker.start()
        feeder = RedisWorkQueue(KeySpace(server.client()), 3.0)
        for number in range(30):
            feeder.put(task(f'person-{number % 5}', number).entry())
        if fault == 'FLUSHALL':
            server.client().flushall()
        else:
            server.stop()
            time.sleep(0.5)  # real time: the take loops and heartbeats meet a Redis that is gone
            server.start()
        time.sleep(1.5)  # real time: every thread has met the empty Redis and tried again
        assert all(worker.alive() for worker in workers), 'the take loop and the heartbeat live on'
        assert all(worker.threads_alive() >= 2 for worker in workers)
        for number in range(100, 120):
            feeder.put(task(f'person-{number % 5}', number).entry())
        for worker in workers:
            assert worker.wait_idle(20), 'serving resumed'
        assert all(runner.ran[f'message:person-{n % 5}-{n}'] == 1 for n in range(100, 120)), 'each once'
        assert max(runner.ran.values()) == 1, 'nothing ran twice'
        assert runner.overlaps == [], 'never two live holders of one person'
    finally:
        for worker in workers:
            worker.stop(5)
        server.stop()
