"""
The real bot in a real WSGI server: gunicorn in a child process, on a socket the test bound to port 0 on
127.0.0.1 (handed over as ``fd://``, so the port is known before the bot starts and survives restarts).
"""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from collections.abc import Callable
from typing import Optional

import requests

REPO = Path(__file__).resolve().parent.parent


def wait_healthy(url: str, process: subprocess.Popen, timeout: float, log: Callable[[], str],
                 statuses: tuple[int, ...] = (200,)) -> None:
    """
    Wait until ``GET {url}/health`` answers 200 (or another of ``statuses``).

    :raises RuntimeError: with the process's output, when it exits or is not healthy within ``timeout`` seconds
    """
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f'{process.args} exited with {process.returncode}:\n{log()}')
        try:
            if requests.get(f'{url}/health', timeout=1).status_code in statuses:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f'not healthy within {timeout} s:\n{log()}')
        time.sleep(0.05)


class BotProcess:
    """
    ``gunicorn 'wxc_cc_bot:create_app()'`` as a deployment runs it.

    :param env: the bot's environment variables (``WXC_CC_BOT_URL`` is set to the socket's URL)
    :param cwd: working directory (the YAML token file lands here)
    :param workers: gunicorn workers
    :param gunicorn_args: more gunicorn options
    :param logger_class: gunicorn's ``--logger-class`` (``None``: gunicorn's own, for code from before it existed)
    """

    def __init__(self, env: dict[str, str], cwd: Path, workers: int = 1, gunicorn_args: tuple[str, ...] = (),
                 logger_class: Optional[str] = 'wxc_cc.logsetup.GunicornLogger'):
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(64)
        self.url = f'http://127.0.0.1:{self.sock.getsockname()[1]}'
        self.env = {'PATH': os.environ['PATH'], 'PYTHONPATH': str(REPO), 'WXC_CC_BOT_URL': self.url, **env}
        self.cwd = cwd
        self.workers = workers
        self.gunicorn_args = (*(('--logger-class', logger_class) if logger_class else ()), *gunicorn_args)
        self.log_path = cwd / 'bot.log'
        self.process: Optional[subprocess.Popen] = None

    def start(self, timeout: float = 30.0, healthy: bool = True) -> 'BotProcess':
        """
        Start and wait until /health answers 200 (with ``healthy=False``: until it answers at all).
        """
        fd = self.sock.fileno()
        with open(self.log_path, 'ab') as log:
            self.process = subprocess.Popen(
                [sys.executable, '-m', 'gunicorn', '--bind', f'fd://{fd}', '--workers', str(self.workers),
                 '--no-control-socket', '--graceful-timeout', '5', '--log-file', '-', *self.gunicorn_args,
                 'wxc_cc_bot:create_app()'],
                cwd=self.cwd, env=self.env, pass_fds=(fd,), stdout=log, stderr=subprocess.STDOUT)
        wait_healthy(self.url, self.process, timeout, self.log, (200,) if healthy else (200, 503))
        return self

    def stop(self) -> None:
        """SIGTERM and wait."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the master's children."""
        if self.process is None or self.process.poll() is not None:
            return []
        children = Path(f'/proc/{self.process.pid}/task/{self.process.pid}/children')
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

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
