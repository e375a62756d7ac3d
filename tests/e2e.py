"""
Helpers of the end-to-end tests: a person's chat with the bot in the fake Webex, starting the real bot against
the fake, authorizing a person through the real OAuth flow, counting what the bot asked of Webex, and holding both
to Webex's published documents. :class:`EndToEnd` (the ``e2e`` fixture) is the setup most of them open with.
"""
import json
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Optional

import requests

from fakewebex import FakeWebex, Person, harness
from fakewebex.forkserver import ForkServer
from fakewebex.harness import BotProcess
from tests.conftest import CLIENT_SECRET

#: the integration's client id in the tests' emulators
CLIENT_ID = 'client-id'


class Chat:
    """A person's 1:1 space with the bot, as seen in the fake Webex."""

    def __init__(self, fake: FakeWebex, person: Person, bot: Person):
        self.fake, self.person, self.bot = fake, person, bot

    def seen(self) -> set[str]:
        """Ids of the messages in the space now."""
        return {m['id'] for m in self.fake.messages(person=self.person)}

    def wait_reply(self, contains: str, seen: set[str], timeout: float = 10.0) -> str:
        """The first new bot message containing ``contains``."""
        message = self.fake.wait_for_message(
            lambda m: m['id'] not in seen and m['personId'] == self.bot.id and contains in (m.get('markdown') or '')
            and m['roomId'] == self.fake.direct_room(self.person), timeout=timeout)
        return message['markdown']

    def replies_since(self, seen: set[str]) -> list[str]:
        """The bot's messages that are not in ``seen``."""
        return [m.get('markdown') or '' for m in self.fake.messages(person=self.person)
                if m['id'] not in seen and m['personId'] == self.bot.id]

    def say(self, text: str, contains: str) -> str:
        """Send ``text``; return the bot's reply that contains ``contains``."""
        seen = self.seen()
        self.fake.send_message(self.person, text)
        return self.wait_reply(contains, seen)

    def expect(self, action: Callable[[], object], contains: str) -> str:
        """Do something (e.g. ring the phone); return the bot's message about it."""
        seen = self.seen()
        action()
        return self.wait_reply(contains, seen)

    def authorize(self, redirect_to: Optional[str] = None, command: str = '/auth',
                  texts: tuple[str, str] = ('to authorize me', 'Authorized as')) -> None:
        """
        /auth (or ``command``, e.g. ``/auth force``), then consent in the "browser"; the redirect goes where Webex
        sends it, or to ``redirect_to`` (another instance of the bot).

        :param texts: what the message with the link and the one after consent say (in the bot's language)
        """
        link = re.search(r'\[link\]\((\S+)\)', self.say(command, texts[0]), re.IGNORECASE).group(1)
        self.fake.consent_as = self.person
        seen = self.seen()
        consent = requests.get(link, allow_redirects=False, timeout=10)
        location = consent.headers['Location']
        if redirect_to:
            location = re.sub(r'^https?://[^/]+', redirect_to, location)
        assert requests.get(location, timeout=10).status_code == 200
        self.wait_reply(texts[1], seen)


class SelfBound:
    """
    ``python wxc_cc_bot.py`` (or the ``wxc-cc-bot`` script) with ``PORT=0``: it binds a port the kernel picks, so
    nobody can take it first, and logs it (``serving on port N``); its output is read as it comes.

    :param command: the command line
    :param env: its whole environment
    :param cwd: its working directory
    """

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path):
        self.process = subprocess.Popen(command, cwd=cwd, env={**env, 'PORT': '0'}, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self._lines: list[str] = []
        self._port: Optional[int] = None
        self._serving = threading.Event()
        self._reader = threading.Thread(target=self._read, name='bot-output')
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self._lines.append(line)
            if self._port is None and (serving := re.search(r'serving on port (\d+)', line)):
                self._port = int(serving[1])
                self._serving.set()
        self._serving.set()  # the end of the output: the process ended

    def url(self, timeout: float = 20.0) -> str:
        """``http://127.0.0.1:PORT`` once it serves."""
        assert self._serving.wait(timeout), f'not serving within {timeout} s:\n{self.output}'
        assert self._port, f'ended without serving:\n{self.output}'
        return f'http://127.0.0.1:{self._port}'

    def stop(self) -> int:
        """SIGTERM; its exit status."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=5)
            self._reader.join(timeout=10)
        return self.process.returncode

    @property
    def output(self) -> str:
        """What it wrote to stdout and stderr so far."""
        return ''.join(self._lines)


def wait_until(condition: Callable[[], bool], timeout: float = 5.0, interval: float = 0.01) -> None:
    """
    Poll ``condition`` until it holds; fail after ``timeout`` seconds. Only for what offers nothing to wait on:
    another process's log or its /health. What the emulator holds: :meth:`fakewebex.FakeWebex.wait_until`.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, 'condition not met in time'
        time.sleep(interval)


def new_fake(**kwargs) -> FakeWebex:
    """A started fake Webex with the bot's integration, rotating refresh tokens (the strict case)."""
    fake = FakeWebex(**kwargs).start()
    fake.rotate_refresh_tokens = True
    fake.add_integration(CLIENT_ID, CLIENT_SECRET)
    return fake


def assert_contract_kept(fake: FakeWebex) -> None:
    """Every request the fake received and every answer it gave was in Webex's published documents."""
    violations = fake.contract_violations
    assert not violations, 'outside Webex\'s documents:\n' + '\n'.join(
        f'  {v.direction}: {v.method} {v.path}: {v.detail}' for v in violations)


@contextmanager
def running_fake(**kwargs) -> Iterator[FakeWebex]:
    """
    :func:`new_fake`, stopped afterwards; fails if anything left Webex's documents (see :mod:`fakewebex.contract`).
    """
    fake = new_fake(**kwargs)
    try:
        yield fake
    finally:
        fake.stop()
    assert_contract_kept(fake)


def bot_env(fake: FakeWebex, bot: Person, **extra: str) -> dict[str, str]:
    """The environment of a bot talking to ``fake`` with the tests' integration (:func:`new_fake`)."""
    return harness.bot_env(fake, bot, CLIENT_ID, CLIENT_SECRET, **extra)


def start_bot(fake: FakeWebex, bot: Person, cwd: Path, workers: int = 1, policy: Optional[dict] = None,
              gunicorn_args: tuple[str, ...] = (), forks: Optional[ForkServer] = None, **extra: str) -> BotProcess:
    """
    The bot under gunicorn, healthy; ``policy`` is written to its policy file first.

    :param forks: the fork server to start gunicorn from (default: a new interpreter)
    """
    if policy is not None:
        (cwd / 'wxc_cc_config.json').write_text(json.dumps(policy))
    return BotProcess(bot_env(fake, bot, **extra), cwd, workers=workers, gunicorn_args=gunicorn_args,
                      forks=forks).start()


def calls_made(fake: FakeWebex, mark: int, count: int) -> list[tuple[str, str, str]]:
    """(method, path, identity) of the requests since ``mark``, once there are ``count`` of them."""
    fake.wait_until(lambda: len(fake.requests_since(mark)) >= count)
    fake.wait_deliveries_idle()
    return [(r.method, re.sub(r'/messages/\S+', '/messages/{id}', r.path), r.identity)
            for r in fake.requests_since(mark)]


class EndToEnd:
    """
    What an end-to-end test opens with: the bot's account in the emulator (:attr:`bot`), the real bot under gunicorn
    against it (:meth:`start`), and people's chats with it (:meth:`chat`). Every instance started is closed when
    this closes (the ``e2e`` fixture of tests/conftest.py: when the test ends, before the emulator stops), and so is
    what the test hands to :meth:`add_cleanup`, in the reverse order.

    :param fake: the emulator
    :param directory: the bot's working directory unless :meth:`start` is given another (the test's)
    :param forks: the fork server the bot's gunicorn is started from (default: a new interpreter each time)
    """

    def __init__(self, fake: FakeWebex, directory: Path, forks: Optional[ForkServer] = None):
        self.fake = fake
        self.directory = directory
        self.forks = forks
        #: the bot's account in the emulator
        self.bot = fake.add_bot('ccbot@webex.bot', 'CC Bot')
        self._started = ExitStack()

    def chat(self, person: Person) -> Chat:
        """``person``'s 1:1 space with the bot."""
        return Chat(self.fake, person, self.bot)

    def start(self, directory: Optional[Path] = None, workers: int = 1, policy: Optional[dict] = None,
              gunicorn_args: tuple[str, ...] = (), **extra: str) -> BotProcess:
        """
        :func:`start_bot` in ``directory`` (made when missing), closed with this.

        :param directory: the bot's working directory (default: :attr:`directory`)
        """
        directory = directory or self.directory
        directory.mkdir(parents=True, exist_ok=True)
        process = start_bot(self.fake, self.bot, directory, workers, policy, gunicorn_args, self.forks, **extra)
        self._started.callback(process.close)
        return process

    def add_cleanup(self, stop: Callable[[], object]) -> None:
        """
        ``stop()`` when this closes: after the instances started later, before those started earlier (e.g. a Redis
        server of the test's own, which must outlive the bot).
        """
        self._started.callback(stop)

    def close(self) -> None:
        """Close every instance started and call the cleanups, the last first (a close waits for the bot to stop)."""
        self._started.close()

    def __enter__(self) -> 'EndToEnd':
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
