"""
Pending OAuth flows, in SQLite beside the token file and in real Redis, against the same contract: single use,
unguessable, one per person, expired ones pruned; then what is particular to each backend.
"""
from pathlib import Path

import pytest
import redis

from wxc_cc.stores.flows import FlowStore
from wxc_cc.stores.redis_client import KeySpace
from wxc_cc.stores.redis_flows import RedisFlowStore
from wxc_cc.stores.sqlite import SQLiteDatabase
from wxc_cc.stores.sqlite_flows import SQLiteFlowStore

pytestmark = pytest.mark.unit


@pytest.fixture(params=['sqlite', 'redis'])
def make_flows(request: pytest.FixtureRequest, tmp_path: Path):
    """Builds flow stores sharing one backend, like workers of one deployment."""
    def make(lifetime: float = 300) -> FlowStore:
        if request.param == 'sqlite':
            return SQLiteFlowStore(SQLiteDatabase(tmp_path / 'wxc_cc_bot.db'), lifetime)
        return RedisFlowStore(KeySpace(request.getfixturevalue('redis_client')), lifetime)
    return make


def test_flows_are_single_use_and_unguessable(make_flows):
    flows = make_flows()
    started = {flows.start(f'user-{number}') for number in range(20)}
    assert len(started) == 20 and all(len(flow) >= 32 for flow in started)
    flow = flows.start('alice')
    assert flows.pending() == 21
    other_worker = make_flows()
    assert other_worker.take(flow) == 'alice'
    assert flows.take(flow) is None
    assert flows.take('no-such-flow') is None
    assert flows.pending() == 20


def test_a_person_has_one_pending_flow(make_flows):
    flows = make_flows()
    first = flows.start('alice')
    later = [flows.start('alice') for _ in range(50)]
    assert flows.pending() == 1, '/auth in a loop does not grow the store'
    assert make_flows().take(first) is None and flows.take(later[-2]) is None, 'a new link replaces the old'
    assert flows.take(later[-1]) == 'alice'


def test_starting_a_flow_prunes_expired_ones(make_flows):
    make_flows(lifetime=-1).start('alice')
    make_flows(lifetime=-1).start('bob')
    flows = make_flows()
    flows.start('carol')
    assert flows.pending() == 1
    assert flows.maintenance() == 0, 'nothing left to remove'


def test_an_expired_flow_is_refused(make_flows):
    flows = make_flows(lifetime=-1)
    assert flows.take(flows.start('alice')) is None


def test_clear_removes_every_flow(make_flows):
    flows = make_flows()
    flows.start('alice')
    flows.start('bob')
    assert flows.clear() == 2
    assert flows.pending() == 0


def test_sqlite_maintenance_removes_only_expired_flows(tmp_path: Path):
    database = SQLiteDatabase(tmp_path / 'wxc_cc_bot.db')
    flows = SQLiteFlowStore(database)
    flows.start('bob')
    SQLiteFlowStore(SQLiteDatabase(tmp_path / 'wxc_cc_bot.db'), lifetime=-1).start('alice')
    assert flows.pending() == 1
    assert flows.maintenance() == 1
    assert database.execute('SELECT COUNT(*) FROM flows').fetchone()[0] == 1


def test_redis_flow_expires_by_itself(redis_client: redis.Redis):
    flow = RedisFlowStore(KeySpace(redis_client)).start('alice')
    assert 299_000 < redis_client.pttl(f'wxc_cc_bot:flow:{flow}') <= 300_000
    assert 299_000 < redis_client.pttl('wxc_cc_bot:flow-of:alice') <= 300_000


def test_redis_maintenance_removes_leftover_flows(redis_client: redis.Redis):
    flows = RedisFlowStore(KeySpace(redis_client))
    flows.start('alice')
    redis_client.set('wxc_cc_bot:flow:leftover', 'bob')
    assert flows.maintenance() == 1
    assert flows.pending() == 1
