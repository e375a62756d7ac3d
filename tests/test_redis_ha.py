"""
Redis in production: how the client is built from the settings (Sentinel, passwords, TLS, which variable wins),
a master demoted or killed under the bot's feet (real redis-server and Sentinel processes, see tests/redisha.py),
and TLS with a private CA, end to end with the real bot.
"""
import logging
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Optional

import pytest
import redis
import requests
from redis.sentinel import SentinelConnectionPool

from fakewebex import FakeWebex
from fakewebex.harness import wait_bot_ready
from tests.conftest import settings_values
from tests.e2e import running_fake, wait_until
from tests.redisha import MASTER_NAME, SentinelSetup, TLSFiles, private_ca
from fakewebex.servers import RedisServer, fixed_port
from tests.test_stores import context
from wxc_cc.config import load_settings
from wxc_cc.errors import StoreUnavailable
from wxc_cc.redaction import protect_logs
from wxc_cc.stores import RedisTokenManager, build_stores, redis_from_settings
from wxc_cc.stores.redis_client import FAILOVER_RIDE_THROUGH, MasterConnection, MasterSSLConnection

pytestmark = pytest.mark.e2e

SENTINELS = 's1.example:26379,s2.example:26380'


def client_of(**variables: str) -> redis.Redis:
    return redis_from_settings(load_settings(settings_values(**variables), environ={}))


# --- the client as configured


def test_through_sentinel_with_password_and_tls():
    """The URL says how to talk to the master (user, password, TLS, CA, database), not where it is."""
    client = client_of(REDIS_SENTINELS=SENTINELS, REDIS_SENTINEL_MASTER='mymaster', REDIS_SENTINEL_PASSWORD='s-pass',
                       REDIS_URL='rediss://bot:m%40ster@mymaster/3?ssl_cert_reqs=required&ssl_ca_certs=/etc/ca.pem')
    pool = client.connection_pool
    assert isinstance(pool, SentinelConnectionPool) and pool.service_name == 'mymaster' and pool.is_master
    assert pool.connection_class is MasterSSLConnection
    kwargs = pool.connection_kwargs
    assert (kwargs['username'], kwargs['password'], kwargs['db']) == ('bot', 'm@ster', 3)
    assert (kwargs['ssl_cert_reqs'], kwargs['ssl_ca_certs']) == ('required', '/etc/ca.pem')
    assert 'host' not in kwargs, 'the Sentinels say where the master is'
    assert (kwargs['socket_timeout'], kwargs['socket_connect_timeout'], kwargs['decode_responses']) == (5, 2, True)
    retry = kwargs['retry']
    assert retry.get_retries() == 12 and redis.exceptions.ReadOnlyError in retry._supported_errors
    sentinels = pool.sentinel_manager.sentinels
    assert [(s.connection_pool.connection_kwargs['host'], s.connection_pool.connection_kwargs['port'])
            for s in sentinels] == [('s1.example', 26379), ('s2.example', 26380)]
    for sentinel in sentinels:
        sentinel_kwargs = sentinel.connection_pool.connection_kwargs
        assert issubclass(sentinel.connection_pool.connection_class, redis.SSLConnection)
        assert (sentinel_kwargs['password'], sentinel_kwargs['ssl_ca_certs']) == ('s-pass', '/etc/ca.pem')
        assert sentinel_kwargs['retry'].get_retries() == 0, 'a Sentinel that does not answer: ask the next'


def test_through_sentinel_without_url_and_with_heroku_style_tls():
    plain = client_of(REDIS_SENTINELS=SENTINELS, REDIS_SENTINEL_MASTER='mymaster').connection_pool
    assert plain.connection_class is MasterConnection and plain.connection_kwargs.get('password') is None
    assert plain.sentinel_manager.sentinels[0].connection_pool.connection_kwargs.get('password') is None
    # rediss:// without ssl_cert_reqs: no verification, as for Heroku Redis, for the master and the Sentinels
    tls = client_of(REDIS_SENTINELS=SENTINELS, REDIS_SENTINEL_MASTER='mymaster',
                    REDIS_TLS_URL='rediss://:pw@mymaster').connection_pool
    connection = tls.connection_class(**tls.connection_kwargs)
    sentinel = tls.sentinel_manager.sentinels[0].connection_pool
    assert connection.cert_reqs == sentinel.connection_class(**sentinel.connection_kwargs).cert_reqs == 0


@pytest.mark.parametrize('variables, used, ignored', [
    ({'REDIS_SENTINELS': SENTINELS, 'REDIS_SENTINEL_MASTER': 'm', 'REDIS_HOST': 'h', 'REDIS_URL': 'redis://:p@m'},
     'master', 'REDIS_HOST not used'),
    ({'REDIS_SENTINELS': SENTINELS, 'REDIS_SENTINEL_MASTER': 'm', 'REDIS_TLS_URL': 'rediss://:p@m',
      'REDIS_URL': 'redis://:q@m'}, 'master', 'REDIS_URL not used'),
    ({'REDIS_HOST': 'h:7000', 'REDIS_URL': 'redis://u:6379'}, 'h:7000', 'REDIS_URL not used'),
    ({'REDIS_TLS_URL': 'rediss://:p@t:6380', 'REDIS_URL': 'redis://u:6379'}, 't:6380 over TLS', 'REDIS_URL not used'),
    ({'REDIS_URL': 'redis://u:6379'}, 'u:6379', None),
])
def test_which_redis_variable_wins(variables: dict, used: str, ignored, caplog: pytest.LogCaptureFixture):
    """REDIS_SENTINELS, then REDIS_HOST, then REDIS_TLS_URL, then REDIS_URL; the log says which, without password."""
    with caplog.at_level(logging.INFO, logger='wxc_cc.stores.redis_client'):
        client = client_of(**variables)
    assert used in caplog.text
    assert ('not used' in caplog.text) is (ignored is not None) and (ignored or '') in caplog.text
    assert ':p@' not in caplog.text and ':q@' not in caplog.text
    if 'REDIS_SENTINEL_MASTER' in variables:
        assert client.connection_pool.connection_kwargs['password'] == 'p'


def test_redis_passwords_are_masked_in_the_log(caplog: pytest.LogCaptureFixture):
    settings = load_settings(settings_values(REDIS_URL='redis://:url-p%40ssword@redis.internal/0',
                                             REDIS_SENTINELS=SENTINELS, REDIS_SENTINEL_MASTER='m',
                                             REDIS_SENTINEL_PASSWORD='sentinel-password'), environ={})
    protect_logs(*settings.secrets)
    with caplog.at_level(logging.INFO):
        logging.getLogger('tests.redis').info('%s, %s, %s', settings.redis_url, 'url-p@ssword', 'sentinel-password')
    assert caplog.messages == ['redis://:***@redis.internal/0, ***, ***'], 'the password, not the host'


# --- a replica, a demoted master


def test_a_write_to_a_replica_is_the_store_being_unavailable(redis_server: RedisServer, tmp_path: Path):
    """READONLY (a master demoted behind a name that still points at it) is an outage, not a bug."""
    port = fixed_port()
    replica = subprocess.Popen(['redis-server', '--port', str(port), '--bind', '127.0.0.1', '--save', '',
                                '--replicaof', '127.0.0.1', str(redis_server.port), '--dir', str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        store = RedisTokenManager(client_of(REDIS_URL=f'redis://127.0.0.1:{port}/0'))
        wait_until(lambda: _answers(store), timeout=10)
        with pytest.raises(StoreUnavailable, match='ReadOnlyError'):
            store.set_user_context(context('alice'))
    finally:
        replica.kill()
        replica.wait(timeout=10)


def _answers(store: RedisTokenManager) -> bool:
    try:
        store.get_user_context('nobody')
        return True
    except StoreUnavailable:
        return False


@pytest.fixture
def sentinels(tmp_path: Path) -> Iterator[SentinelSetup]:
    (tmp_path / 'redis').mkdir()
    setup = SentinelSetup(tmp_path / 'redis', password='master-password-1', sentinel_password='sentinel-password-2')
    try:
        yield setup.start()
    finally:
        setup.stop()


def test_writes_follow_a_master_demoted_by_a_failover(sentinels: SentinelSetup):
    """
    ``SENTINEL FAILOVER``: the old master lives on as a replica of the new one; the write goes to the new master,
    without an error.
    """
    store = RedisTokenManager(client_of(**sentinels.env()))
    store.set_user_context(context('alice'))
    old = sentinels.master_port()
    sentinels.sentinel(sentinels.sentinel_ports[0]).execute_command('SENTINEL', 'FAILOVER', MASTER_NAME)
    new = sentinels.wait_new_master(old)
    # what the Sentinels do once they notice the old master alive (up to 10 s later)
    assert sentinels.server(old).replicaof('127.0.0.1', new)
    store.set_user_context(context('bob'))
    assert store.get_user_context('bob').email == 'bob@example.com'
    assert sentinels.server(new).exists('wxc_cc_bot:user:bob') and sentinels.server(new).exists('wxc_cc_bot:user:alice')


def test_a_write_in_flight_when_the_master_dies_is_done_by_the_new_master(sentinels: SentinelSetup):
    """
    The master holds a write (``CLIENT PAUSE WRITE``) and is killed: the write is sent again, to the master the
    Sentinels elect, within :data:`~wxc_cc.stores.redis_client.FAILOVER_RIDE_THROUGH` seconds.
    """
    store = RedisTokenManager(client_of(**sentinels.env()))
    store.set_user_context(context('alice'))
    sentinels.server(sentinels.master_port()).client_pause(10000, all=False)
    outcome: dict[str, object] = {}

    def write() -> None:
        try:
            store.set_user_context(context('bob'))
            outcome['done'] = time.monotonic()
        except Exception as error:  # the assertion below shows it
            outcome['error'] = error

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.3)
    assert not outcome, 'the write waits for the paused master'
    killed, killed_at = sentinels.kill_master(), time.monotonic()
    writer.join(FAILOVER_RIDE_THROUGH + 10)
    assert 'error' not in outcome, outcome
    assert outcome['done'] - killed_at < FAILOVER_RIDE_THROUGH
    new = sentinels.wait_new_master(killed, timeout=5)
    assert sentinels.server(new).exists('wxc_cc_bot:user:bob', 'wxc_cc_bot:user:alice') == 2


def test_the_stores_check_says_at_once_that_there_is_no_master(sentinels: SentinelSetup):
    """
    Master and replica are gone: the stores' check (of /ready) does not wait out the retries meant for a failover
    (the readiness probe would time out), the Sentinels' "no master" is the answer.
    """
    stores = build_stores(load_settings(settings_values(**sentinels.env()), environ={}))
    stores.check()
    for port in sentinels.server_ports:
        sentinels.kill(port)
    sentinels.wait_for('master down', lambda: all(sentinels.sentinel(port).sentinel_master(MASTER_NAME)['is_sdown']
                                               for port in sentinels.sentinel_ports))
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match='No master found'):
        stores.check()
    assert time.monotonic() - started < 1


# --- the bot through a failover, over TLS, with passwords


@pytest.fixture
def fake() -> Iterator[FakeWebex]:
    with running_fake() as fake:
        yield fake


def test_the_bot_rides_through_a_master_killed_during_commands(fake: FakeWebex, e2e, tmp_path: Path):
    """
    Sentinels and servers with passwords and TLS (a private CA); the bot in two workers. The master is killed while
    a person sends /dial after /dial, two of them waiting for it: every one of them is answered, and dials once;
    /ready stays or comes back to 200; the person's tokens are on the new master; no password reaches the log.
    """
    directory = tmp_path / 'redis'
    directory.mkdir()
    setup = SentinelSetup(directory, password='master-password-1', sentinel_password='sentinel-password-2',
                          tls=private_ca(directory))
    e2e.add_cleanup(setup.stop)
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    setup.start()
    process = e2e.start(workers=2, policy={'rate_limit': {'commands': 500, 'seconds': 60}}, **setup.env())
    chat = e2e.chat(alice)
    chat.authorize()
    master = setup.server(setup.master_port())
    assert master.exists(f'wxc_cc_bot:user:{alice.id}')
    assert master.wait(1, 5000) == 1, 'the replica has the tokens'

    numbers = [f'30{index:02d}' for index in range(12)]
    seen, mark = chat.seen(), fake.mark()
    for index, number in enumerate(numbers):
        if index == 3:  # the master hangs: the next two commands wait for it when it dies
            master.client_pause(10000)
        if index == 5:
            killed = setup.kill_master()
        fake.send_message(alice, f'/dial {number}')
        time.sleep(0.25)

    def answered() -> dict[str, int]:
        replies = chat.replies_since(seen)
        return {number: sum(reply.startswith(f'Dialing {number}') for reply in replies) for number in numbers}

    fake.wait_until(lambda: all(answered().values()), timeout=60)
    assert answered() == {number: 1 for number in numbers}, 'each command answered once'
    assert not [reply for reply in chat.replies_since(seen) if not reply.startswith('Dialing')]
    fake.wait_deliveries_idle(timeout=10)
    dialed = [r.body['destination'] for r in fake.requests_since(mark) if r.path == '/telephony/calls/dial']
    assert sorted(dialed) == numbers, 'each number dialed once'

    new = setup.wait_new_master(killed, timeout=10)
    assert setup.server(new).exists(f'wxc_cc_bot:user:{alice.id}')
    wait_bot_ready(process.url, process.process, 15, process.log)
    assert chat.say('/dial 4000', 'Dialing').startswith('Dialing 4000')
    process.close()
    log = process.log()
    assert 'master-password-1' not in log and 'sentinel-password-2' not in log


def test_the_bot_on_redis_over_tls_with_a_private_ca(fake: FakeWebex, e2e, tmp_path: Path):
    """
    ``rediss://...?ssl_cert_reqs=required&ssl_ca_certs=<CA file>``: the server's certificate is verified against the
    CA (and refused without it); the bot keeps its tokens there.
    """
    tls = private_ca(tmp_path)
    server = TLSServer(tmp_path, tls).start()
    e2e.add_cleanup(server.stop)
    url = f'rediss://:tls-password-3@127.0.0.1:{server.port}/0?ssl_cert_reqs=required&ssl_ca_certs={tls.ca}'
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    with pytest.raises(redis.ConnectionError, match='certificate verify failed'):
        client_of(REDIS_URL=url.split('&ssl_ca_certs')[0]).ping()
    process = e2e.start(REDIS_URL=url)
    assert requests.get(f'{process.url}/health', timeout=5).json() == {'status': 'ok', 'store': 'redis'}
    chat = e2e.chat(alice)
    chat.authorize()
    assert chat.say('/dial 1234', 'Dialing').startswith('Dialing 1234')
    assert server.client().exists(f'wxc_cc_bot:user:{alice.id}')
    process.close()
    assert 'tls-password-3' not in process.log()


class TLSServer:
    """A redis-server speaking TLS only, with a certificate of :func:`~tests.redisha.private_ca` and a password."""

    def __init__(self, directory: Path, tls: TLSFiles):
        self.directory, self.tls, self.port = directory, tls, fixed_port()
        self.process: Optional[subprocess.Popen] = None

    def client(self) -> redis.Redis:
        return redis.Redis(host='127.0.0.1', port=self.port, password='tls-password-3', ssl=True,
                           ssl_ca_certs=str(self.tls.ca), decode_responses=True, socket_timeout=5)

    def start(self) -> 'TLSServer':
        self.process = subprocess.Popen(
            ['redis-server', '--port', '0', '--tls-port', str(self.port), '--bind', '127.0.0.1', '--tls-cert-file',
             str(self.tls.cert), '--tls-key-file', str(self.tls.key), '--tls-auth-clients', 'no', '--requirepass',
             'tls-password-3', '--save', '', '--dir', str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_until(lambda: self.process.poll() is None and self._pings(), timeout=10, interval=0.02)
        return self

    def _pings(self) -> bool:
        try:
            return self.client().ping()
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)
