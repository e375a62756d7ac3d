"""
What the processes of a deployment coordinate on, apart from tokens and work: named locks, keys claimed once (one
refusal a day, one webhook check at a time), counters in time windows (rate limits), and small notes that expire (which
message is a call's live card, who added the bot to a space, what Webex said of a person).

:class:`Coordination` is the interface; :mod:`~wxc_cc.stores.sqlite_coordination` serves the processes of one
host, :mod:`~wxc_cc.stores.redis_coordination` a whole deployment. :class:`SeenWindow` and
:class:`WindowCounter` are the in-process versions the Redis backend falls back to while Redis is away.
"""
import threading
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from contextlib import AbstractContextManager
from typing import Optional, Protocol

__all__ = ['Locks', 'Coordination', 'SeenWindow', 'WindowCounter']


class Locks(Protocol):
    """Anything that hands out named locks (what the token store needs to refresh tokens once)."""

    def lock(self, name: str, timeout: float = 20.0) -> AbstractContextManager:
        """A lock held by one thread of one process at a time."""


class Coordination(ABC):
    """
    Locks, claims, counters and notes shared by every process using the same backend.
    """

    @abstractmethod
    def lock(self, name: str, timeout: float = 20.0) -> AbstractContextManager:
        """
        A lock shared by every process using this backend.

        :param name: what is locked, e.g. ``'webhooks'`` or ``'refresh:<person id>'``
        :param timeout: seconds to wait for it
        :raises StoreUnavailable: when it cannot be had in time
        """

    @abstractmethod
    def first_time(self, key: str, ttl: float) -> bool:
        """
        True the first time ``key`` is claimed within ``ttl`` seconds, for everybody sharing the backend.

        :param key: e.g. ``'refused:<person id>'``
        :param ttl: seconds to remember the key
        """

    @abstractmethod
    def count(self, key: str, window: float) -> int:
        """
        Count an event in a fixed time window: e.g. a person's commands.

        :param key: what is counted, e.g. ``'rate:<person id>'``
        :param window: seconds of the window
        :return: the number of events in the current window, this one included
        """

    @abstractmethod
    def set_note(self, key: str, value: str, ttl: float) -> None:
        """
        Keep a small value for a while.

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

    def check(self) -> None:
        """
        Raise :class:`~wxc_cc.errors.StoreUnavailable` if the backend cannot serve. Default: always fine.
        """


class SeenWindow:
    """
    Keys seen recently, in this process's memory.

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


class WindowCounter:
    """
    Events counted in fixed time windows, in this process's memory.

    :param max_keys: when more keys are kept, those whose window is over are dropped
    """

    def __init__(self, max_keys: int = 10000):
        self.max_keys = max_keys
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def count(self, key: str, window: float) -> int:
        """
        Count an event; the number of events in the current window, this one included.
        """
        now = time.monotonic()
        with self._lock:
            started, count = self._windows.get(key, (now, 0))
            if now - started >= window:
                started, count = now, 0
            self._windows[key] = (started, count + 1)
            if len(self._windows) > self.max_keys:
                self._windows = {k: v for k, v in self._windows.items() if now - v[0] < window}
            return count + 1
