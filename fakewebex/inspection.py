"""
Request log, contract violations and fault injection: what tests use to observe and disturb the API.
"""
import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from .errors import WebexError
from .models import Recorded, Violation

__all__ = ['MASKED_FIELDS', 'mask', 'RequestLog', 'ViolationLog', 'FaultRule', 'FaultInjector']

log = logging.getLogger(__name__)

#: body fields never shown in the request log (OAuth secrets, tokens, webhook secrets), at any depth
MASKED_FIELDS = frozenset({'client_secret', 'refresh_token', 'access_token', 'code', 'secret'})


def mask(body: Any) -> Any:
    """
    :param body: parsed request body
    :return: a copy with the values of :data:`MASKED_FIELDS` replaced by ``'***'``, also in nested objects and
        lists
    """
    if isinstance(body, Mapping):
        return {k: '***' if k in MASKED_FIELDS else mask(v) for k, v in body.items()}
    if isinstance(body, list):
        return [mask(item) for item in body]
    return body


class RequestLog:
    """
    Every API request, in order of completion.
    """

    def __init__(self, lock: threading.RLock, on_add: Optional[Callable[[], None]] = None):
        """
        :param lock: the world lock
        :param on_add: called after a request is logged (with the world lock held)
        """
        self._lock = lock
        self._on_add = on_add
        self._items: list[Recorded] = []
        self._next_seq = 0
        #: requests begun and not yet logged
        self._in_flight = 0
        self._settled = threading.Condition()

    def begin(self) -> None:
        """
        A request has begun; :meth:`add` ends it.
        """
        with self._settled:
            self._in_flight += 1

    def add(self, recorded: Recorded) -> None:
        """
        Append a request; assigns its :attr:`~fakewebex.models.Recorded.seq`.
        """
        with self._lock:
            recorded.seq = self._next_seq
            self._next_seq += 1
            self._items.append(recorded)
            if self._on_add is not None:
                self._on_add()
        with self._settled:
            self._in_flight = max(0, self._in_flight - 1)
            self._settled.notify_all()

    def all(self) -> list[Recorded]:
        """
        :return: a copy of the log
        """
        with self._lock:
            return list(self._items)

    def mark(self, settle: float = 2.0) -> int:
        """
        A mark after every request begun so far: requests still in flight are waited for (up to ``settle``
        seconds), so that a request whose effect was already seen is not counted after the mark.

        :param settle: longest wait for requests in flight, seconds
        :return: a mark for :meth:`since`; unaffected by :meth:`clear`
        """
        deadline = time.monotonic() + settle
        with self._settled:
            while self._in_flight and (remaining := deadline - time.monotonic()) > 0:
                self._settled.wait(remaining)
        with self._lock:
            return self._next_seq

    def since(self, mark: int) -> list[Recorded]:
        """
        :param mark: from :meth:`mark`
        :return: requests logged after the mark was taken
        """
        with self._lock:
            return [r for r in self._items if r.seq >= mark]

    def clear(self) -> None:
        """
        Forget all logged requests.
        """
        with self._lock:
            self._items.clear()


class ViolationLog:
    """
    Every way a request or a response left Webex's published documents, in order.
    """

    def __init__(self, lock: threading.RLock):
        """
        :param lock: the world lock
        """
        self._lock = lock
        self._items: list[Violation] = []

    def add(self, violation: Violation) -> None:
        """
        Record a violation.
        """
        with self._lock:
            self._items.append(violation)

    def all(self) -> list[Violation]:
        """
        :return: a copy of the record
        """
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        """
        Forget all recorded violations.
        """
        with self._lock:
            self._items.clear()


def _applies(method: str, path: re.Pattern, request_method: str, request_path: str) -> bool:
    """Whether a rule for ``method`` (``'*'``: any) and ``path`` (the whole path after ``/v1``) applies."""
    return method in ('*', request_method.upper()) and bool(path.fullmatch(request_path))


@dataclass
class FaultRule:
    """
    Answer the next ``remaining`` requests matching ``method`` and ``path`` with an error.
    """
    method: str
    #: matched against the whole path after ``/v1``
    path: re.Pattern
    error: WebexError
    remaining: int = 1

    def matches(self, method: str, path: str) -> bool:
        """
        :return: True if the rule applies to this request
        """
        return self.remaining > 0 and _applies(self.method, self.path, method, path)


class Hold:
    """
    The next request matching ``method`` and ``path`` waits, before it is processed, until :meth:`release` (or
    ``timeout`` seconds): a Webex that is slow for one request, at the moment a test chooses.
    """

    def __init__(self, method: str, path: re.Pattern, timeout: float):
        self.method, self.path, self.timeout = method, path, timeout
        #: set when the held request arrived (it is then waiting)
        self.arrived = threading.Event()
        self._released = threading.Event()

    def matches(self, method: str, path: str) -> bool:
        """True if this hold applies to the request."""
        return _applies(self.method, self.path, method, path)

    def wait(self) -> None:
        """Hold the request until released (called for the request)."""
        self.arrived.set()
        self._released.wait(self.timeout)

    def release(self) -> None:
        """Let the held request go on."""
        self._released.set()


class FaultInjector:
    """
    Planned failures, held requests and added latency.
    """

    def __init__(self, lock: threading.RLock):
        """
        :param lock: the world lock
        """
        self._lock = lock
        self._rules: list[FaultRule] = []
        self._holds: list[Hold] = []
        #: seconds added to every API request
        self.latency: float = 0.0

    def fail_next(self, method: str, path_regex: str, status: int, *, count: int = 1,
                  description: Optional[str] = None, headers: Optional[Mapping[str, str]] = None) -> FaultRule:
        """
        Make the next ``count`` matching requests fail.

        :param method: HTTP method, ``'*'`` for any
        :param path_regex: regular expression that must match the whole path after ``/v1``
        :param status: HTTP status to answer
        :param count: number of requests to fail
        :param description: error description
        :param headers: extra response headers, e.g. ``{'Retry-After': '1'}``
        :return: the rule
        """
        rule = FaultRule(method.upper(), re.compile(path_regex), WebexError(status, None, description, headers),
                         count)
        with self._lock:
            self._rules.append(rule)
        return rule

    def hold_next(self, method: str, path_regex: str, timeout: float = 60.0) -> Hold:
        """
        Hold the next request matching ``method`` and ``path_regex`` until the returned :class:`Hold` is released.

        :param timeout: seconds after which the request goes on anyway
        """
        hold = Hold(method.upper(), re.compile(path_regex), timeout)
        with self._lock:
            self._holds.append(hold)
        return hold

    def hold_for(self, method: str, path: str) -> Optional[Hold]:
        """
        The hold for this request, if one is planned (it then applies to no other request).
        """
        with self._lock:
            hold = next((h for h in self._holds if h.matches(method, path)), None)
            if hold is not None:
                self._holds.remove(hold)
            return hold

    def take(self, method: str, path: str) -> Optional[WebexError]:
        """
        Consume one planned failure for this request, if any.

        :param method: request method
        :param path: path after ``/v1``
        :return: the error to answer with, None to process the request normally
        """
        with self._lock:
            rule = next((r for r in self._rules if r.matches(method, path)), None)
            if rule is None:
                return None
            rule.remaining -= 1
            if not rule.remaining:
                self._rules.remove(rule)
            return rule.error

    def clear(self) -> None:
        """
        Drop all planned failures and reset the latency.
        """
        with self._lock:
            self._rules.clear()
            for hold in self._holds:
                hold.release()
            self._holds.clear()
            self.latency = 0.0
