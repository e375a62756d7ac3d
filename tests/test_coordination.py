"""
Coordination (locks, claims, counters, notes), in SQLite and flock beside the token file and in real Redis,
against the same contract: shared by every process of a host, or of a deployment.
"""
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import settings_values
from wxc_cc.config import load_settings
from wxc_cc.errors import StoreUnavailable
from wxc_cc.stores.coordination import Coordination
from wxc_cc.stores.file_locks import FileLocks
from wxc_cc.stores.redis_client import KeySpace, redis_from_settings
from wxc_cc.stores.redis_coordination import RedisCoordination
from wxc_cc.stores.sqlite import SQLiteDatabase
from wxc_cc.stores.sqlite_coordination import SQLiteCoordination

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parent.parent


def sqlite_coordination(folder: Path) -> SQLiteCoordination:
    return SQLiteCoordination(SQLiteDatabase(folder / 'wxc_cc_bot.db'), FileLocks(folder / 'wxc_cc_bot.yml.locks'))


@pytest.fixture(params=['sqlite', 'redis'])
def make(request: pytest.FixtureRequest, tmp_path: Path):
    """Builds coordination instances sharing one backend, like workers of one deployment."""
    def build() -> Coordination:
        if request.param == 'sqlite':
            return sqlite_coordination(tmp_path)
        return RedisCoordination(KeySpace(request.getfixturevalue('redis_client')))
    return build


def test_first_time_claims_a_key_once_for_everybody(make):
    first, second = make(), make()
    assert first.first_time('message:1', ttl=60) is True
    assert second.first_time('message:1', ttl=60) is False
    assert second.first_time('message:2', ttl=60) is True
    assert first.first_time('gone', ttl=0.001) is True
    time.sleep(0.01)  # real time: past the time to live
    assert second.first_time('gone', ttl=60) is True, 'a key is forgotten after its time'


def test_a_claim_can_be_withdrawn(make):
    first = make()
    assert first.first_time('message:1', ttl=60) is True
    first.forget('message:1')
    assert make().first_time('message:1', ttl=60) is True


def test_notes_are_shared_and_expire(make):
    first, second = make(), make()
    first.set_note('card:alice:C1', 'MSG1', ttl=60)
    assert second.get_note('card:alice:C1') == 'MSG1'
    second.set_note('card:alice:C1', 'MSG2', ttl=60)
    assert first.get_note('card:alice:C1') == 'MSG2'
    first.delete_note('card:alice:C1')
    assert second.get_note('card:alice:C1') is None
    first.set_note('short', 'x', ttl=0.001)
    time.sleep(0.01)  # real time: past the time to live
    assert second.get_note('short') is None


def test_count_in_a_window_is_shared(make):
    first, second = make(), make()
    assert [first.count('rate:alice', 60) for _ in range(3)] == [1, 2, 3]
    assert second.count('rate:alice', 60) == 4
    assert first.count('rate:bob', 60) == 1
    assert first.count('short', 0.001) == 1
    time.sleep(0.01)  # real time: past the window
    assert second.count('short', 0.001) == 1, 'a new window starts'


def test_lock_excludes_other_instances(make):
    first, second = make(), make()
    inside: list[str] = []
    entered, leave = threading.Event(), threading.Event()

    def hold() -> None:
        with first.lock('webhooks'):
            inside.append('first in')
            entered.set()
            leave.wait(5)
            inside.append('first out')

    thread = threading.Thread(target=hold)
    thread.start()
    assert entered.wait(5)
    with pytest.raises(StoreUnavailable):
        with second.lock('webhooks', timeout=0.05):
            pass
    leave.set()
    with second.lock('webhooks', timeout=5):
        inside.append('second in')
    thread.join(5)
    assert inside == ['first in', 'first out', 'second in']


def test_sqlite_claims_hold_across_restarts_and_are_private(tmp_path: Path):
    assert sqlite_coordination(tmp_path).first_time('user-webhooks:abc', ttl=30 * 86400) is True
    assert sqlite_coordination(tmp_path).first_time('user-webhooks:abc', ttl=30 * 86400) is False
    assert (tmp_path / 'wxc_cc_bot.db').stat().st_mode & 0o777 == 0o600


def test_sqlite_claims_from_many_processes_are_granted_once(tmp_path: Path):
    """Real processes race for the same keys through the shared file: each key is granted exactly once."""
    script = ('import sys; from pathlib import Path; from tests.test_coordination import sqlite_coordination; '
              'c = sqlite_coordination(Path(sys.argv[1])); '
              'print(sum(c.first_time(f"message:{i}", 3600) for i in range(200)))')
    processes = [subprocess.Popen([sys.executable, '-c', script, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                                  cwd=REPO) for _ in range(4)]
    granted = [int(process.communicate(timeout=60)[0]) for process in processes]
    assert sum(granted) == 200


def test_sqlite_counts_from_many_processes_add_up(tmp_path: Path):
    script = ('import sys; from pathlib import Path; from tests.test_coordination import sqlite_coordination; '
              'c = sqlite_coordination(Path(sys.argv[1])); '
              'print(max(c.count("rate:alice", 60) for _ in range(100)))')
    processes = [subprocess.Popen([sys.executable, '-c', script, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                                  cwd=REPO) for _ in range(4)]
    highest = [int(process.communicate(timeout=60)[0]) for process in processes]
    assert max(highest) == 400


def test_redis_down_claims_and_counts_fall_back_to_memory(refused: int):
    settings = load_settings(settings_values(REDIS_URL=f'redis://127.0.0.1:{refused}/0'), environ={})
    coordination = RedisCoordination(KeySpace(redis_from_settings(settings)))
    assert coordination.first_time('message:1', 60) is True
    assert coordination.first_time('message:1', 60) is False
    assert [coordination.count('rate:alice', 60) for _ in range(2)] == [1, 2]
    with pytest.raises(StoreUnavailable):
        coordination.get_note('card:alice:C1')
