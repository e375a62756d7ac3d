"""
The token store: per-user :class:`UserContext` objects (who a user is, and the OAuth tokens to act for them).

:class:`TokenManager` defines the few operations a backend implements (get, set, clear, list) and, on top of
them, what every backend shares: tokens encrypted at rest with a key, records bound to the person they are stored
under, and refreshing tokens that are about to expire (once, under a lock, whatever the number of workers).
OAuth flows and coordination (locks, claims, counters, notes) are other stores: :mod:`~wxc_cc.stores.flows`,
:mod:`~wxc_cc.stores.coordination`.

Keys (``WXC_CC_TOKEN_KEY``) are a list, newest first, as :class:`~cryptography.fernet.MultiFernet` takes them:
records are written with the newest and read with any. A record read in plain text, or under an older key, is
stored again under the newest; :meth:`TokenManager.encrypt_at_rest` does so for every record at once (at start), so
that setting a key, or putting a new one in front, leaves no record behind and asks nobody to sign in again.
"""
import datetime
import hashlib
import hmac
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar, Optional, Union

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from pydantic import BaseModel
from wxc_sdk.tokens import Tokens

from ..errors import StoreUnavailable, TokenKeyMismatch, TokenRejected
from .coordination import Locks

__all__ = ['UserContext', 'TokenManager', 'Refresher', 'REFRESH_MARGIN', 'Stored']

log = logging.getLogger(__name__)

#: access tokens with less than this many seconds left are refreshed before use
REFRESH_MARGIN = 120

#: prefix of a user context stored encrypted
ENCRYPTED = 'fernet:'

#: exchanges a refresh token for new tokens; raises :class:`~wxc_cc.errors.TokenRejected` if Webex refuses
Refresher = Callable[[Tokens], Tokens]

#: a user context as a backend keeps it: plain data, or ``fernet:...``
Stored = Union[str, dict]


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
    #: monitoring is on (``/monitor on``): the user's call-event webhooks exist
    monitoring: bool = False
    #: the user's own time zone as Webex has it (``timezone`` of ``GET /people/me``), e.g. ``Asia/Tokyo``;
    #: ``None`` when they have none (times in UTC) or it was never read
    timezone: Optional[str] = None
    #: when the bot last asked Webex for it (see :mod:`wxc_cc.timezones`); ``None``: never
    timezone_read: Optional[datetime.datetime] = None

    def to_record(self) -> dict:
        """
        Plain data for storage (no derived fields).
        """
        return self.model_dump(mode='json', exclude={'tokens': {'expires_in', 'refresh_token_expires_in'}})


class TokenManager(ABC):
    """
    Abstract token store.

    :param locks: where the lock held while a user's tokens are refreshed comes from (shared by every process
        using the same store)
    :param refresher: how to refresh tokens (the OAuth client); without one, tokens are never refreshed
    :param token_keys: Fernet keys, newest first: tokens are then stored encrypted with the first and read with any
    """
    #: short name of the backend, e.g. ``'yaml'``
    kind: ClassVar[str] = ''

    def __init__(self, *, locks: Locks, refresher: Optional[Refresher] = None, token_keys: Sequence[str] = ()):
        self.locks = locks
        self.refresher = refresher
        ciphers = [Fernet(key.encode()) for key in token_keys]
        self._newest: Optional[Fernet] = ciphers[0] if ciphers else None
        self._cipher: Optional[MultiFernet] = MultiFernet(ciphers) if ciphers else None
        #: names the newest key without revealing it: an HMAC of a constant, keyed with the key; ``'none'`` without
        self.key_fingerprint = (hmac.new(token_keys[0].encode(), b'wxc_cc_bot token key', hashlib.sha256).hexdigest()
                                [:16] if token_keys else 'none')

    # --- tokens at rest

    def _pack(self, context: UserContext) -> Stored:
        """
        A user context as stored: plain data, or with a token key encrypted with the newest (``fernet:...``).
        """
        record = context.to_record()
        if self._cipher is None:
            return record
        return ENCRYPTED + self._cipher.encrypt(json.dumps(record).encode()).decode()

    def _unpack(self, stored: Stored) -> tuple[UserContext, bool]:
        """
        A stored user context, and whether it should be stored again: it is in plain text while a key is set, or
        encrypted with another than the newest key.

        :raises TokenKeyMismatch: encrypted, and none of the keys (if any) reads it
        """
        if isinstance(stored, str) and stored.startswith(ENCRYPTED):
            if self._cipher is None:
                raise TokenKeyMismatch('tokens in the store are encrypted: set WXC_CC_TOKEN_KEY')
            token = stored[len(ENCRYPTED):].encode()
            try:
                return UserContext.model_validate_json(self._newest.decrypt(token)), False
            except InvalidToken:
                pass
            try:
                return UserContext.model_validate_json(self._cipher.decrypt(token)), True
            except InvalidToken:
                raise TokenKeyMismatch('tokens in the store were encrypted with another WXC_CC_TOKEN_KEY') from None
        record = json.loads(stored) if isinstance(stored, str) else stored
        return UserContext.model_validate(record), self._cipher is not None

    def _context(self, owner: str, stored: Optional[Stored]) -> Optional[UserContext]:
        """
        The user context stored under ``owner``, stored again on the way under the newest key if it was in plain
        text or under an older key.

        A record that belongs to somebody else (e.g. another person's ciphertext copied under this id) is refused:
        logged, and treated as absent, so that nobody acts with another person's tokens.
        """
        if not stored:
            return None
        context, rewrite = self._unpack(stored)
        if context.user_id != owner:
            log.warning('record stored under user %s belongs to user %s: refused', owner, context.user_id)
            return None
        if rewrite and self._replace(owner, stored, self._pack(context)):
            log.info('tokens of user %s encrypted at rest with the newest key', owner)
        return context

    def _contexts(self, stored: Iterable[tuple[str, Optional[Stored]]]) -> list[UserContext]:
        """The user contexts of (owner, record) pairs, as :meth:`_context` reads each; refused ones left out."""
        return [context for owner, record in stored if (context := self._context(owner, record)) is not None]

    def encrypt_at_rest(self) -> int:
        """
        Store every record that is in plain text, or encrypted with an older key, again under the newest key, so
        that none waits for its person to come back. A record changed meanwhile is left as the change left it; one
        that no key reads, that cannot be read at all, or that belongs to somebody else is logged and left alone.
        Without a key: nothing to do.

        :return: how many records were stored again
        :raises StoreUnavailable: the store cannot be reached
        """
        if self._cipher is None:
            return 0
        done = 0
        for owner, stored in self._stored_records():
            try:
                context, rewrite = self._unpack(stored)
            except TokenKeyMismatch as error:
                log.warning('record of user %s not encrypted again: %s', owner, error.log_message)
                continue
            except ValueError as error:  # not JSON, or not a user context
                log.warning('record of user %s not encrypted again: unreadable (%s)', owner, type(error).__name__)
                continue
            if context.user_id != owner:
                log.warning('record stored under user %s belongs to user %s: not encrypted again', owner,
                            context.user_id)
            elif rewrite and self._replace(owner, stored, self._pack(context)):
                done += 1
        return done

    def check_key(self) -> None:
        """
        Raise :class:`~wxc_cc.errors.TokenKeyMismatch` if the tokens in the store cannot be read with these keys
        (one stored record is tried), :class:`~wxc_cc.errors.StoreUnavailable` if the store cannot be reached.
        """
        sample = self._sample_record()
        if sample:
            self._unpack(sample)

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

    def user_contexts(self) -> list[UserContext]:
        """
        All stored user contexts.
        """
        return self._contexts(self._stored_records())

    @abstractmethod
    def clear(self) -> int:
        """
        Forget every user.

        :return: number of users removed
        """

    @abstractmethod
    def check(self) -> None:
        """
        Raise :class:`~wxc_cc.errors.StoreUnavailable` if the store cannot be reached. Cheap: no record is read
        (:meth:`check_key` reads one).
        """

    @abstractmethod
    def _stored_records(self) -> list[tuple[str, Stored]]:
        """
        Every user record as stored, with the person it is stored under.
        """

    @abstractmethod
    def _replace(self, owner: str, expected: Stored, record: Stored) -> bool:
        """
        Store ``record`` under ``owner`` if what is stored there is still ``expected``, in one step.

        :return: True if it was stored
        """

    @abstractmethod
    def _sample_record(self) -> Optional[Stored]:
        """
        One stored user record as stored (any), or ``None``.
        """

    # --- shared behaviour

    def get_user_context_and_refresh(self, user_id: str) -> Optional[UserContext]:
        """
        A user's context with an access token that is good for at least :data:`REFRESH_MARGIN` seconds.

        Tokens about to expire are refreshed under a lock (``refresh:<person id>``); whoever waited for it uses the
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
        with self.locks.lock(f'refresh:{user_id}'):
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

    def update_user_context(self, user_id: str, **changes: Any) -> Optional[UserContext]:
        """
        Change fields of a user's stored context other than the tokens, under the lock a refresh of their tokens
        takes: tokens refreshed meanwhile are kept.

        :param user_id: person id
        :param changes: the fields and their new values
        :return: the context as stored now, or ``None`` when the user is not (any more) in the store
        """
        with self.locks.lock(f'refresh:{user_id}'):
            context = self.get_user_context(user_id)
            if context is None:
                return None
            context = context.model_copy(update=changes)
            self.set_user_context(context)
            return context
