"""
Coordination (locks, claims, counters, notes), in SQLite and flock beside the token file and in real Redis,
against the same contract: shared by every process of a host, or of a deployment.
"""
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import settings_values
from fakewebex.servers import RedisServer
from wxc_cc.config import load_settings
from wxc_cc.errors import StoreUnavailable
from wxc_cc.stores.coordination import Coordination
from wxc_cc.stores.file_locks import FileLocks
from wxc_cc.stores.redis_client import KeySpace, redis_from_settings
from wxc_cc.stores.redis_coordination import RedisCoordination
from wxc_cc.stores.sqlite import SQLiteDatabase
from wxc_cc.stores.sqlite_coordination import SQLiteCoordination

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parent.parent


def sqlite_coordination(folder: Path) -> SQLiteCoordination:
    return SQLiteCoordination(SQLiteDatabase(folder / 'wxc_cc_bot.db'), FileLocks(folder / 'wxc_cc_bot.yml.locks'))


@pytest.fixture(params=['sqlite', 'redis'])
def make(request: pytest.FixtureRequest, tmp_path: Path):
    """Builds coordination instances sharing one backend, like workers of one deployment."""
    def build() -> Coordination:
        if request.param == 'sqlite':
            return sqlite_coordination(tmp_path)
        return RedisCoordination(KeySpace(request.getfixturevalue('redis_client')))
    return build


def test_first_time_claims_a_key_once_for_everybody(make):
    first, second = make(), make()
    assert first.first_time('message:1', ttl=60) is True
    assert second.first_time('message:1', ttl=60) is False
    assert second.first_time('message:2', ttl=60) is True
    assert first.first_time('gone', ttl=0.001) is True
    time.sleep(0.01)  # real time: past the time to live
    assert second.first_time('gone', ttl=60) is True, 'a key is forgotten after its time'


def test_notes_are_shared_and_expire(make):
    first, second = make(), make()
    first.set_note('card:alice:C1', 'MSG1', ttl=60)
    assert second.get_note('card:alice:C1') == 'MSG1'
    second.set_note('card:alice:C1', 'MSG2', ttl=60)
    assert first.get_note('card:alice:C1') == 'MSG2'
    first.delete_note('card:alice:C1')
    assert second.get_note('card:alice:C1') is None
    first.set_note('short', 'x', ttl=0.001)
    time.sleep(0.01)  # real time: past the time to live
    assert second.get_note('short') is None


def test_count_in_a_window_is_shared(make):
    first, second = make(), make()
    assert [first.count('rate:alice', 60) for _ in range(3)] == [1, 2, 3]
    assert second.count('rate:alice', 60) == 4
    assert first.count('rate:bob', 60) == 1
    assert first.count('short', 0.001) == 1
    time.sleep(0.01)  # real time: past the window
    assert second.count('short', 0.001) == 1, 'a new window starts'


def test_lock_excludes_other_instances(make):
    first, second = make(), make()
    inside: list[str] = []
    entered, leave = threading.Event(), threading.Event()

    def hold() -> None:
        with first.lock('webhooks'):
            inside.append('first in')
            entered.set()
            leave.wait(5)
            inside.append('first out')

    thread = threading.Thread(target=hold)
    thread.start()
    assert entered.wait(5)
    with pytest.raises(StoreUnavailable):
        with second.lock('webhooks', timeout=0.05):
            pass
    leave.set()
    with second.lock('webhooks', timeout=5):
        inside.append('second in')
    thread.join(5)
    assert inside == ['first in', 'first out', 'second in']


def test_sqlite_claims_hold_across_restarts_and_are_private(tmp_path: Path):
    assert sqlite_coordination(tmp_path).first_time('user-webhooks:abc', ttl=30 * 86400) is True
    assert sqlite_coordination(tmp_path).first_time('user-webhooks:abc', ttl=30 * 86400) is False
    assert (tmp_path / 'wxc_cc_bot.db').stat().st_mode & 0o777 == 0o600


def test_sqlite_claims_from_many_processes_are_granted_once(tmp_path: Path):
    """Real processes race for the same keys through the shared file: each key is granted exactly once."""
    script = ('import sys; from pathlib import Path; from tests.test_coordination import sqlite_coordination; '
              'c = sqlite_coordination(Path(sys.argv[1])); '
              'print(sum(c.first_time(f"message:{i}", 3600) for i in range(200)))')
    processes = [subprocess.Popen([sys.executable, '-c', script, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                                  cwd=REPO) for _ in range(4)]
    granted = [int(process.communicate(timeout=60)[0]) for process in processes]
    assert sum(granted) == 200


def test_sqlite_counts_from_many_processes_add_up(tmp_path: Path):
    script = ('import sys; from pathlib import Path; from tests.test_coordination import sqlite_coordination; '
              'c = sqlite_coordination(Path(sys.argv[1])); '
              'print(max(c.count("rate:alice", 60) for _ in range(100)))')
    processes = [subprocess.Popen([sys.executable, '-c', script, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                                  cwd=REPO) for _ in range(4)]
    highest = [int(process.communicate(timeout=60)[0]) for process in processes]
    assert max(highest) == 400


def test_many_processes_open_a_new_database_at_once(tmp_path: Path):
    """
    Every worker of a new deployment opens the database at its start: none of them fails. Eight processes, six new
    databases one after another (each process imports the bot's code once: that is most of the time it takes).
    """
    script = ('import sys\nfrom wxc_cc.stores.sqlite import SQLiteDatabase\nfor path in sys.argv[1:]:\n'
              '    database = SQLiteDatabase(path); database.ensure("CREATE TABLE IF NOT EXISTS t (x)")\n'
              '    print("ready", flush=True); sys.stdin.readline(); database.connection(); print("open", flush=True)')
    paths = [tmp_path / f'{attempt}.db' for attempt in range(6)]
    for path in paths:
        path.touch()
    processes = [subprocess.Popen([sys.executable, '-c', script, *map(str, paths)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
                 for _ in range(8)]

    def errors() -> list[str]:
        """What the first process that ended with an error said."""
        return [error for process in processes if process.poll() is not None and (error := process.stderr.read())][:1]

    try:
        for _ in paths:
            assert [process.stdout.readline() for process in processes] == ['ready\n'] * 8, errors()
            for process in processes:  # all open at the same moment
                process.stdin.write('go\n')
                process.stdin.flush()
            assert [process.stdout.readline() for process in processes] == ['open\n'] * 8, errors()
    finally:
        for process in processes:
            process.stdin.close()
    assert [process.wait(timeout=60) for process in processes] == [0] * 8, errors()


def test_redis_down_claims_and_counts_fall_back_to_memory(refused: int):
    settings = load_settings(settings_values(REDIS_URL=f'redis://127.0.0.1:{refused}/0'), environ={})
    coordination = RedisCoordination(KeySpace(redis_from_settings(settings)))
    assert coordination.first_time('message:1', 60) is True
    assert coordination.first_time('message:1', 60) is False
    assert [coordination.count('rate:alice', 60) for _ in range(2)] == [1, 2]
    with pytest.raises(StoreUnavailable):
        coordination.get_note('card:alice:C1')


class ReplyLosingProxy:
    """
    A TCP proxy in front of Redis that, once, passes on a command containing ``marker`` and then closes the
    client's connection instead of passing the reply: the command ran, the client never heard (as when the master
    dies between the two).
    """

    def __init__(self, redis_port: int, marker: bytes):
        self.redis_port, self.marker = redis_port, marker
        self.listener = socket.create_server(('127.0.0.1', 0))
        self.port = self.listener.getsockname()[1]
        self.cut = threading.Event()
        self._connections: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._start(self._accept)

    def _start(self, target: Callable, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(('127.0.0.1', self.redis_port), timeout=5)
            self._connections += [client, upstream]
            holding = threading.Event()
            self._start(self._requests, client, upstream, holding)
            self._start(self._replies, upstream, client, holding)

    def _requests(self, client: socket.socket, upstream: socket.socket, holding: threading.Event) -> None:
        with client, upstream:
            while data := self._recv(client):
                if self.marker in data and not self.cut.is_set():
                    self.cut.set()
                    holding.set()
                    upstream.sendall(data)
                    time.sleep(0.2)  # Redis runs it; the reply is held back
                    client.shutdown(socket.SHUT_RDWR)
                    return
                upstream.sendall(data)

    def _replies(self, upstream: socket.socket, client: socket.socket, holding: threading.Event) -> None:
        while (data := self._recv(upstream)) and not holding.is_set():
            try:
                client.sendall(data)
            except OSError:
                return

    @staticmethod
    def _recv(sock: socket.socket) -> bytes:
        try:
            return sock.recv(65536)
        except OSError:
            return b''

    def close(self) -> None:
        """Stop accepting, cut every connection, and wait for the threads (a shutdown wakes a blocked accept or recv,
        a close does not)."""
        for sock in [self.listener, *self._connections]:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # closed already
        self._threads[0].join(5)
        for thread in self._threads:
            thread.join(5)
        self.listener.close()


def test_redis_claim_retried_after_a_lost_reply_is_still_the_claimants(redis_server: RedisServer, redis_client):
    """
    A notification's claim reached Redis but its reply was lost; redis-py sends it again on a new connection. The
    claimant must still get "first time" (else the command would be dropped as a duplicate), and nobody else.
    """
    proxy = ReplyLosingProxy(redis_server.port, marker=b'message:lost')
    try:
        settings = load_settings(settings_values(REDIS_URL=f'redis://127.0.0.1:{proxy.port}/0'), environ={})
        coordination = RedisCoordination(KeySpace(redis_from_settings(settings)))
        assert coordination.first_time('message:warm-up', 60) is True  # the claim's script is known to Redis
        assert coordination.first_time('message:lost', 60) is True
        assert proxy.cut.is_set(), 'the first reply was lost'
        assert RedisCoordination(KeySpace(redis_client)).first_time('message:lost', 60) is False
    finally:
        proxy.close()
