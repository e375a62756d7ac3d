"""
Ports of the servers the tests and the benchmark start, without races. A server binds port 0 (the kernel picks a
port nobody has) and tells its port, or is handed a socket bound here to port 0 (:func:`listening_socket`, for
:class:`fakewebex.harness.BotProcess`, ``fd://``).
Where a server can only be told a port number:

- :func:`refused_port`: a port where connections are refused, for tests of "the other side is down";
- :func:`reserved_port`: gunicorn binding ``$PORT`` as the image, the Procfile and the pod do, on a port held here;
- :func:`fixed_port`: redis-server, the one exception (see there), with :class:`RedisServer`.
"""
import os
import random
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, TypeVar

import redis

__all__ = ['listening_socket', 'refused_port', 'reserved_port', 'fixed_port', 'port_share', 'on_fixed_port',
           'wait_ready', 'children', 'cpu_seconds', 'stop', 'RedisServer']

T = TypeVar('T')


def listening_socket(backlog: int = 64) -> socket.socket:
    """A socket listening on 127.0.0.1, port 0, for a server that takes a socket (gunicorn's ``fd://``)."""
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    sock.listen(backlog)
    return sock


@contextmanager
def refused_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections: bound (nobody else can take it) and not listening."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        yield sock.getsockname()[1]


@contextmanager
def reserved_port() -> Iterator[int]:
    """
    A port held for a server that binds it by number with ``SO_REUSEPORT`` (gunicorn ``--reuse-port``, e.g. through
    ``GUNICORN_CMD_ARGS``): bound here to port 0 with ``SO_REUSEPORT`` and not listening, so the server can bind it
    too and gets every connection, while nobody else can take it, before the server starts or between two of its
    starts.
    """
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(('127.0.0.1', 0))
        yield sock.getsockname()[1]


#: the ports :func:`fixed_port` gave in this process
_given: set[int] = set()


def fixed_port() -> int:
    """
    A port number for a server that can only be given one: the one exception to "bind port 0" in the tests.

    redis-server cannot bind port 0 (``--port 0`` turns TCP off) nor take an inherited socket, and the Redis stores
    must be tested over TCP, as deployments use them (``REDIS_HOST`` is host and port). A port that was free a moment
    ago could be taken before the server binds it, so the port comes from below the kernel's ephemeral range
    (``/proc/sys/net/ipv4/ip_local_port_range``), where neither a bind to port 0 nor an outgoing connection ever
    lands: nothing this test suite does can take it, not even while a test has stopped the server to start it again
    on the same port. The tests run in parallel (pytest-xdist): each worker of a run picks from its own share of
    that range (:func:`port_share`), and a process never gets the same port twice, so no two servers of one run are
    ever given the same port, nor a port a stopped server is to come back on. Another program on the machine (another
    run of the tests) still could take it, so :func:`on_fixed_port` starts the server again on another port when it
    cannot start (it exits when its port is taken): :class:`RedisServer` and the deploy tests' Redis servers do; the
    Sentinel setup of tests/redisha.py (five processes that know each other's ports) does not. Picked at random, and
    bindable right now. (ServerThread's test of a given port, in tests/test_fakewebex.py, needs such a port too.)
    """
    low = int(Path('/proc/sys/net/ipv4/ip_local_port_range').read_text().split()[0])
    candidates = port_share(range(max(1024, low - 10_000), low), os.environ)
    for _ in range(50):
        port = random.choice(candidates)
        if port in _given:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(('127.0.0.1', port))
            except OSError:
                continue
        _given.add(port)
        return port
    raise RuntimeError(f'no free port in {candidates}')


def port_share(ports: range, environ: Mapping[str, str]) -> range:
    """
    This process's share of ``ports``: in a run of N pytest-xdist workers (xdist names them ``gw0``, ``gw1``… in
    ``PYTEST_XDIST_WORKER`` and says N in ``PYTEST_XDIST_WORKER_COUNT``) worker ``gwI`` has every Nth port from the
    Ith on, so that no two workers of a run can pick the same port; outside xdist, all of them.
    """
    worker, count = environ.get('PYTEST_XDIST_WORKER', ''), environ.get('PYTEST_XDIST_WORKER_COUNT', '')
    if not worker.startswith('gw') or not count:
        return ports
    return ports[int(worker.removeprefix('gw'))::int(count)]


def on_fixed_port(start: Callable[[int], T], attempts: int = 5) -> T:
    """
    ``start(port)`` on a :func:`fixed_port`, again on another port when it raises :class:`RuntimeError` (the port
    was taken first).
    """
    for attempt in range(attempts):
        try:
            return start(fixed_port())
        except RuntimeError:
            if attempt == attempts - 1:
                raise
    raise AssertionError('unreachable')


def wait_ready(process: subprocess.Popen, ready: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """
    Wait until ``ready()`` holds (asked every 20 ms: another process offers nothing to wait on but its answers).

    :raises RuntimeError: when the process exits first or ``timeout`` seconds pass (the process is stopped then)
    """
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f'{what} did not start (exit status {process.returncode})')
        time.sleep(0.02)


def children(pid: int) -> list[int]:
    """The process ids of a process's children (gunicorn's workers, for its master); none once it has ended."""
    path = Path(f'/proc/{pid}/task/{pid}/children')
    try:
        return [int(child) for child in path.read_text().split()]
    except FileNotFoundError:
        return []


def cpu_seconds(pid: int, thread: Optional[int] = None) -> float:
    """
    User plus system CPU time of a process, or of one of its threads (a native thread id), so far, as the kernel
    accounts it; 0 once it is gone.
    """
    path = Path(f'/proc/{pid}/task/{thread}/stat' if thread else f'/proc/{pid}/stat')
    try:
        fields = path.read_text().rsplit(')', 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def stop(process: Optional[subprocess.Popen], timeout: float = 10.0) -> None:
    """SIGTERM and wait; SIGKILL when it does not end in time."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@dataclass
class RedisServer:
    """
    A redis-server on 127.0.0.1 (on a :func:`fixed_port`): :meth:`launch` starts one; :meth:`stop` and
    :meth:`start` take it away and bring it back on the same port.
    """
    port: int
    directory: Path
    #: keep the data across restarts (append-only file in :attr:`directory`)
    persistent: bool = False
    #: more options of redis-server, e.g. ``('--enable-debug-command', 'local')`` for ``DEBUG SLEEP``
    options: tuple[str, ...] = ()
    process: Optional[subprocess.Popen] = None

    @classmethod
    def launch(cls, directory: Path, persistent: bool = False, options: tuple[str, ...] = ()) -> 'RedisServer':
        """A started server, its files in ``directory``."""
        return on_fixed_port(lambda port: cls(port, directory, persistent, options).start())

    @property
    def url(self) -> str:
        return f'redis://127.0.0.1:{self.port}/0'

    def client(self) -> redis.Redis:
        return redis.Redis(host='127.0.0.1', port=self.port, decode_responses=True, socket_timeout=5)

    def ping(self) -> bool:
        """Whether it answers."""
        try:
            return self.client().ping()
        except redis.ConnectionError:
            return False

    def start(self) -> 'RedisServer':
        """
        (Re)start the server on its port.

        :raises RuntimeError: when it cannot (e.g. the port is taken)
        """
        self.process = subprocess.Popen(
            ['redis-server', '--port', str(self.port), '--bind', '127.0.0.1', '--save', '',
             '--appendonly', 'yes' if self.persistent else 'no', '--appendfsync', 'always',
             '--dir', str(self.directory), *self.options], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_ready(self.process, self.ping, f'redis-server on port {self.port}')
        return self

    def stop(self) -> None:
        stop(self.process)
