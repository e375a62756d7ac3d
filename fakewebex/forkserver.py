"""
Starting the bot's processes from a fork server: a Python process that has imported the libraries the bot uses
(wxc_sdk's models alone take two seconds of CPU to build) and forks a child for each start, which then runs
``python -m gunicorn ...`` as a new interpreter would. The end-to-end tests start the bot about 100 times; this keeps
the real processes (a gunicorn master and its forked workers, signals, exit codes, a kill) and saves the imports.

Only libraries are imported in advance, never the bot's own package nor gunicorn: the bot reads its settings (and
prometheus_client its multiprocess directory, gunicorn its working directory) when it starts, in the child, with the
child's environment.

A child is not the caller's child but the server's: :class:`ForkedProcess` gives the caller what
:class:`subprocess.Popen` gives (``pid``, ``poll``, ``wait``, ``returncode``, signals), the server telling each
child's exit status over the connection that asked for it. A child ends as an interpreter does: the threads that are
not daemons are joined, the ``atexit`` functions run, then it exits with its status.

The library runs ``python -m fakewebex.forkserver <socket path>``; the server stops when its standard input closes
(the process that started it is gone).
"""
import atexit
import contextlib
import fcntl
import importlib
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Optional

__all__ = ['ForkServer', 'ForkedProcess', 'PRELOADED', 'IMPORT_TIME_VARIABLES']

#: what the server imports before it forks: the libraries behind ``wxc_cc_bot``, none of the bot's own, nor gunicorn
#: (its settings take their defaults, the working directory among them, when it is imported)
PRELOADED = ('wxc_sdk', 'wxc_sdk.rest', 'webexteamssdk', 'flask', 'redis', 'requests', 'pydantic', 'babel.dates', 'yaml',
             'cryptography.fernet')

#: variables that a preloaded library reads when it is imported: a child whose environment changes one of them runs
#: in a new interpreter instead (``exec``)
IMPORT_TIME_VARIABLES = ('API_MODEL_ALLOW_EXTRA',)

#: the largest request (arguments and environment, JSON)
_MOST = 1 << 20

#: received descriptors are moved at or above this number first (and above the numbers they are given)
_HIGH_FD = 200

#: the most descriptors a request passes: the output and those given to gunicorn
_MOST_FDS = 16


def _send(conn: socket.socket, payload: bytes, fds: list[int]) -> None:
    socket.send_fds(conn, [len(payload).to_bytes(4, 'big') + payload], fds)


def _receive_request(conn: socket.socket) -> tuple[dict, list[int]]:
    import json
    data, fds, _, _ = socket.recv_fds(conn, _MOST, _MOST_FDS)
    size = int.from_bytes(data[:4], 'big')
    while len(data) < size + 4:
        more = conn.recv(size + 4 - len(data))
        if not more:
            raise ConnectionError('request cut short')
        data += more
    return json.loads(data[4:size + 4]), list(fds)


class ForkedProcess:
    """
    A child of the fork server, handled like a :class:`subprocess.Popen`.

    :param conn: the connection that asked for it; the server writes its exit status there
    :param pid: its process id
    :param args: its command line
    """

    def __init__(self, conn: socket.socket, pid: int, args: list[str]):
        self._conn = conn
        self.pid = pid
        self.args = args
        self.returncode: Optional[int] = None
        self._lock = threading.Lock()

    def _read_status(self, timeout: Optional[float]) -> None:
        with self._lock:
            if self.returncode is not None:
                return
            self._conn.settimeout(timeout)
            try:
                line = self._conn.recv(64)
            except (socket.timeout, BlockingIOError):
                return
            if not line:
                raise RuntimeError(f'the fork server went away before process {self.pid} ended')
            self.returncode = int(line.decode().strip())
            self._conn.close()

    def poll(self) -> Optional[int]:
        """Its exit status, or ``None`` while it runs."""
        self._read_status(0)
        return self.returncode

    def wait(self, timeout: Optional[float] = None) -> int:
        """
        Wait until it ends.

        :raises subprocess.TimeoutExpired: it did not end within ``timeout`` seconds
        """
        self._read_status(timeout)
        if self.returncode is None:
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        """Send ``sig``, unless it has ended (as Popen: also when it ended and the server has not said so yet)."""
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def terminate(self) -> None:
        """SIGTERM."""
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL."""
        self.send_signal(signal.SIGKILL)


class ForkServer:
    """
    The fork server, started on first use by :meth:`popen` and stopped by :meth:`close`.

    It runs in this interpreter (the bot's virtualenv).
    """

    def __init__(self) -> None:
        self._directory: Optional[tempfile.TemporaryDirectory] = None
        self._server: Optional[subprocess.Popen] = None
        self._lock = threading.Lock()

    @property
    def _path(self) -> str:
        assert self._directory is not None
        return str(Path(self._directory.name) / 'forkserver.sock')

    def _started(self) -> str:
        with self._lock:
            if self._server is None or self._server.poll() is not None:
                self._directory = tempfile.TemporaryDirectory(prefix='forkserver-')
                self._server = subprocess.Popen([sys.executable, '-m', 'fakewebex.forkserver', self._path],
                                                cwd=Path(__file__).resolve().parents[1], stdin=subprocess.PIPE,
                                                stdout=subprocess.PIPE)
                assert self._server.stdout is not None
                if self._server.stdout.readline().strip() != b'ready':
                    raise RuntimeError('the fork server did not start')
            return self._path

    def popen(self, args: list[str], cwd: Path, env: dict[str, str], pass_fds: tuple[int, ...], output: int
              ) -> ForkedProcess:
        """
        Start ``python -m gunicorn <args>`` in a child of the server: in ``cwd``, with exactly ``env``, the file
        descriptors ``pass_fds`` at the same numbers, and its standard output and error on ``output`` (a file
        descriptor).
        """
        import json
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(self._started())
        request = json.dumps({'args': args, 'cwd': str(cwd), 'env': env, 'numbers': list(pass_fds)}).encode()
        _send(conn, request, [output, *pass_fds])
        conn.settimeout(30)
        answer = b''
        while not answer.endswith(b'\n'):
            more = conn.recv(1)
            if not more:
                raise RuntimeError('the fork server did not start the process')
            answer += more
        return ForkedProcess(conn, int(answer), ['python', '-m', 'gunicorn', *args])

    def close(self) -> None:
        """Stop the server (its children are left to their owners)."""
        with self._lock:
            if self._server is not None:
                assert self._server.stdin is not None
                self._server.stdin.close()
                self._server.wait(timeout=10)
                self._server = None
            if self._directory is not None:
                self._directory.cleanup()
                self._directory = None


# --- the server's side

def _exit_code(code: object) -> int:
    """The status an interpreter exits with for ``SystemExit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _child(request: dict, fds: list[int], keep_closed: list[int], started_env: dict[str, str]) -> None:
    """In the forked child: become ``python -m gunicorn <args>`` and exit as an interpreter does; never returns."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for fd in keep_closed:
            os.close(fd)
        if len(fds) != 1 + len(request['numbers']):
            raise RuntimeError(f"{len(fds)} descriptors received for {len(request['numbers'])} and the output")
        above = max([_HIGH_FD, *request['numbers']]) + 1
        high = []
        for fd in fds:
            high.append(fcntl.fcntl(fd, fcntl.F_DUPFD, above))
            os.close(fd)
        output, passed = high[0], high[1:]
        for number, fd in zip(request['numbers'], passed):
            os.dup2(fd, number)
            os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        os.close(null)
        os.close(output)
        os.chdir(request['cwd'])
        env = request['env']
        if any(env.get(name) != started_env.get(name) for name in IMPORT_TIME_VARIABLES):
            os.execve(sys.executable, [sys.executable, '-m', 'gunicorn', *request['args']], env)
        # as ``python -m`` in a new interpreter: the working directory first, then PYTHONPATH, then the rest
        before = [path for path in started_env.get('PYTHONPATH', '').split(os.pathsep) if path]
        after = [path for path in env.get('PYTHONPATH', '').split(os.pathsep) if path]
        sys.path[:] = [request['cwd'], *after, *(path for path in sys.path[1:] if path not in before)]
        os.environ.clear()
        os.environ.update(env)
        sys.argv = ['gunicorn', *request['args']]
        try:
            from gunicorn.app.wsgiapp import run
            run(prog='gunicorn')
            code = 0
        except SystemExit as exit_:
            code = _exit_code(exit_.code)
        except BaseException:  # noqa: B902 - as an interpreter would: the traceback, then status 1
            traceback.print_exc()
            code = 1
        threading._shutdown()  # type: ignore[attr-defined]
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - a stream already closed by the bot
                pass
    except BaseException:  # noqa: B902 - a child that could not be set up says why (in the output once it is there)
        traceback.print_exc()
    finally:
        os._exit(code)


def _end_leftovers(waiting: dict[int, socket.socket]) -> None:
    """The server stops: a child nobody stopped would outlive the run; it is named and killed."""
    for pid in waiting:
        print(f'fork server: process {pid} was left running: killed', file=sys.stderr)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _serve(path: str) -> None:
    started_env = dict(os.environ)
    for name in PRELOADED:
        importlib.import_module(name)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    wake_r, wake_w = socket.socketpair()
    wake_r.setblocking(False)
    wake_w.setblocking(False)
    signal.set_wakeup_fd(wake_w.fileno())
    signal.signal(signal.SIGCHLD, lambda *_: None)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, 'accept')
    selector.register(wake_r, selectors.EVENT_READ, 'child')
    selector.register(sys.stdin, selectors.EVENT_READ, 'stdin')
    waiting: dict[int, socket.socket] = {}
    sys.stdout.write('ready\n')
    sys.stdout.flush()
    while True:
        for key, _ in selector.select(timeout=1.0):
            if key.data == 'stdin' and not os.read(sys.stdin.fileno(), 1):
                _end_leftovers(waiting)
                return
            if key.data == 'accept':
                conn, _ = listener.accept()
                request, fds = _receive_request(conn)
                keep_closed = [listener.fileno(), wake_r.fileno(), wake_w.fileno(), selector.fileno(), conn.fileno(),
                               *(c.fileno() for c in waiting.values())]
                pid = os.fork()
                if pid == 0:
                    _child(request, fds, keep_closed, started_env)
                for fd in fds:
                    os.close(fd)
                waiting[pid] = conn
                conn.sendall(f'{pid}\n'.encode())
            if key.data == 'child':
                try:
                    while wake_r.recv(512):
                        pass
                except BlockingIOError:
                    pass
        while waiting:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            conn = waiting.pop(pid, None)
            if conn is not None:
                try:
                    conn.sendall(f'{os.waitstatus_to_exitcode(status)}\n'.encode())
                except OSError:
                    pass
                conn.close()


if __name__ == '__main__':
    _serve(sys.argv[1])
