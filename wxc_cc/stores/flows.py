"""
Pending OAuth flows: ``/auth`` starts one (its id is the OAuth ``state``), ``/redirect`` takes it, once.

:class:`FlowStore` is the interface with the behaviour both backends share;
:mod:`~wxc_cc.stores.sqlite_flows` keeps flows beside the YAML token file, :mod:`~wxc_cc.stores.redis_flows` in
Redis. A person has at most one pending flow: a new one replaces it, and starting a flow removes the expired
ones, so ``/auth`` in a loop cannot grow the store.
"""
import logging
import secrets
import time
from abc import ABC, abstractmethod
from typing import Optional

__all__ = ['FlowStore', 'FLOW_LIFETIME']

log = logging.getLogger(__name__)

#: seconds an OAuth flow may take from /auth to /redirect
FLOW_LIFETIME = 300


class FlowStore(ABC):
    """
    Pending OAuth flows.

    :param lifetime: seconds a flow stays valid
    """

    def __init__(self, lifetime: float = FLOW_LIFETIME):
        self.lifetime = lifetime

    def start(self, user_id: str) -> str:
        """
        Start a flow for a person, replacing their pending one.

        :param user_id: person id of who asked to authorize
        :return: a fresh, unguessable flow id, to be used as the OAuth ``state``
        """
        flow_id = secrets.token_urlsafe(24)
        self._save(flow_id, user_id, time.time() + self.lifetime)
        log.info('flow started for user %s, expires in %d s', user_id, self.lifetime)
        return flow_id

    @abstractmethod
    def _save(self, flow_id: str, user_id: str, expires_at: float) -> None:
        """
        Store a flow, replacing the person's earlier pending flow and removing expired flows.
        """

    @abstractmethod
    def take(self, flow_id: str) -> Optional[str]:
        """
        Consume a flow: each can be taken once, and not after it expired.

        :param flow_id: the ``state`` of the OAuth redirect
        :return: the id of the person who started it, or ``None`` if it is unknown, used or expired
        """

    @abstractmethod
    def maintenance(self) -> int:
        """
        Remove flows that expired without being completed.

        :return: number of flows removed
        """

    @abstractmethod
    def pending(self) -> int:
        """
        Number of flows started and neither completed nor expired.
        """

    @abstractmethod
    def clear(self) -> int:
        """
        Remove every flow.

        :return: number removed
        """
