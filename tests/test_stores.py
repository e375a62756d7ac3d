"""
The token stores, YAML file and real Redis, against the same contract; then what is particular to each.
"""
import datetime
import stat
import threading
import time
from pathlib import Path

import pytest
import redis
import yaml
from wxc_sdk.tokens import Tokens

from tests.conftest import free_port, settings_values
from wxc_cc.config import load_settings
from wxc_cc.errors import StoreUnavailable, TokenRejected
from wxc_cc.stores import RedisTokenManager, TokenManager, UserContext, YAMLTokenManager, redis_from_settings


def tokens(seconds_left: float, access: str = 'access-1', refresh: str = 'refresh-1') -> Tokens:
    now = datetime.datetime.now(datetime.timezone.utc)
    return Tokens(access_token=access, refresh_token=refresh, token_type='Bearer',
                  expires_at=now + datetime.timedelta(seconds=seconds_left),
                  refresh_token_expires_at=now + datetime.timedelta(days=90))


class Refresher:
    """Counts refreshes; hands out numbered tokens; can refuse or fail."""

    def __init__(self, delay: float = 0.0):
        self.calls: list[str] = []
        self.delay = delay
        self.error: Exception | None = None
        self._lock = threading.Lock()

    def __call__(self, old: Tokens) -> Tokens:
        with self._lock:
            self.calls.append(old.refresh_token)
            number = len(self.calls) + 1
        time.sleep(self.delay)
        if self.error:
            raise self.error
        return tokens(3600, access=f'access-{number}', refresh=f'refresh-{number}')


@pytest.fixture(params=['yaml', 'redis'])
def make_store(request: pytest.FixtureRequest, tmp_path: Path):
    """Builds store instances sharing one backend, like workers of one deployment."""
    def make(**kwargs) -> TokenManager:
        if request.param == 'yaml':
            return YAMLTokenManager(tmp_path / 'wxc_cc_bot.yml', **kwargs)
        return RedisTokenManager(request.getfixturevalue('redis_client'), **kwargs)
    return make


def context(user_id: str = 'user-1', seconds_left: float = 3600) -> UserContext:
    return UserContext(user_id=user_id, email=f'{user_id}@example.com', tokens=tokens(seconds_left))


def test_user_context_round_trip_survives_restart(make_store):
    make_store().set_user_context(context('alice'))
    restarted = make_store()
    stored = restarted.get_user_context('alice')
    assert stored.email == 'alice@example.com'
    assert stored.tokens.access_token == 'access-1' and stored.tokens.refresh_token == 'refresh-1'
    assert 3590 < stored.tokens.remaining <= 3600
    assert restarted.get_user_context('bob') is None


def test_clear_user_context_and_list(make_store):
    store = make_store()
    for user in ('alice', 'bob'):
        store.set_user_context(context(user))
    assert sorted(c.user_id for c in store.user_contexts()) == ['alice', 'bob']
    assert store.clear_user_context('alice') is True
    assert store.clear_user_context('alice') is False
    assert [c.user_id for c in make_store().user_contexts()] == ['bob']


def test_flows_are_single_use_and_unguessable(make_store):
    store = make_store()
    flows = {store.start_flow(f'user-{number}') for number in range(20)}
    assert len(flows) == 20 and all(len(flow) >= 32 for flow in flows)
    flow = store.start_flow('alice')
    assert store.pending_flows() == 21
    other_worker = make_store()
    assert other_worker.take_flow(flow) == 'alice'
    assert store.take_flow(flow) is None
    assert store.take_flow('no-such-flow') is None
    assert store.pending_flows() == 20


def test_a_person_has_one_pending_flow(make_store):
    store = make_store()
    first = store.start_flow('alice')
    flows = [store.start_flow('alice') for _ in range(50)]
    assert store.pending_flows() == 1, '/auth in a loop does not grow the store'
    assert make_store().take_flow(first) is None and store.take_flow(flows[-2]) is None, 'a new link replaces the old'
    assert store.take_flow(flows[-1]) == 'alice'


def test_starting_a_flow_prunes_expired_ones(make_store):
    make_store(flow_lifetime=-1).start_flow('alice')
    make_store(flow_lifetime=-1).start_flow('bob')
    store = make_store()
    store.start_flow('carol')
    assert store.pending_flows() == 1
    assert store.flow_maintenance() == 0, 'nothing left to remove'


def test_expired_flow_is_refused(make_store):
    store = make_store(flow_lifetime=-1)
    flow = store.start_flow('alice')
    assert store.take_flow(flow) is None


def test_clear_removes_users_and_flows(make_store):
    store = make_store()
    store.set_user_context(context('alice'))
    store.start_flow('alice')
    assert store.clear() == 2
    assert store.user_contexts() == [] and store.pending_flows() == 0


def test_token_with_time_left_is_not_refreshed(make_store):
    refresher = Refresher()
    store = make_store(refresher=refresher)
    store.set_user_context(context('alice', seconds_left=121))
    assert store.get_user_context_and_refresh('alice').tokens.access_token == 'access-1'
    assert refresher.calls == []


def test_token_about_to_expire_is_refreshed_and_stored(make_store):
    refresher = Refresher()
    store = make_store(refresher=refresher)
    store.set_user_context(context('alice', seconds_left=119))
    refreshed = store.get_user_context_and_refresh('alice')
    assert refreshed.tokens.access_token == 'access-2' and refreshed.email == 'alice@example.com'
    assert refresher.calls == ['refresh-1']
    assert make_store().get_user_context('alice').tokens.refresh_token == 'refresh-2'


def test_rejected_refresh_token_forgets_the_user(make_store):
    refresher = Refresher()
    refresher.error = TokenRejected('400 invalid grant')
    store = make_store(refresher=refresher)
    store.set_user_context(context('alice', seconds_left=10))
    assert store.get_user_context_and_refresh('alice') is None
    assert store.get_user_context('alice') is None


def test_failed_refresh_keeps_a_token_that_still_works(make_store):
    refresher = Refresher()
    refresher.error = ConnectionError('webex down')
    store = make_store(refresher=refresher)
    store.set_user_context(context('alice', seconds_left=60))
    assert store.get_user_context_and_refresh('alice').tokens.access_token == 'access-1'
    store.set_user_context(context('bob', seconds_left=-5))
    with pytest.raises(ConnectionError):
        store.get_user_context_and_refresh('bob')


def test_concurrent_commands_refresh_once(make_store):
    """Eight commands of one user at once, on two 'workers': one refresh, everybody gets the new token."""
    refresher = Refresher(delay=0.2)
    workers = [make_store(refresher=refresher), make_store(refresher=refresher)]
    workers[0].set_user_context(context('alice', seconds_left=30))
    results: list[str] = []
    barrier = threading.Barrier(8)

    def command(index: int) -> None:
        barrier.wait(timeout=5)
        results.append(workers[index % 2].get_user_context_and_refresh('alice').tokens.access_token)

    threads = [threading.Thread(target=command, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert refresher.calls == ['refresh-1']
    assert results == ['access-2'] * 8


def test_rejected_token_is_refreshed_once(make_store):
    refresher = Refresher()
    store = make_store(refresher=refresher)
    store.set_user_context(context('alice', seconds_left=3600))
    assert store.refresh_rejected('alice', 'access-1').tokens.access_token == 'access-2'
    # a second request that failed with the old token gets the new one without another refresh
    assert store.refresh_rejected('alice', 'access-1').tokens.access_token == 'access-2'
    assert refresher.calls == ['refresh-1']


def test_first_time_claims_a_key_once(make_store):
    store = make_store()
    assert store.first_time('message:1', ttl=60) is True
    assert store.first_time('message:1', ttl=60) is False
    assert store.first_time('message:2', ttl=60) is True
    assert store.first_time('gone', ttl=0.001) is True
    time.sleep(0.01)
    assert store.first_time('gone', ttl=60) is True, 'a key is forgotten after its time'


def test_yaml_claims_hold_for_other_processes_and_restarts(tmp_path: Path):
    first, second = YAMLTokenManager(tmp_path / 't.yml'), YAMLTokenManager(tmp_path / 't.yml')
    assert first.first_time('user-webhooks:abc', ttl=30 * 86400) is True
    assert second.first_time('user-webhooks:abc', ttl=30 * 86400) is False
    assert second.first_time('message:1', ttl=3600) is True
    assert first.first_time('message:1', ttl=3600) is False, 'notification claims are shared on the host too'
    first.set_user_context(context('alice'))
    assert YAMLTokenManager(tmp_path / 't.yml').first_time('user-webhooks:abc', ttl=30 * 86400) is False
    assert YAMLTokenManager(tmp_path / 't.yml').first_time('message:1', ttl=3600) is False, 'and restarts'
    assert (tmp_path / 't.db').stat().st_mode & 0o777 == 0o600


def test_yaml_claims_expire_and_can_be_withdrawn(tmp_path: Path):
    store = YAMLTokenManager(tmp_path / 't.yml')
    assert store.first_time('message:1', ttl=0.05) is True
    assert store.first_time('message:1', ttl=0.05) is False
    time.sleep(0.06)
    assert store.first_time('message:1', ttl=3600) is True, 'expired claims count as new'
    store.forget('message:1')
    assert YAMLTokenManager(tmp_path / 't.yml').first_time('message:1', ttl=3600) is True


def test_yaml_claims_from_many_processes_are_granted_once(tmp_path: Path):
    """Real processes race for the same keys through the shared file: each key is granted exactly once."""
    import subprocess
    import sys
    script = ('import sys; from wxc_cc.stores import YAMLTokenManager; '
              's = YAMLTokenManager(sys.argv[1]); '
              'print(sum(s.first_time(f"message:{i}", 3600) for i in range(200)))')
    processes = [subprocess.Popen([sys.executable, '-c', script, str(tmp_path / 't.yml')], stdout=subprocess.PIPE,
                                  text=True, cwd=Path(__file__).resolve().parent.parent) for _ in range(4)]
    granted = [int(process.communicate(timeout=60)[0]) for process in processes]
    assert sum(granted) == 200


def test_notes_are_shared_and_expire(make_store):
    first, second = make_store(), make_store()
    first.set_note('card:alice:C1', 'MSG1', ttl=60)
    assert second.get_note('card:alice:C1') == 'MSG1'
    second.set_note('card:alice:C1', 'MSG2', ttl=60)
    assert first.get_note('card:alice:C1') == 'MSG2'
    first.delete_note('card:alice:C1')
    assert second.get_note('card:alice:C1') is None
    first.set_note('short', 'x', ttl=0.001)
    time.sleep(0.01)
    assert second.get_note('short') is None


def test_redis_first_time_is_shared_by_instances(redis_client):
    first, second = RedisTokenManager(redis_client), RedisTokenManager(redis_client)
    assert first.first_time('message:1', ttl=60) is True
    assert second.first_time('message:1', ttl=60) is False


def test_lock_excludes_other_instances(make_store):
    first, second = make_store(), make_store()
    inside: list[str] = []
    entered = threading.Event()

    def hold() -> None:
        with first.lock('webhooks'):
            inside.append('first in')
            entered.set()
            time.sleep(0.2)
            inside.append('first out')

    thread = threading.Thread(target=hold)
    thread.start()
    assert entered.wait(5)
    with pytest.raises(StoreUnavailable):
        with second.lock('webhooks', timeout=0.05):
            pass
    with second.lock('webhooks', timeout=5):
        inside.append('second in')
    thread.join(5)
    assert inside == ['first in', 'first out', 'second in']


KEY = 'TL6sM2vJ5Qm0x6Q3R2T7kq3Q9XbqW5bS1u8aH0m2c3E='


def raw_records(store: TokenManager) -> str:
    """Everything the backend holds, as text."""
    if isinstance(store, YAMLTokenManager):
        return store.path.read_text()
    return ' '.join(f'{k}={store.redis.get(k)}' for k in store.redis.scan_iter('wxc_cc_bot:*')
                    if store.redis.type(k) == 'string')


def test_tokens_are_encrypted_at_rest_with_a_key(make_store):
    store = make_store(token_key=KEY)
    store.set_user_context(context('alice'))
    assert 'access-1' not in raw_records(store) and 'refresh-1' not in raw_records(store)
    assert 'fernet:' in raw_records(store)
    assert make_store(token_key=KEY).get_user_context('alice').tokens.access_token == 'access-1'
    with pytest.raises(StoreUnavailable, match='set WXC_CC_TOKEN_KEY'):
        make_store().get_user_context('alice')
    other_key = 'Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyMTI='
    with pytest.raises(StoreUnavailable, match='another WXC_CC_TOKEN_KEY'):
        make_store(token_key=other_key).get_user_context('alice')


def test_plain_tokens_are_encrypted_when_a_key_is_set(make_store):
    make_store().set_user_context(context('alice'))
    make_store().set_user_context(context('bob'))
    assert 'access-1' in raw_records(make_store())
    keyed = make_store(token_key=KEY)
    assert keyed.get_user_context('alice').tokens.refresh_token == 'refresh-1'
    assert sorted(c.user_id for c in keyed.user_contexts()) == ['alice', 'bob']
    assert 'access-1' not in raw_records(keyed) and 'refresh-1' not in raw_records(keyed)


def test_count_in_a_window(make_store):
    first = make_store()
    assert [first.count('rate:alice', 60) for _ in range(3)] == [1, 2, 3]
    assert first.count('rate:bob', 60) == 1
    assert first.count('short', 0.001) == 1
    time.sleep(0.01)
    assert first.count('short', 0.001) == 1, 'a new window starts'


def test_redis_count_is_shared(redis_client):
    first, second = RedisTokenManager(redis_client), RedisTokenManager(redis_client)
    assert first.count('rate:alice', 60) == 1
    assert second.count('rate:alice', 60) == 2


# --- YAML specifics


def test_yaml_file_is_private_and_written_atomically(tmp_path: Path):
    path = tmp_path / 'wxc_cc_bot.yml'
    store = YAMLTokenManager(path)
    store.set_user_context(context('alice'))
    store.start_flow('alice')
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # no temporary files left
    assert sorted(p.name for p in tmp_path.iterdir()) == ['wxc_cc_bot.yml', 'wxc_cc_bot.yml.lock']
    data = yaml.safe_load(path.read_text())
    assert data['users']['alice']['tokens']['access_token'] == 'access-1'
    assert len(data['flows']) == 1
    inode = path.stat().st_ino
    store.clear_user_context('alice')
    assert path.stat().st_ino != inode, 'the file is replaced, not rewritten in place'


def test_yaml_two_processes_do_not_lose_updates(tmp_path: Path):
    first, second = YAMLTokenManager(tmp_path / 't.yml'), YAMLTokenManager(tmp_path / 't.yml')
    first.get_user_context('x')  # both have read (cached) the empty state
    second.get_user_context('x')
    first.set_user_context(context('alice'))
    second.set_user_context(context('bob'))
    assert sorted(c.user_id for c in first.user_contexts()) == ['alice', 'bob']


def test_yaml_unreadable_file_is_not_overwritten(tmp_path: Path):
    path = tmp_path / 'wxc_cc_bot.yml'
    path.write_text('users: [unclosed')
    store = YAMLTokenManager(path)
    with pytest.raises(StoreUnavailable):
        store.set_user_context(context('alice'))
    with pytest.raises(StoreUnavailable):
        store.check()
    assert path.read_text() == 'users: [unclosed'


def test_yaml_maintenance_removes_only_expired_flows(tmp_path: Path):
    path = tmp_path / 'wxc_cc_bot.yml'
    store = YAMLTokenManager(path)
    store.start_flow('bob')
    YAMLTokenManager(path, flow_lifetime=-1).start_flow('alice')
    assert store.pending_flows() == 1
    assert store.flow_maintenance() == 1
    assert len(yaml.safe_load(path.read_text())['flows']) == 1


# --- Redis specifics


def test_redis_flow_expires_by_itself(redis_client: redis.Redis):
    store = RedisTokenManager(redis_client)
    flow = store.start_flow('alice')
    ttl = redis_client.pttl(f'wxc_cc_bot:flow:{flow}')
    assert 299_000 < ttl <= 300_000


def test_redis_maintenance_removes_leftover_flows(redis_client: redis.Redis):
    store = RedisTokenManager(redis_client)
    store.start_flow('alice')
    redis_client.set('wxc_cc_bot:flow:leftover', 'bob')
    assert store.flow_maintenance() == 1
    assert store.pending_flows() == 1


def test_redis_keeps_other_keys(redis_client: redis.Redis):
    redis_client.set('someone-else', 'x')
    store = RedisTokenManager(redis_client)
    store.set_user_context(context('alice'))
    store.clear()
    assert redis_client.get('someone-else') == 'x'


def test_redis_down_is_reported_as_unavailable_quickly():
    settings = load_settings(settings_values(REDIS_URL=f'redis://127.0.0.1:{free_port()}/0'), environ={})
    store = RedisTokenManager(redis_from_settings(settings))
    start = time.monotonic()
    for operation in (lambda: store.get_user_context('alice'), store.check, lambda: store.start_flow('alice'),
                      lambda: store.get_user_context_and_refresh('alice')):
        with pytest.raises(StoreUnavailable) as failure:
            operation()
        assert failure.value.user_message == 'The token store is unavailable, try again shortly.'
    assert time.monotonic() - start < 5


@pytest.mark.parametrize('variables, expected', [
    ({'REDIS_HOST': '127.0.0.1:7777', 'REDIS_URL': 'redis://other:1/0'}, ('127.0.0.1', 7777, False)),
    ({'REDIS_HOST': 'redis'}, ('redis', 6379, False)),
    ({'REDIS_URL': 'redis://h1:6000/0', 'REDIS_TLS_URL': 'rediss://:pw@h2:6001/0'}, ('h2', 6001, True)),
    ({'REDIS_URL': 'redis://h1:6000/0'}, ('h1', 6000, False)),
])
def test_redis_client_from_settings(variables, expected):
    client = redis_from_settings(load_settings(settings_values(**variables), environ={}))
    kwargs = client.connection_pool.connection_kwargs
    is_tls = 'ssl' in client.connection_pool.connection_class.__name__.lower()
    assert (kwargs['host'], kwargs['port'], is_tls) == expected
