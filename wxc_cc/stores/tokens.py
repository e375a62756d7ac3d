"""
The token store: per-user :class:`UserContext` objects (who a user is, and the OAuth tokens to act for them).

A backend implements :class:`TokenRecords`, a few operations on records as stored: the YAML file
(:mod:`~wxc_cc.stores.yaml_tokens`) or Redis (:mod:`~wxc_cc.stores.redis_tokens`). :class:`TokenManager` composes
what every backend shares around it, each a part of its own:

* the sealing (:class:`~wxc_cc.stores.sealing.Sealing`): records encrypted at rest with the token keys, and a record
  found in plain text or under an older key stored again under the newest (:meth:`TokenManager.encrypt_at_rest`
  does so for every record at once, at start);
* the owner check (:func:`belongs`): a record counts only under the person it names;
* the refresh policy (:class:`~wxc_cc.stores.token_refresh.TokenRefresh`), applied under a lock per person, so that
  tokens are refreshed once whatever the number of workers.

OAuth flows and coordination (locks, claims, counters, notes) are other stores: :mod:`~wxc_cc.stores.flows`,
:mod:`~wxc_cc.stores.coordination`.
"""
import datetime
import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, ClassVar, Optional

from pydantic import BaseModel
from wxc_sdk.tokens import Tokens

from ..errors import TokenKeyMismatch
from .coordination import Locks
from .sealing import Sealing, Stored
from .token_refresh import Refresher, TokenRefresh

__all__ = ['UserContext', 'TokenRecords', 'TokenManager', 'belongs']

log = logging.getLogger(__name__)


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


def belongs(context: UserContext, owner: str) -> bool:
    """
    The owner check: a record counts only under the person it names. Sealed, the name is inside the ciphertext, so
    that another person's record copied under this id is found out, and nobody acts with another person's tokens.

    :param context: the record, opened
    :param owner: the person it is stored under
    """
    return context.user_id == owner


class TokenRecords(ABC):
    """
    What a backend of the token store implements: user records as stored (see
    :data:`~wxc_cc.stores.sealing.Stored`), each under the person id of its owner. Every operation raises
    :class:`~wxc_cc.errors.StoreUnavailable` when the backend cannot be reached.
    """
    #: short name of the backend, e.g. ``'yaml'``
    kind: ClassVar[str] = ''

    @abstractmethod
    def get(self, owner: str) -> Optional[Stored]:
        """The record stored under ``owner``, or ``None``."""

    @abstractmethod
    def put(self, owner: str, record: Stored) -> None:
        """Store (create or replace) the record under ``owner``."""

    @abstractmethod
    def delete(self, owner: str) -> bool:
        """
        Remove the record under ``owner``.

        :return: True if there was one
        """

    @abstractmethod
    def items(self) -> list[tuple[str, Stored]]:
        """Every record, with the person it is stored under."""

    @abstractmethod
    def clear(self) -> int:
        """
        Remove every record.

        :return: how many were removed
        """

    @abstractmethod
    def replace(self, owner: str, expected: Stored, record: Stored) -> bool:
        """
        Store ``record`` under ``owner`` if what is stored there is still ``expected``, in one step: a record stored
        again under the newest key never undoes a change made meanwhile.

        :return: True if it was stored
        """

    @abstractmethod
    def sample(self) -> Optional[Stored]:
        """One record (any), or ``None``: cheap, for trying the keys."""

    @abstractmethod
    def check(self) -> None:
        """Raise :class:`~wxc_cc.errors.StoreUnavailable` if the backend cannot be reached; no record is read."""


class TokenManager:
    """
    The token store: user contexts kept by a backend, sealed, bound to their owner, their tokens refreshed before
    they expire.

    :param records: the backend
    :param locks: where the lock held while a user's record is changed comes from (shared by every process using
        the same backend)
    :param refresher: how to refresh tokens (the OAuth client); without one, tokens are never refreshed
    :param token_keys: Fernet keys, newest first: tokens are then stored encrypted with the first and read with any
    """

    def __init__(self, records: TokenRecords, *, locks: Locks, refresher: Optional[Refresher] = None,
                 token_keys: Sequence[str] = ()):
        self.records = records
        self.locks = locks
        self.sealing = Sealing(token_keys)
        self.refresh = TokenRefresh(refresher)

    @property
    def kind(self) -> str:
        """Short name of the backend, e.g. ``'yaml'``."""
        return self.records.kind

    @property
    def key_fingerprint(self) -> str:
        """Names the newest token key without revealing it (see :class:`~wxc_cc.stores.sealing.Sealing`)."""
        return self.sealing.fingerprint

    # --- user contexts

    def get_user_context(self, user_id: str) -> Optional[UserContext]:
        """
        The stored context of a user, or ``None``.

        :param user_id: person id
        """
        return self._open(user_id, self.records.get(user_id))

    def set_user_context(self, user_context: UserContext) -> None:
        """
        Store (create or replace) a user's context.

        :param user_context: the context to store
        """
        self.records.put(user_context.user_id, self.sealing.seal(user_context.to_record()))

    def clear_user_context(self, user_id: str) -> bool:
        """
        Forget a user.

        :param user_id: person id
        :return: True if there was something to forget
        """
        return self.records.delete(user_id)

    def user_contexts(self) -> list[UserContext]:
        """
        All stored user contexts (those refused by the owner check left out).
        """
        return [context for owner, stored in self.records.items()
                if (context := self._open(owner, stored)) is not None]

    def clear(self) -> int:
        """
        Forget every user.

        :return: number of users removed
        """
        return self.records.clear()

    def check(self) -> None:
        """
        Raise :class:`~wxc_cc.errors.StoreUnavailable` if the store cannot be reached. Cheap: no record is read
        (:meth:`check_key` reads one).
        """
        self.records.check()

    def _open(self, owner: str, stored: Optional[Stored]) -> Optional[UserContext]:
        """
        The user context stored under ``owner``, stored again on the way under the newest key if it was stale.
        One refused by the owner check is logged, and treated as absent.

        :raises TokenKeyMismatch: sealed, and none of the keys opens it
        """
        if not stored:
            return None
        context, stale = self._unseal(stored)
        if not belongs(context, owner):
            log.warning('record stored under user %s belongs to user %s: refused', owner, context.user_id)
            return None
        if stale and self._reseal(owner, stored, context):
            log.info('tokens of user %s encrypted at rest with the newest key', owner)
        return context

    def _unseal(self, stored: Stored) -> tuple[UserContext, bool]:
        """
        A stored record as a user context, and whether it is stale (see :class:`~wxc_cc.stores.sealing.Opened`).

        :raises TokenKeyMismatch: sealed, and none of the keys opens it
        :raises ValueError: not JSON, or not a user context
        """
        record, stale = self.sealing.open(stored)
        return UserContext.model_validate(record), stale

    def _reseal(self, owner: str, stored: Stored, context: UserContext) -> bool:
        """Store a stale record again under the newest key, unless it changed meanwhile; True if it was."""
        return self.records.replace(owner, stored, self.sealing.seal(context.to_record()))

    # --- the token keys

    def encrypt_at_rest(self) -> int:
        """
        Store every record that is in plain text, or encrypted with an older key, again under the newest key, so
        that none waits for its person to come back. A record changed meanwhile is left as the change left it; one
        that no key reads, that cannot be read at all, or that belongs to somebody else is logged and left alone.
        Without a key: nothing to do.

        :return: how many records were stored again
        :raises StoreUnavailable: the store cannot be reached
        """
        if not self.sealing.keyed:
            return 0
        done = 0
        for owner, stored in self.records.items():
            try:
                context, stale = self._unseal(stored)
            except TokenKeyMismatch as error:
                log.warning('record of user %s not encrypted again: %s', owner, error.log_message)
                continue
            except ValueError as error:  # not JSON, or not a user context
                log.warning('record of user %s not encrypted again: unreadable (%s)', owner, type(error).__name__)
                continue
            if not belongs(context, owner):
                log.warning('record stored under user %s belongs to user %s: not encrypted again', owner,
                            context.user_id)
            elif stale and self._reseal(owner, stored, context):
                done += 1
        return done

    def check_key(self) -> None:
        """
        Raise :class:`~wxc_cc.errors.TokenKeyMismatch` if the tokens in the store cannot be read with these keys
        (one stored record is tried), :class:`~wxc_cc.errors.StoreUnavailable` if the store cannot be reached.
        """
        sample = self.records.sample()
        if sample:
            self.sealing.open(sample)

    # --- changes under the person's lock: refreshing, updating

    def _lock(self, user_id: str) -> AbstractContextManager:
        """The lock a change of a person's record is made under, by every process of the deployment."""
        return self.locks.lock(f'refresh:{user_id}')

    def get_user_context_and_refresh(self, user_id: str) -> Optional[UserContext]:
        """
        A user's context with an access token that is good for at least
        :data:`~wxc_cc.stores.token_refresh.REFRESH_MARGIN` seconds.

        Tokens about to expire are refreshed under a lock (``refresh:<person id>``); whoever waited for it uses the
        tokens the lock holder stored instead of refreshing again (refresh tokens may rotate). When Webex
        refuses the refresh token the context is removed.

        :param user_id: person id
        :return: the context, or ``None`` if the user has no (more) valid tokens
        """
        context = self.get_user_context(user_id)
        if context is None or not self.refresh.due(context.tokens):
            return context
        return self._refreshed(user_id)

    def refresh_rejected(self, user_id: str, rejected_access_token: str) -> Optional[UserContext]:
        """
        Webex refused an access token before its time (revoked, or expired early): refresh it, unless another
        request has done so since.

        :param user_id: person id
        :param rejected_access_token: the access token Webex answered 401 to
        :return: the context with the current tokens, or ``None`` if the user has no (more) valid tokens
        """
        return self._refreshed(user_id, rejected_access_token)

    def _refreshed(self, user_id: str, rejected_access_token: Optional[str] = None) -> Optional[UserContext]:
        """The user's context, read again under their lock, with its tokens renewed if they are due still."""
        with self._lock(user_id):
            context = self.get_user_context(user_id)
            if context is None or not self.refresh.due(context.tokens, rejected_access_token):
                return context
            tokens = self.refresh.renew(user_id, context.tokens)
            if tokens is None:
                self.clear_user_context(user_id)
                return None
            if tokens is context.tokens:
                return context
            context = context.model_copy(update={'tokens': tokens})
            self.set_user_context(context)
            log.info('tokens refreshed for user %s, valid until %s', user_id, tokens.expires_at)
            return context

    def update_user_context(self, user_id: str, **changes: Any) -> Optional[UserContext]:
        """
        Change fields of a user's stored context other than the tokens, under the lock a refresh of their tokens
        takes: tokens refreshed meanwhile are kept.

        :param user_id: person id
        :param changes: the fields and their new values
        :return: the context as stored now, or ``None`` when the user is not (any more) in the store
        """
        with self._lock(user_id):
            context = self.get_user_context(user_id)
            if context is None:
                return None
            context = context.model_copy(update=changes)
            self.set_user_context(context)
            return context
