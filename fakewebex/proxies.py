"""
Proxies the benchmark puts between the parts of a deployment, each on 127.0.0.1, port 0, serving on an asyncio loop
in a thread of its own or, so that it takes no turn at the GIL of the process that plays Webex, in a process of its
own (``python -m fakewebex.proxies``, handed the proxy, its socket and its counters):

- :class:`RoundRobinProxy`: the one public address of a deployment of several instances (the load balancer, or the
  ngrok tunnel of a single one): each HTTP request goes to the next instance in turn;
- :class:`CountingProxy`: a transparent TCP proxy in front of a server (Redis) that counts the round trips its
  clients make, whatever their code: a pipeline or a script is one, a blocking read is one.
"""
import asyncio
import logging
import mmap
import os
import pickle
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

from .servers import cpu_seconds, listening_socket, stop

__all__ = ['RoundRobinProxy', 'CountingProxy', 'LoopServer', 'SharedCounters', 'pipe', 'http_response']

log = logging.getLogger(__name__)

#: the longest request or response head a proxy reads, bytes
MAX_HEAD = 65536


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
               on_data: Optional[Callable[[], None]] = None) -> None:
    """
    Copy ``reader`` to ``writer`` until either side ends, then close ``writer``.

    :param on_data: called for every piece read, before it is passed on
    """
    try:
        while data := await reader.read(MAX_HEAD):
            if on_data is not None:
                on_data()
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


def http_response(status: str, body: bytes = b'', content_type: str = 'text/plain') -> bytes:
    """A whole HTTP/1.1 response that closes its connection, e.g. ``http_response('502 Bad Gateway')``."""
    return (f'HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n'
            f'Connection: close\r\n\r\n').encode('latin-1') + body


def _closing(head: bytes) -> bytes:
    """An HTTP head (start line and fields, without the blank line) with ``Connection: close`` as its only one."""
    lines = [line for line in head.split(b'\r\n') if not line.lower().startswith(b'connection:')]
    return b'\r\n'.join([*lines, b'Connection: close'])


class SharedCounters:
    """
    Integers in an unlinked temporary file mapped into memory: a proxy in a process of its own counts, the process
    that started it reads. Pickled, they are the file's descriptor, which the other process inherits.

    :param size: how many
    """

    def __init__(self, size: int):
        self._file = tempfile.TemporaryFile()
        self._file.write(bytes(8 * max(size, 1)))
        self._file.flush()
        self._map(self._file.fileno(), size)

    def _map(self, fd: int, size: int) -> None:
        self.size = size
        self._mmap = mmap.mmap(fd, 8 * max(size, 1))
        self._values = memoryview(self._mmap).cast('q')

    def fileno(self) -> int:
        """The file's descriptor, for the process that is handed the counters."""
        return self._file.fileno()

    def __getitem__(self, index: int) -> int:
        return self._values[index]

    def __setitem__(self, index: int, value: int) -> None:
        self._values[index] = value

    def __iter__(self) -> Iterator[int]:
        return iter(self._values[:self.size].tolist())

    def __len__(self) -> int:
        return self.size

    def __getstate__(self) -> dict[str, int]:
        return {'fd': self.fileno(), 'size': self.size}

    def __setstate__(self, state: dict[str, int]) -> None:
        self._file = open(state['fd'], 'r+b', buffering=0)
        self._map(state['fd'], state['size'])


class LoopServer:
    """
    A TCP server on 127.0.0.1, port 0, whose connections :meth:`handle` serves on an asyncio loop: :meth:`start`
    binds and serves in a daemon thread, or in a process of its own; :meth:`stop` ends it and every connection.

    :param counters: how many :attr:`counters` the server keeps
    """

    name = 'proxy'

    def __init__(self, counters: int = 0):
        self.port = 0
        #: what the server counts, readable while it serves in a process of its own
        self.counters = SharedCounters(counters)
        self._sock: Optional[socket.socket] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._process: Optional[subprocess.Popen] = None
        self._server: Optional[asyncio.base_events.Server] = None
        self._connections: set[asyncio.Task] = set()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one client connection."""
        raise NotImplementedError

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await self.handle(reader, writer)
        except (ConnectionError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except Exception:
            log.exception('%s: a connection failed', self.name)
        finally:
            writer.close()
            self._connections.discard(task)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._serve, sock=self._sock, limit=MAX_HEAD, backlog=1024)

    async def serve_forever(self) -> None:
        """Serve on the socket :meth:`start` bound, here (a process of its own runs this)."""
        await self._listen()
        assert self._server is not None
        await self._server.serve_forever()

    def start(self, own_process: bool = False) -> 'LoopServer':
        """
        Bind 127.0.0.1, port 0, and serve in the background.

        :param own_process: serve in a process of its own rather than in a thread of this one
        """
        self._sock = listening_socket(backlog=1024)
        self.port = self._sock.getsockname()[1]
        if own_process:
            code = str(Path(__file__).resolve().parent.parent)
            env = {**os.environ, 'PYTHONPATH': os.pathsep.join(filter(None, (code, os.environ.get('PYTHONPATH'))))}
            self._process = subprocess.Popen([sys.executable, '-m', 'fakewebex.proxies'], stdin=subprocess.PIPE,
                                             pass_fds=(self._sock.fileno(), self.counters.fileno()), env=env)
            assert self._process.stdin is not None
            with self._process.stdin as handover:
                handover.write(pickle.dumps(self))
            self._sock.close()
        else:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, name=self.name, daemon=True)
            self._thread.start()
            asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(10)
        log.debug('%s on 127.0.0.1:%d', self.name, self.port)
        return self

    @property
    def own_process(self) -> bool:
        """Whether it serves in a process of its own."""
        return self._process is not None

    def cpu_seconds(self) -> float:
        """The CPU time the server has used so far: its process's, or its thread's."""
        if self._process is not None:
            return cpu_seconds(self._process.pid)
        if self._thread is not None and self._thread.native_id is not None:
            return cpu_seconds(os.getpid(), self._thread.native_id)
        return 0.0

    def stop(self) -> None:
        """Stop serving and close every connection."""
        if self._process is not None:
            stop(self._process)
            self._process = None
        if self._loop is None or self._thread is None:
            return

        async def close() -> None:
            assert self._server is not None
            self._server.close()
            for task in list(self._connections):
                task.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)

        with suppress(Exception):
            asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        self._loop = self._thread = self._server = None

    def __getstate__(self) -> dict[str, Any]:
        # what a process of its own needs: the socket's descriptor (it inherits it) and the settings
        assert self._sock is not None
        return {**self.__dict__, '_sock': self._sock.fileno(), '_loop': None, '_thread': None, '_process': None,
                '_connections': set()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _sock=socket.socket(fileno=state['_sock']))

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class RoundRobinProxy(LoopServer):
    """
    An HTTP reverse proxy: each request goes to the next backend in turn, with ``Connection: close``; its answer goes
    back, also with ``Connection: close`` (so a client never waits on a connection the proxy has finished with). A
    request with a body must say its ``Content-Length``. A backend that cannot be reached answers ``502``.

    :param backends: the backends' base URLs, ``http://host:port``
    """

    name = 'round-robin-proxy'

    def __init__(self, backends: Sequence[str]):
        if not backends:
            raise ValueError('a round-robin proxy needs at least one backend')
        super().__init__(counters=len(backends))
        self.backends = [(urlsplit(url).hostname or '127.0.0.1', urlsplit(url).port or 80) for url in backends]
        self._turn = 0

    @property
    def served(self) -> list[int]:
        """Requests each backend answered so far, in the order of :attr:`backends`."""
        return list(self.counters)

    @property
    def url(self) -> str:
        """The proxy's base URL, what the instances give as their public URL."""
        return f'http://127.0.0.1:{self.port}'

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b'\r\n\r\n'))[:-4]
        fields = {name.strip().lower(): value.strip() for name, _, value in
                  (line.partition(b':') for line in head.split(b'\r\n')[1:])}
        if b'transfer-encoding' in fields:
            writer.write(http_response('411 Length Required'))
            return
        body = await reader.readexactly(int(fields.get(b'content-length', b'0')))
        index, self._turn = self._turn, (self._turn + 1) % len(self.backends)
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.backends[index], limit=MAX_HEAD)
        except OSError as error:
            log.warning('%s: backend %s:%d unreachable: %s', self.name, *self.backends[index], error)
            writer.write(http_response('502 Bad Gateway'))
            return
        try:
            upstream_writer.write(_closing(head) + b'\r\n\r\n' + body)
            await upstream_writer.drain()
            response = await upstream_reader.read()  # the backend closes after its answer: it was asked to
        finally:
            upstream_writer.close()
        response_head, separator, response_body = response.partition(b'\r\n\r\n')
        if not separator:
            writer.write(http_response('502 Bad Gateway'))
            return
        self.counters[index] += 1
        writer.write(_closing(response_head) + b'\r\n\r\n' + response_body)
        await writer.drain()


class CountingProxy(LoopServer):
    """
    A transparent TCP proxy in front of ``host:port`` that counts round trips: on each client connection, a burst of
    bytes from the client that follows a response (or opens the connection) is one. A pipeline, a script, a request
    sent in several pieces: one; a blocking read: one, however long it waits.

    :param host: the server's host
    :param port: the server's port
    """

    name = 'counting-proxy'

    ROUND_TRIPS, CONNECTIONS = 0, 1

    def __init__(self, host: str, port: int):
        super().__init__(counters=2)
        self.host, self.upstream_port = host, port

    @property
    def round_trips(self) -> int:
        """Round trips so far, over all connections."""
        return self.counters[self.ROUND_TRIPS]

    @property
    def connections(self) -> int:
        """Client connections so far."""
        return self.counters[self.CONNECTIONS]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(self.host, self.upstream_port)
        self.counters[self.CONNECTIONS] += 1
        answered = True

        def request() -> None:
            nonlocal answered
            if answered:
                self.counters[self.ROUND_TRIPS] += 1
                answered = False

        def response() -> None:
            nonlocal answered
            answered = True

        await asyncio.gather(pipe(reader, upstream_writer, request), pipe(upstream_reader, writer, response))


if __name__ == '__main__':
    # a process of its own: the proxy, with its socket and counters, comes pickled on stdin
    asyncio.run(pickle.load(sys.stdin.buffer).serve_forever())
