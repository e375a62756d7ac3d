"""
Shared fixtures: an isolated environment and working directory for every test, the bot's settings, a real
throwaway Redis server for the whole session, ports (fakewebex/servers.py), the end-to-end setup (``e2e``), and checks
that every thread a test started has ended with it and every process by the end of the session. The tests run in
parallel (pytest-xdist): the session is then one worker's, with its own Redis, ports and temporary directories.
"""
import ast
import functools
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from fakewebex import FakeWebex
from fakewebex.servers import RedisServer, refused_port, reserved_port
from wxc_cc.config import Settings, load_settings

#: environment variables the bot reads; none may leak into a test from the developer's shell
BOT_VARIABLES = ('WXC_CC_', 'REDIS_', 'NGROK_HOST', 'HEROKU_NAME', 'PORT', 'WEBEX_API_BASE_URL', 'LOG_LEVEL',
                 'LOCALE')

#: the checkout
REPO = Path(__file__).resolve().parent.parent
API = 'https://webex.test/v1'
PUBLIC_URL = 'https://bot.test'
BOT_TOKEN = 'bot-access-token-0123456789'
CLIENT_SECRET = 'integration-client-secret-42'


def child_processes() -> dict[int, str]:
    """This process's children that have not ended (zombies have): their command lines by process id."""
    children = {}
    for task in Path(f'/proc/{os.getpid()}/task').iterdir():
        for pid in (task / 'children').read_text().split():
            try:
                if Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()[0] != 'Z':
                    children[int(pid)] = Path(f'/proc/{pid}/cmdline').read_text().replace('\0', ' ').strip()
            except (OSError, IndexError):
                pass  # ended meanwhile
    return children


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """
    ``-n auto``: a worker per core and one more, which runs while the others wait for their bots and servers (on two
    cores: 4 min 24 s for the suite against 4 min 46 s with two workers).
    """
    return (os.cpu_count() or 1) + 1


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """
    How pytest-xdist hands out the tests: each to whichever worker is free, except that the tests of a module that
    defines a fixture made once per module or class (the built documentation, the package's virtualenv) go together
    to one worker, so that it is made once; those modules go first, as they take longest. (``--dist loadgroup`` with
    ``xdist_group`` marks would do this, but does not on pytest 9.2: pytest-xdist issue 1386.)
    """
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixturesTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid, config.rootpath)

    return SharedFixturesTogether(config, log)


def work_unit(nodeid: str, rootpath: Path) -> str:
    """What pytest-xdist hands to one worker at once: the test, or its module when that defines a shared fixture."""
    module = nodeid.split('::', 1)[0]
    return module if defines_shared_fixture(rootpath / module) else nodeid


@functools.cache
def defines_shared_fixture(module: Path) -> bool:
    """Whether a test module defines a fixture made once per module or class: ``@pytest.fixture(scope='module')``."""
    for node in ast.walk(ast.parse(module.read_text(encoding='utf-8'))):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and getattr(decorator.func, 'attr', None) == 'fixture' and any(
                        keyword.arg == 'scope' and getattr(keyword.value, 'value', None) in ('module', 'class')
                        for keyword in decorator.keywords):
                    return True
    return False


@pytest.fixture(scope='session', autouse=True)
def no_process_left() -> Iterator[None]:
    """
    Every process the tests started (the bot under gunicorn, redis-servers, scripts) has ended by the end of the
    session (those left are killed, so that nothing outlives the run). Set up before any other fixture of the
    session, so checked after all of them stopped theirs.
    """
    before = set(child_processes())
    yield
    left = {pid: command for pid, command in child_processes().items() if pid not in before}
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f'processes the tests started were still running: {left}'


@pytest.fixture(autouse=True)
def no_thread_left() -> Iterator[None]:
    """
    Every thread a test started (its fixtures' included) has ended when the test and its fixtures are done: checked
    after every function fixture's teardown, as autouse fixtures are set up first. A thread on its way out gets up
    to 2 s in all.
    """
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 2
    left = []
    for thread in threading.enumerate():
        if thread not in before:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                left.append(thread.name)
    assert not left, f'threads the test started are still running: {left}'


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """
    Every test runs in its own empty working directory with none of the bot's variables set.
    """
    for name in list(os.environ):
        if name.startswith(BOT_VARIABLES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def settings_values(**overrides: object) -> dict:
    """
    A complete set of settings by variable name, for a bot talking to :data:`API`.
    """
    values = {'WXC_CC_BOT_EMAIL': 'ccbot@webex.bot', 'WXC_CC_BOT_ACCESS_TOKEN': BOT_TOKEN,
              'WXC_CC_BOT_NAME': 'ccbot', 'WXC_CC_INTEGRATION_CLIENT_ID': 'client-id',
              'WXC_CC_INTEGRATION_CLIENT_SECRET': CLIENT_SECRET, 'WEBEX_API_BASE_URL': API,
              'WXC_CC_BOT_URL': PUBLIC_URL}
    values.update(overrides)
    return values


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """
    Settings for unit tests: the API at :data:`API`, the token file in the test's directory; a test may
    parametrize it (``indirect=True``) with more values by variable name.
    """
    overrides = getattr(request, 'param', {})
    return load_settings(settings_values(token_file=str(tmp_path / 'wxc_cc_bot.yml'), **overrides), environ={})


@pytest.fixture(scope='session')
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """
    A real redis-server for the whole session (on a port chosen as :func:`fakewebex.servers.fixed_port` says). Missing
    redis-server is an error, not a skip: the Redis store must be tested.
    """
    if shutil.which('redis-server') is None:
        pytest.fail('redis-server is not installed (apt-get install redis-server); the Redis tests need it')
    # DEBUG SLEEP stalls it in the fault tests; Redis 7 allows DEBUG only when told (6.2 always does)
    version = subprocess.run(['redis-server', '--version'], capture_output=True, text=True).stdout
    debug = ('--enable-debug-command', 'local') if not re.search(r'v=[0-6]\.', version) else ()
    server = RedisServer.launch(tmp_path_factory.mktemp('redis'), options=debug)
    yield server
    server.stop()


@pytest.fixture
def refused() -> Iterator[int]:
    """A port on 127.0.0.1 where connections are refused (:func:`fakewebex.servers.refused_port`)."""
    with refused_port() as port:
        yield port


@pytest.fixture
def port() -> Iterator[int]:
    """
    A port held for a server that binds it by number with ``SO_REUSEPORT`` (gunicorn ``--reuse-port`` binding
    ``$PORT``; :func:`fakewebex.servers.reserved_port`).
    """
    with reserved_port() as port:
        yield port


@pytest.fixture
def fake() -> Iterator[FakeWebex]:
    """The emulator on a socket, stopped afterwards; the test fails if anything left Webex's documents."""
    from tests.e2e import running_fake  # tests.e2e imports this module
    with running_fake() as fake:
        yield fake


@pytest.fixture(scope='session')
def fork_server():
    """
    The session's :class:`~fakewebex.forkserver.ForkServer`, which the ``e2e`` fixture starts the bot's gunicorn
    from: the libraries imported once, not at every start.
    """
    from fakewebex.forkserver import ForkServer
    server = ForkServer()
    yield server
    server.close()


@pytest.fixture
def e2e(fake: FakeWebex, tmp_path: Path, fork_server):
    """
    The bot's account in the emulator ``fake`` and the real bot under gunicorn against it, started by the test
    (``e2e.start(...)``, from the session's fork server) and closed when it ends: :class:`tests.e2e.EndToEnd`.
    """
    from tests.e2e import EndToEnd
    with EndToEnd(fake, tmp_path, fork_server) as e2e:
        yield e2e


@pytest.fixture
def redis_client(redis_server: RedisServer) -> redis.Redis:
    """A client of the session's Redis, emptied before the test."""
    client = redis_server.client()
    client.flushall()
    return client


@pytest.fixture
def webex(settings: Settings):
    """
    The Webex cloud faked at the HTTP boundary with `responses`; every request the bot made must be in Webex's
    published documents.
    """
    import responses

    from tests.webexmock import WebexMock
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock = WebexMock(rsps, settings)
        yield mock
        violations = mock.contract_violations()
        assert not violations, 'requests outside Webex\'s documents:\n' + '\n'.join(map(str, violations))


#: the test user (tests.webexmock.USER_EMAIL) is an admin unless a test writes another policy
DEFAULT_POLICY = {'admins': ['alice@example.com']}


@pytest.fixture
def policy(tmp_path: Path) -> dict:
    """The access policy the bot starts with (written to wxc_cc_config.json); change it before using `bot`."""
    return dict(DEFAULT_POLICY)


@pytest.fixture
def bot(settings: Settings, webex, policy: dict, tmp_path: Path):
    """The bot, started against the mocked Webex; the start-up requests are already forgotten."""
    import json

    (tmp_path / 'wxc_cc_config.json').write_text(json.dumps(policy))
    app = start_bot_in_process(webex, settings)
    yield app
    shut_down(app)


def started_bot(webex, **values: str):
    """
    A bot with these settings (by variable name, over :func:`settings_values`), started against the mocked Webex;
    the start-up requests are already forgotten. Shut it down with :func:`shut_down`.
    """
    return start_bot_in_process(webex, load_settings(settings_values(**values), environ={}))


def start_bot_in_process(webex, settings: Settings):
    """The bot with ``settings``, started against the mocked Webex; the start-up requests are already forgotten."""
    from wxc_cc_bot import CallControlBot
    webex.bot_setup()
    app = CallControlBot(settings=settings)
    assert app.core.healer.started.wait(10), 'the check at start is done before the test pokes at the store'
    webex.reset()
    return app


def shut_down(app) -> None:
    """Shut a bot built in the test process down, and check that its threads ended."""
    assert app.core.shutdown(5), 'the work the test caused is done'
    assert not app.core.healer.running, 'the webhook checks ended'
    assert app.core.worker.threads_alive() == 0, 'the workers ended'


@pytest.fixture
def client(bot):
    """
    Flask test client of the bot. Commands run after the response; each request returns once the work it
    caused is done, so that tests see all of it.
    """
    from flask.testing import FlaskClient

    class SettlingClient(FlaskClient):
        def open(self, *args, **kwargs):
            response = super().open(*args, **kwargs)
            assert self.application.core.worker.wait_idle(10), 'work not done in time'
            return response

    bot.test_client_class = SettlingClient
    return bot.test_client()
