"""
Records at rest under the token keys (``WXC_CC_TOKEN_KEY``): sealed with the newest key, opened with any.

Keys are a list, newest first, tried in that order. A record opened in plain
text while a key is set, or opened with an older key, is *stale*: whoever opened it stores it again, sealed with
the newest key, so that setting a key, or putting a new one in front, leaves no record behind. Without a key,
records are kept as plain data. No I/O here: the token store (:mod:`~wxc_cc.stores.tokens`) reads and writes.
"""
import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import NamedTuple, Union

from cryptography.fernet import Fernet, InvalidToken

from ..errors import TokenKeyMismatch

__all__ = ['Sealing', 'Opened', 'Stored', 'ENCRYPTED']

#: prefix of a sealed record
ENCRYPTED = 'fernet:'

#: a record as a backend keeps it: plain data (a mapping, or its JSON), or sealed, ``fernet:...``
Stored = Union[str, dict]


class Opened(NamedTuple):
    """A stored record opened."""
    #: the record as plain data
    record: dict
    #: it should be stored again, sealed with the newest key: it is in plain text while a key is set, or sealed
    #: with an older key
    stale: bool


class Sealing:
    """
    Seals and opens records with a list of Fernet keys.

    :param keys: Fernet keys, newest first; none: records stay plain
    """

    def __init__(self, keys: Sequence[str] = ()):
        ciphers = [Fernet(key.encode()) for key in keys]
        self._ciphers = ciphers
        #: names the newest key without revealing it: an HMAC of a constant, keyed with the key; ``'none'`` without
        self.fingerprint = (hmac.new(keys[0].encode(), b'wxc_cc_bot token key', hashlib.sha256).hexdigest()[:16]
                            if keys else 'none')

    @property
    def keyed(self) -> bool:
        """True when a key is set: records are sealed."""
        return bool(self._ciphers)

    def seal(self, record: dict) -> Stored:
        """
        A record as it is stored: sealed with the newest key (``fernet:...``), or, without a key, as it is.
        """
        if not self._ciphers:
            return record
        return ENCRYPTED + self._ciphers[0].encrypt(json.dumps(record).encode()).decode()

    def open(self, stored: Stored) -> Opened:
        """
        A stored record as plain data, and whether it is stale.

        :raises TokenKeyMismatch: sealed, and none of the keys (if any) opens it
        :raises ValueError: not JSON
        """
        if isinstance(stored, str) and stored.startswith(ENCRYPTED):
            if not self._ciphers:
                raise TokenKeyMismatch('tokens in the store are encrypted: set WXC_CC_TOKEN_KEY')
            token = stored[len(ENCRYPTED):].encode()
            for age, cipher in enumerate(self._ciphers):
                try:
                    return Opened(json.loads(cipher.decrypt(token)), age > 0)
                except InvalidToken:
                    continue
            raise TokenKeyMismatch('tokens in the store were encrypted with another WXC_CC_TOKEN_KEY')
        return Opened(json.loads(stored) if isinstance(stored, str) else stored, self.keyed)
