"""
The token store interface: per-user tokens and pending OAuth flows.

:class:`TokenManager` defines the few storage operations a backend implements and, on top of them, the
behaviour all backends share: starting flows and refreshing tokens that are about to expire.
"""
import json
import logging
import secrets
import threading
import time
from collections import OrderedDict
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import ClassVar, Optional, Union

from cryptography.fernet import Fernet, InvalidToken

from pydantic import BaseModel
from wxc_sdk.tokens import Tokens

from ..errors import StoreUnavailable, TokenRejected

__all__ = ['UserContext', 'TokenManager', 'Refresher', 'SeenWindow', 'FLOW_LIFETIME', 'REFRESH_MARGIN']

log = logging.getLogger(__name__)

#: seconds an OAuth flow may take from /auth to /redirect
FLOW_LIFETIME = 300

#: access tokens with less than this many seconds left are refreshed before use
REFRESH_MARGIN = 120

#: prefix of a user context stored encrypted
ENCRYPTED = 'fernet:'

#: exchanges a refresh token for new tokens; raises :class:`~wxc_cc.errors.TokenRejected` if Webex refuses
Refresher = Callable[[Tokens], Tokens]


class SeenWindow:
    """
    Keys seen recently, in memory: the de-duplication of one process.

    :param max_entries: most keys kept; the oldest go first
    """

    def __init__(self, max_entries: int = 20000):
        self.max_entries = max_entries
        self._expiry: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, key: str, ttl: float) -> bool:
        """
        True the first time ``key`` is seen within ``ttl`` seconds.
        """
        now = time.monotonic()
        with self._lock:
            expiry = self._expiry.get(key)
            if expiry is not None and expiry > now:
                return False
            self._expiry[key] = now + ttl
            self._expiry.move_to_end(key)
            while self._expiry and (len(self._expiry) > self.max_entries
                                    or next(iter(self._expiry.values())) <= now):
                self._expiry.popitem(last=False)
            return True

    def forget(self, key: str) -> None:
        """
        Withdraw a claim: the key counts as new again.
        """
        with self._lock:
            self._expiry.pop(key, None)


class UserContext(BaseModel):
    """
    What the bot keeps per user: who they are and the tokens to act for them.
    """
    #: Webex person id
    user_id: str
    #: the user's email, for humans reading /redis info
    email: Optional[str] = None
    #: the user's OAuth tokens
    tokens: Tokens
    #: call events also as raw JSON (``/monitor verbose``)
    verbose: bool = False

    def to_record(self) -> dict:
        """
        Plain data for storage (no derived fields).
        """
        return self.model_dump(mode='json', exclude={'tokens': {'expires_in', 'refresh_token_expires_in'}})


class TokenManager(ABC):
    """
    Abstract token store.

    :param refresher: how to refresh tokens (the OAuth client); without one, tokens are never refreshed
    :param flow_lifetime: seconds an OAuth flow stays valid
    """
    #: short name of the backend, e.g. ``'yaml'``
    kind: ClassVar[str] = ''

    def __init__(self, *, refresher: Optional[Refresher] = None, flow_lifetime: float = FLOW_LIFETIME,
                 token_key: Optional[str] = None):
        self.refresher = refresher
        self.flow_lifetime = flow_lifetime
        self._seen = SeenWindow()
        self._windows: dict[str, tuple[float, int]] = {}
        self._windows_lock = threading.Lock()
        self._cipher = Fernet(token_key.encode()) if token_key else None

    # --- tokens at rest

    def _pack(self, context: UserContext) -> Union[str, dict]:
        """
        A user context as stored: plain data, or with a token key an encrypted string (``fernet:...``).
        """
        record = context.to_record()
        if self._cipher is None:
            return record
        return ENCRYPTED + self._cipher.encrypt(json.dumps(record).encode()).decode()

    def _unpack(self, stored: Union[str, dict]) -> tuple[UserContext, bool]:
        """
        A stored user context, and whether it should be stored again (kept in plain text while a key is set).

        :raises StoreUnavailable: encrypted without the right key
        """
        if isinstance(stored, str) and stored.startswith(ENCRYPTED):
            if self._cipher is None:
                raise StoreUnavailable('tokens in the store are encrypted: set WXC_CC_TOKEN_KEY')
            try:
                return UserContext.model_validate_json(self._cipher.decrypt(stored[len(ENCRYPTED):].encode())), False
            except InvalidToken:
                raise StoreUnavailable('tokens in the store were encrypted with another WXC_CC_TOKEN_KEY') from None
        record = json.loads(stored) if isinstance(stored, str) else stored
        return UserContext.model_validate(record), self._cipher is not None

    def _context(self, owner: str, stored: Union[str, dict, None]) -> Optional[UserContext]:
        """
        The user context stored under ``owner``, encrypting it on the way if it was stored in plain text.

        A record that belongs to somebody else (e.g. another person's ciphertext copied under this id) is refused:
        logged, and treated as absent, so that nobody acts with another person's tokens.
        """
        if not stored:
            return None
        context, rewrite = self._unpack(stored)
        if context.user_id != owner:
            log.warning('record stored under user %s belongs to user %s: refused', owner, context.user_id)
            return None
        if rewrite:
            log.info('tokens of user %s encrypted at rest', context.user_id)
            self.set_user_context(context)
        return context

    # --- what a backend implements

    @abstractmethod
    def get_user_context(self, user_id: str) -> Optional[UserContext]:
        """
        The stored context of a user, or ``None``.

        :param user_id: person id
        """

    @abstractmethod
    def set_user_context(self, user_context: UserContext) -> None:
        """
        Store (create or replace) a user's context.

        :param user_context: the context to store
        """

    @abstractmethod
    def clear_user_context(self, user_id: str) -> bool:
        """
        Forget a user.

        :param user_id: person id
        :return: True if there was something to forget
        """

    @abstractmethod
    def user_contexts(self) -> list[UserContext]:
        """
        All stored user contexts.
        """

    @abstractmethod
    def _save_flow(self, flow_id: str, user_id: str, expires_at: float) -> None:
        """
        Store a pending flow; it replaces the person's earlier pending flow (a person has at most one), and
        flows that expired are removed on the way, so that starting flows in a loop cannot grow the store.
        """

    @abstractmethod
    def take_flow(self, flow_id: str) -> Optional[str]:
        """
        Consume a pending flow: each flow can be taken once, and not after it expired.

        :param flow_id: the ``state`` of the OAuth redirect
        :return: the id of the user who started the flow, or ``None`` if the flow is unknown, used or expired
        """

    @abstractmethod
    def flow_maintenance(self) -> int:
        """
        Remove flows that were started but never completed and have expired.

        :return: number of flows removed
        """

    @abstractmethod
    def pending_flows(self) -> int:
        """
        Number of flows started and not yet completed or expired.
        """

    @abstractmethod
    def clear(self) -> int:
        """
        Remove all users and flows.

        :return: number of entries removed
        """

    @abstractmethod
    def lock(self, name: str, timeout: float = 20.0) -> AbstractContextManager:
        """
        A lock shared by every process using this store (workers, and instances where the store is shared).

        :param name: what is locked, e.g. ``'webhooks'``
        :param timeout: seconds to wait for it
        :raises StoreUnavailable: when it cannot be had in time
        """

    def refresh_lock(self, user_id: str) -> AbstractContextManager:
        """
        The lock held while a user's tokens are refreshed, so that only one refresh happens at a time.

        :param user_id: person id
        """
        return self.lock(f'refresh:{user_id}')

    @abstractmethod
    def set_note(self, key: str, value: str, ttl: float) -> None:
        """
        Keep a small value for a while, shared by everybody using the store (e.g. which message is the live
        card of a call).

        :param key: what the note is about
        :param value: the note
        :param ttl: seconds to keep it
        """

    @abstractmethod
    def get_note(self, key: str) -> Optional[str]:
        """
        A note kept with :meth:`set_note`, or ``None`` when there is none (or it expired).
        """

    @abstractmethod
    def delete_note(self, key: str) -> None:
        """
        Drop a note.
        """

    def count(self, key: str, window: float) -> int:
        """
        Count an event in a fixed time window, shared by everybody using the store: e.g. a person's commands.
        Default: in this process's memory.

        :param key: what is counted, e.g. ``'rate:<person id>'``
        :param window: seconds of the window
        :return: the number of events in the current window, this one included
        """
        now = time.monotonic()
        with self._windows_lock:
            started, count = self._windows.get(key, (now, 0))
            if now - started >= window:
                started, count = now, 0
            self._windows[key] = (started, count + 1)
            if len(self._windows) > 10000:
                self._windows = {k: v for k, v in self._windows.items() if now - v[0] < window}
            return count + 1

    def first_time(self, key: str, ttl: float) -> bool:
        """
        True the first time ``key`` is claimed within ``ttl`` seconds, across everybody sharing the store:
        notifications are acted on once even when delivered twice. Default: in this process's memory.

        :param key: e.g. ``'message:<id>'``
        :param ttl: seconds to remember the key
        """
        return self._seen.first_time(key, ttl)

    def forget(self, key: str) -> None:
        """
        Withdraw a claim made with :meth:`first_time` (a notification that could not be taken): when it is
        delivered again, it counts as new.

        :param key: the claimed key
        """
        self._seen.forget(key)

    def check(self) -> None:
        """
        Raise :class:`~wxc_cc.errors.StoreUnavailable` if the store cannot serve: it cannot be reached, or the
        tokens in it cannot be read with this ``WXC_CC_TOKEN_KEY`` (one stored record is tried).
        """
        sample = self._sample_record()
        if sample:
            self._unpack(sample)

    def _sample_record(self) -> Union[str, dict, None]:
        """
        One stored user record as stored (any), or ``None``; reaching the backend is part of the check.
        """
        return None

    # --- shared behaviour

    def start_flow(self, user_id: str) -> str:
        """
        Start an OAuth flow for a user.

        :param user_id: person id of the user who asked to authorize
        :return: a fresh, unguessable flow id, to be used as the OAuth ``state``
        """
        flow_id = secrets.token_urlsafe(24)
        self._save_flow(flow_id, user_id, time.time() + self.flow_lifetime)
        log.info('flow started for user %s, expires in %d s', user_id, self.flow_lifetime)
        return flow_id

    def get_user_context_and_refresh(self, user_id: str) -> Optional[UserContext]:
        """
        A user's context with an access token that is good for at least :data:`REFRESH_MARGIN` seconds.

        Tokens about to expire are refreshed under :meth:`refresh_lock`; whoever waited for the lock uses the
        tokens the lock holder stored instead of refreshing again (refresh tokens may rotate). When Webex
        refuses the refresh token the context is removed.

        :param user_id: person id
        :return: the context, or ``None`` if the user has no (more) valid tokens
        """
        context = self.get_user_context(user_id)
        if not self._needs_refresh(context):
            return context
        return self._refresh(user_id, self._needs_refresh)

    def refresh_rejected(self, user_id: str, rejected_access_token: str) -> Optional[UserContext]:
        """
        Webex refused an access token before its time (revoked, or expired early): refresh it, unless another
        request has done so since.

        :param user_id: person id
        :param rejected_access_token: the access token Webex answered 401 to
        :return: the context with the current tokens, or ``None`` if the user has no (more) valid tokens
        """
        def still_rejected(context: Optional[UserContext]) -> bool:
            return (context is not None and self.refresher is not None and bool(context.tokens.refresh_token)
                    and context.tokens.access_token == rejected_access_token)

        return self._refresh(user_id, still_rejected)

    def _refresh(self, user_id: str, needed: Callable[[Optional[UserContext]], bool]) -> Optional[UserContext]:
        with self.refresh_lock(user_id):
            context = self.get_user_context(user_id)
            if not needed(context):
                return context
            try:
                tokens = self.refresher(context.tokens)
            except TokenRejected:
                log.warning('refresh token of user %s rejected, forgetting the user', user_id)
                self.clear_user_context(user_id)
                return None
            except Exception as error:
                if context.tokens.remaining > 0:
                    log.warning('refresh for user %s failed (%s), using the current token', user_id,
                                type(error).__name__)
                    return context
                raise
            context = context.model_copy(update={'tokens': tokens})
            self.set_user_context(context)
            log.info('tokens refreshed for user %s, valid until %s', user_id, tokens.expires_at)
            return context

    def _needs_refresh(self, context: Optional[UserContext]) -> bool:
        return (context is not None and self.refresher is not None and bool(context.tokens.refresh_token)
                and context.tokens.remaining < REFRESH_MARGIN)
