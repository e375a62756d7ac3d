"""
Where the bot keeps state, by responsibility, each with a file backend (one host) and a Redis backend (a whole
deployment):

* tokens: :class:`TokenManager` (:class:`YAMLTokenManager`, :class:`RedisTokenManager`), as the original bot;
* pending OAuth flows: :class:`~wxc_cc.stores.flows.FlowStore`;
* coordination (locks, claims, counters, notes): :class:`~wxc_cc.stores.coordination.Coordination`;
* the durable work queue: :class:`~wxc_cc.stores.queue.WorkQueue`.

:func:`build_stores` chooses the backends the settings select and returns them together as :class:`Stores`.
"""
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..config import Settings
from ..errors import StoreUnavailable
from .coordination import Coordination, Locks
from .file_locks import LifeMarks, locks_beside
from .flows import FLOW_LIFETIME, FlowStore
from .queue import CLAIM_AFTER, Entry, Lease, LeaseLost, UnsupportedStore, WorkQueue
from .redis_client import KeySpace, redis_from_settings
from .redis_coordination import RedisCoordination
from .redis_flows import RedisFlowStore
from .redis_queue import RedisWorkQueue
from .redis_tokens import RedisTokenManager
from .sqlite import SQLiteDatabase, database_beside
from .sqlite_coordination import SQLiteCoordination
from .sqlite_flows import SQLiteFlowStore
from .sqlite_queue import SQLiteWorkQueue
from .token_refresh import REFRESH_MARGIN, Refresher
from .tokens import TokenManager, UserContext
from .yaml_tokens import YAMLTokenManager

__all__ = ['UserContext', 'TokenManager', 'YAMLTokenManager', 'RedisTokenManager', 'FlowStore', 'Coordination',
           'WorkQueue', 'Locks', 'Stores', 'build_stores', 'file_stores', 'redis_stores', 'redis_from_settings',
           'FLOW_LIFETIME', 'REFRESH_MARGIN', 'Refresher', 'Entry', 'Lease', 'LeaseLost', 'UnsupportedStore']

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stores:
    """
    The stores of one deployment.
    """
    tokens: TokenManager
    flows: FlowStore
    coordination: Coordination
    queue: WorkQueue

    @property
    def kind(self) -> str:
        """``'yaml'`` or ``'redis'``."""
        return self.tokens.kind

    def check(self) -> None:
        """
        Raise :class:`~wxc_cc.errors.StoreUnavailable` if any store cannot be reached (cheap: no record is read).
        """
        self.tokens.check()
        self.coordination.check()

    def check_server(self) -> None:
        """
        At start: check that the store's server can hold the bot's state (Redis: its version). A server that cannot
        be reached now is not checked (logged).

        :raises UnsupportedStore: it cannot, and says why
        """
        check = getattr(self.queue, 'check_server', None)
        if check is None:
            return
        try:
            check()
        except StoreUnavailable as error:
            log.warning('store not checked at start: %s', error.log_message)


def file_stores(token_file: str, *, refresher: Optional[Refresher] = None, token_keys: Sequence[str] = (),
                claim_after: float = CLAIM_AFTER) -> Stores:
    """
    The stores of one host: tokens in the YAML file; flows, coordination and the work queue in a SQLite database
    beside it (``wxc_cc_bot.db``); locks with ``flock`` on ``wxc_cc_bot.yml.locks``; each worker process marks itself
    alive in ``wxc_cc_bot.yml.workers/``.

    :param claim_after: seconds a worker's heartbeat lives unless renewed
    """
    path = database_beside(token_file)
    database = SQLiteDatabase(path)
    locks = locks_beside(token_file)
    tokens = YAMLTokenManager(token_file, locks=locks, refresher=refresher, token_keys=token_keys)
    coordination = SQLiteCoordination(database, locks)
    marks = LifeMarks(Path(token_file).absolute().with_name(Path(token_file).name + '.workers'))
    queue = SQLiteWorkQueue(SQLiteDatabase(path, durable=True), marks, claim_after)
    return Stores(tokens=tokens, flows=SQLiteFlowStore(database), coordination=coordination, queue=queue)


def redis_stores(keys: KeySpace, *, refresher: Optional[Refresher] = None, token_keys: Sequence[str] = (),
                 claim_after: float = CLAIM_AFTER) -> Stores:
    """
    The stores of a deployment sharing one Redis.
    """
    coordination = RedisCoordination(keys)
    tokens = RedisTokenManager(keys.redis, prefix=keys.prefix, locks=coordination, refresher=refresher,
                               token_keys=token_keys)
    return Stores(tokens=tokens, flows=RedisFlowStore(keys), coordination=coordination,
                  queue=RedisWorkQueue(keys, claim_after))


def build_stores(settings: Settings, refresher: Optional[Refresher] = None) -> Stores:
    """
    The stores the settings select: Redis when any Redis variable is set, else files.

    :param settings: the bot's settings
    :param refresher: how to refresh tokens
    :return: the stores; no connection is made yet
    """
    if settings.uses_redis:
        return redis_stores(KeySpace(redis_from_settings(settings)), refresher=refresher,
                            token_keys=settings.token_keys, claim_after=settings.claim_after)
    return file_stores(settings.token_file, refresher=refresher, token_keys=settings.token_keys,
                       claim_after=settings.claim_after)
