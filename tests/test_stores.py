"""
The token stores, YAML file and real Redis, against the same contract; then what is particular to each. OAuth
flows and coordination have their own tests (tests/test_flow_stores.py, tests/test_coordination.py).
"""
import datetime
import json
import stat
import threading
import time
from pathlib import Path
from typing import Optional

import pytest
import redis
import yaml
from cryptography.fernet import Fernet
from wxc_sdk.tokens import Tokens

from tests.conftest import settings_values
from wxc_cc.config import load_settings
from wxc_cc.errors import StoreUnavailable, TokenRejected
from wxc_cc.locales import catalogue_for
from wxc_cc.stores import RedisTokenManager, TokenManager, UserContext, YAMLTokenManager, redis_from_settings
from wxc_cc.stores.sealing import ENCRYPTED

pytestmark = pytest.mark.unit


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
        time.sleep(self.delay)  # a slow refresh: the others ask while it runs
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


def test_clear_removes_every_user(make_store):
    store = make_store()
    store.set_user_context(context('alice'))
    store.set_user_context(context('bob'))
    assert store.clear() == 2
    assert store.user_contexts() == [] and make_store().get_user_context('alice') is None


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


KEY = 'TL6sM2vJ5Qm0x6Q3R2T7kq3Q9XbqW5bS1u8aH0m2c3E='


def raw_record(store: TokenManager, owner: str):
    """One person's record as the backend holds it."""
    if isinstance(store, YAMLTokenManager):
        return yaml.safe_load(store.path.read_text())['users'][owner]
    return store.redis.get(f'wxc_cc_bot:user:{owner}')


def raw_records(store: TokenManager) -> str:
    """Everything the backend holds, as text."""
    if isinstance(store, YAMLTokenManager):
        return store.path.read_text()
    return ' '.join(f'{k}={store.redis.get(k)}' for k in store.redis.scan_iter('wxc_cc_bot:*')
                    if store.redis.type(k) == 'string')


def test_tokens_are_encrypted_at_rest_with_a_key(make_store):
    store = make_store(token_keys=[KEY])
    store.set_user_context(context('alice'))
    assert 'access-1' not in raw_records(store) and 'refresh-1' not in raw_records(store)
    assert 'fernet:' in raw_records(store)
    assert make_store(token_keys=[KEY]).get_user_context('alice').tokens.access_token == 'access-1'
    with pytest.raises(StoreUnavailable, match='set WXC_CC_TOKEN_KEY'):
        make_store().get_user_context('alice')
    other_key = 'Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyMTI='
    with pytest.raises(StoreUnavailable, match='another WXC_CC_TOKEN_KEY'):
        make_store(token_keys=[other_key]).get_user_context('alice')


def test_plain_tokens_are_encrypted_when_a_key_is_set(make_store):
    make_store().set_user_context(context('alice'))
    make_store().set_user_context(context('bob'))
    assert 'access-1' in raw_records(make_store())
    keyed = make_store(token_keys=[KEY])
    assert keyed.get_user_context('alice').tokens.refresh_token == 'refresh-1'
    assert sorted(c.user_id for c in keyed.user_contexts()) == ['alice', 'bob']
    assert 'access-1' not in raw_records(keyed) and 'refresh-1' not in raw_records(keyed)


def store_raw(store: TokenManager, user_id: str, record: dict, key: Optional[str] = None) -> None:
    """A user's record written as an earlier version of the bot wrote it (encrypted with ``key``)."""
    stored = ENCRYPTED + Fernet(key).encrypt(json.dumps(record).encode()).decode() if key else record
    if isinstance(store, YAMLTokenManager):
        store.path.write_text(yaml.safe_dump({'users': {user_id: stored}}))
    else:
        store.redis.set(f'wxc_cc_bot:user:{user_id}', stored if key else json.dumps(stored))


@pytest.mark.parametrize('key', [None, KEY], ids=['plain', 'encrypted'])
def test_a_record_from_before_the_time_zone_still_loads(make_store, key):
    expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    store_raw(make_store(), 'alice', {
        'user_id': 'alice', 'email': 'alice@example.com', 'verbose': False, 'monitoring': True,
        'tokens': {'access_token': 'access-1', 'refresh_token': 'refresh-1', 'token_type': 'Bearer',
                   'expires_at': expires.isoformat(), 'refresh_token_expires_at': (expires + datetime.timedelta(
                       days=90)).isoformat()}}, key)
    store = make_store(token_keys=[key] if key else [])
    alice = store.get_user_context('alice')
    assert (alice.email, alice.monitoring, alice.tokens.access_token) == ('alice@example.com', True, 'access-1')
    assert (alice.timezone, alice.timezone_read) == (None, None), 'never read: read at the next command'
    assert [user.user_id for user in store.user_contexts()] == ['alice']


def test_the_time_zone_is_kept_with_the_tokens(make_store):
    read = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.timezone.utc)
    make_store().set_user_context(context('alice').model_copy(update={'timezone': 'Asia/Tokyo',
                                                                       'timezone_read': read}))
    alice = make_store().get_user_context('alice')
    assert (alice.timezone, alice.timezone_read) == ('Asia/Tokyo', read)


def test_updating_a_context_keeps_its_tokens_and_needs_it_stored(make_store):
    store = make_store()
    store.set_user_context(context('alice'))
    make_store().set_user_context(context('alice').model_copy(update={'tokens': tokens(3600, access='access-2')}))
    updated = store.update_user_context('alice', timezone='Asia/Tokyo')
    assert (updated.timezone, updated.tokens.access_token) == ('Asia/Tokyo', 'access-2')
    assert make_store().get_user_context('alice') == updated
    assert store.update_user_context('bob', timezone='Asia/Tokyo') is None
    assert make_store().get_user_context('bob') is None


def put_raw(store: TokenManager, owner: str, value) -> None:
    """A record written behind the store's back."""
    if isinstance(store, YAMLTokenManager):
        data = yaml.safe_load(store.path.read_text())
        data['users'][owner] = value
        store.path.write_text(yaml.safe_dump(data))
    else:
        store.redis.set(f'wxc_cc_bot:user:{owner}', value if isinstance(value, str) else json.dumps(value))


def test_encrypting_at_rest_brings_every_readable_record_to_the_newest_key(make_store, caplog):
    """
    In plain text and under the old key: stored again under the new one. Under a key not in the list, unreadable,
    or stored under another person's id: logged and left as they are, and the others are done all the same.
    """
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    make_store().set_user_context(context('alice'))
    make_store(token_keys=[old]).set_user_context(context('bob'))
    make_store(token_keys=[Fernet.generate_key().decode()]).set_user_context(context('carol'))
    put_raw(make_store(), 'dave', {'user_id': 'dave'})
    put_raw(make_store(), 'mallory', raw_record(make_store(), 'bob'))
    untouched = {owner: raw_record(make_store(), owner) for owner in ('carol', 'dave', 'mallory')}
    rotated = make_store(token_keys=[new, old])
    assert rotated.encrypt_at_rest() == 2
    assert rotated.encrypt_at_rest() == 0, 'once'
    only_new = make_store(token_keys=[new])
    assert [only_new.get_user_context(owner).tokens.access_token for owner in ('alice', 'bob')] == ['access-1'] * 2
    assert {owner: raw_record(make_store(), owner) for owner in untouched} == untouched
    assert 'record of user carol not encrypted again: tokens in the store were encrypted with another' in caplog.text
    assert 'record of user dave not encrypted again: unreadable (ValidationError)' in caplog.text
    assert 'record stored under user mallory belongs to user bob: not encrypted again' in caplog.text


# --- YAML specifics


def test_yaml_file_is_private_and_written_atomically(tmp_path: Path):
    path = tmp_path / 'wxc_cc_bot.yml'
    store = YAMLTokenManager(path)
    store.set_user_context(context('alice'))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # no temporary files left
    assert sorted(p.name for p in tmp_path.iterdir()) == ['wxc_cc_bot.yml', 'wxc_cc_bot.yml.lock']
    data = yaml.safe_load(path.read_text())
    assert list(data) == ['users'], 'the file holds what the original bot kept: users and their tokens'
    assert data['users']['alice']['tokens']['access_token'] == 'access-1'
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


# --- Redis specifics


def test_yaml_file_of_an_earlier_version_keeps_its_users(tmp_path: Path):
    """Flows, notes and claims of earlier versions were kept in the file; they now live beside it."""
    path = tmp_path / 'wxc_cc_bot.yml'
    YAMLTokenManager(path).set_user_context(context('alice'))
    data = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump({**data, 'flows': {'F': {'user_id': 'alice', 'expires_at': 1}},
                                    'notes': {}, 'claims': {}}))
    store = YAMLTokenManager(path)
    assert store.get_user_context('alice').email == 'alice@example.com'
    store.set_user_context(context('bob'))
    assert list(yaml.safe_load(path.read_text())) == ['users']


def test_redis_keeps_other_keys(redis_client: redis.Redis):
    redis_client.set('someone-else', 'x')
    store = RedisTokenManager(redis_client)
    store.set_user_context(context('alice'))
    store.clear()
    assert redis_client.get('someone-else') == 'x'


def test_redis_down_is_reported_as_unavailable_quickly(refused: int):
    settings = load_settings(settings_values(REDIS_URL=f'redis://127.0.0.1:{refused}/0'), environ={})
    store = RedisTokenManager(redis_from_settings(settings))
    start = time.monotonic()
    for operation in (lambda: store.get_user_context('alice'), store.check,
                      lambda: store.get_user_context_and_refresh('alice')):
        with pytest.raises(StoreUnavailable) as failure:
            operation()
        assert failure.value.message(catalogue_for('en_US')) == 'The token store is unavailable, try again shortly.'
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
