"""
The real bot against the emulator: ``gunicorn 'wxc_cc_bot:create_app()'`` in a child process, as a deployment runs
it, configured to talk to a :class:`~fakewebex.FakeWebex`. The end-to-end tests and the benchmark (``bench/run.py``)
start the bot this way.

The bot serves on a socket bound here to port 0 on 127.0.0.1 and handed to gunicorn as ``fd://``, so the port is
known before the bot starts, nobody else can take it, and it survives restarts of the bot.
"""
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Optional, Union

import requests

from .forkserver import ForkedProcess, ForkServer
from .models import Person
from .server import FakeWebex
from .servers import children, listening_socket, stop

__all__ = ['BOT_NAME', 'BASE_ARGS', 'BotProcess', 'bot_env', 'wait_bot_ready']

log = logging.getLogger(__name__)

#: the bot's name (``WXC_CC_BOT_NAME``), the prefix of its webhooks
BOT_NAME = 'ccbot'

#: gunicorn options of every start: no control socket, the log on stdout (a quick graceful stop, 5 s, unless a
#: settings module says otherwise)
BASE_ARGS = ('--no-control-socket', '--log-file', '-')


def _code_directory() -> str:
    """The directory the bot's modules are imported from: the checkout, or site-packages when installed."""
    spec = importlib.util.find_spec('wxc_cc_bot')
    if spec is None or spec.origin is None:
        raise RuntimeError('the bot (wxc_cc_bot) is not importable')
    return str(Path(spec.origin).resolve().parent)


def bot_env(fake: FakeWebex, bot: Person, client_id: str, client_secret: str, **extra: str) -> dict[str, str]:
    """
    The environment of a bot talking to ``fake``.

    :param fake: the emulator (its API base URL)
    :param bot: the bot's account in the emulator (email and token)
    :param client_id: the integration's client id (as given to :meth:`~fakewebex.FakeWebex.add_integration`)
    :param client_secret: its secret
    :param extra: more variables by name; they win
    :return: variables by name
    """
    return {'WXC_CC_BOT_EMAIL': bot.email, 'WXC_CC_BOT_ACCESS_TOKEN': bot.token, 'WXC_CC_BOT_NAME': BOT_NAME,
            'WXC_CC_INTEGRATION_CLIENT_ID': client_id, 'WXC_CC_INTEGRATION_CLIENT_SECRET': client_secret,
            'WEBEX_API_BASE_URL': fake.base_url, 'LOG_LEVEL': 'DEBUG', **extra}


def wait_bot_ready(url: str, process: Union[subprocess.Popen, ForkedProcess], timeout: float, output: Callable[[], str],
                   statuses: tuple[int, ...] = (200,), path: str = '/ready') -> None:
    """
    Wait until ``GET {url}{path}`` answers 200 (or another of ``statuses``): the bot can serve, its stores answer.
    Another process offers nothing to wait on but its answers, so this asks every 50 ms.

    :param url: the server's base URL
    :param process: the server's process; its exit ends the wait
    :param timeout: seconds
    :param output: the process's output so far, for the error
    :param statuses: the answers that count as ready
    :param path: the route asked (``/health`` for code from before ``/ready`` existed)
    :raises RuntimeError: with the process's output, when it exits or is not ready within ``timeout`` seconds
    """
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f'{process.args} exited with {process.returncode}:\n{output()}')
        try:
            if requests.get(f'{url}{path}', timeout=1).status_code in statuses:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f'not ready within {timeout} s:\n{output()}')
        time.sleep(0.05)


class BotProcess:
    """
    ``gunicorn 'wxc_cc_bot:create_app()'`` as a deployment runs it.

    :param env: the bot's environment variables (``WXC_CC_BOT_URL`` is set to the socket's URL); ``PATH`` and
        ``PYTHONPATH`` (the directory of the bot's code) are added
    :param cwd: working directory (the YAML token file and ``bot.log`` land here)
    :param workers: gunicorn workers
    :param gunicorn_args: more gunicorn options; with a settings module (``-c``), its graceful timeout applies,
        else 5 s
    :param logger_class: gunicorn's ``--logger-class`` (``None``: gunicorn's own, for code from before it existed)
    :param ready_path: the route that says the bot can serve (``/health`` for code from before ``/ready`` existed)
    :param python: the interpreter whose gunicorn runs the bot (another virtualenv's, for the original bot)
    :param base_args: the options every start has besides the socket, the workers and the graceful timeout
        (:data:`BASE_ARGS`; an older gunicorn knows no ``--no-control-socket``)
    :param sock: the listening socket to serve on (default: a new :func:`~fakewebex.servers.listening_socket`); it
        is closed with the bot
    :param forks: start gunicorn from this fork server, whose libraries are imported already (the tests: about two
        seconds of CPU less a process), instead of a new interpreter (``python`` is then the server's)
    """

    def __init__(self, env: dict[str, str], cwd: Path, workers: int = 1, gunicorn_args: tuple[str, ...] = (),
                 logger_class: Optional[str] = 'wxc_cc.logsetup.GunicornLogger', ready_path: str = '/ready',
                 python: str = sys.executable, base_args: tuple[str, ...] = BASE_ARGS,
                 sock: Optional[socket.socket] = None, forks: Optional[ForkServer] = None):
        self.sock = sock or listening_socket()
        self.url = f'http://127.0.0.1:{self.sock.getsockname()[1]}'
        self.env = {'PATH': os.environ['PATH'], 'PYTHONPATH': _code_directory(), 'WXC_CC_BOT_URL': self.url, **env}
        self.cwd = cwd
        self.workers = workers
        self.python = python
        self.gunicorn_args = (*base_args, *(('--logger-class', logger_class) if logger_class else ()), *gunicorn_args)
        self.log_path = cwd / 'bot.log'
        self.ready_path = ready_path
        self.forks = forks
        self.process: Optional[Union[subprocess.Popen, ForkedProcess]] = None

    def start(self, timeout: float = 30.0, ready: bool = True) -> 'BotProcess':
        """
        Start and wait until /ready answers 200 (with ``ready=False``: until it answers at all).

        :raises RuntimeError: when the bot exits or is not ready in time (it is stopped then)
        """
        fd = self.sock.fileno()
        graceful = () if '-c' in self.gunicorn_args else ('--graceful-timeout', '5')
        args = ['--bind', f'fd://{fd}', '--workers', str(self.workers), *graceful, *self.gunicorn_args,
                'wxc_cc_bot:create_app()']
        with open(self.log_path, 'ab') as output:
            if self.forks is not None:
                self.process = self.forks.popen(args, self.cwd, self.env, (fd,), output.fileno())
            else:
                self.process = subprocess.Popen([self.python, '-m', 'gunicorn', *args], cwd=self.cwd, env=self.env,
                                                pass_fds=(fd,), stdout=output, stderr=subprocess.STDOUT)
        log.debug('bot started at %s (pid %d)', self.url, self.process.pid)
        try:
            wait_bot_ready(self.url, self.process, timeout, self.log, (200,) if ready else (200, 503),
                           self.ready_path)
        except RuntimeError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """SIGTERM and wait (SIGKILL after 15 s)."""
        stop(self.process, timeout=15)

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the master's children."""
        if self.process is None or self.process.poll() is not None:
            return []
        return children(self.process.pid)

    def kill(self) -> None:
        """SIGKILL the workers, then the master: a machine lost, no chance to finish anything."""
        for pid in self.worker_pids():
            os.kill(pid, signal.SIGKILL)
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        """Stop and start again on the same socket."""
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop and release the socket."""
        self.stop()
        self.sock.close()

    def log(self) -> str:
        """Everything the bot wrote to stdout and stderr."""
        return self.log_path.read_text(errors='replace') if self.log_path.exists() else ''

    def __enter__(self) -> 'BotProcess':
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
