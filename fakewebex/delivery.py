"""
Delivery of webhook notifications: one background thread, one FIFO queue, signed POSTs.
"""
import collections
import hashlib
import hmac
import json
import logging
import threading
import time

import requests

from .models import Delivery, Notification

__all__ = ['SIGNATURE_HEADER', 'sign', 'encode', 'DeliveryWorker']

log = logging.getLogger(__name__)

SIGNATURE_HEADER = 'X-Spark-Signature'

#: how long the worker sleeps between checks for a stop request when idle
_IDLE_POLL = 0.5


def encode(envelope: dict) -> bytes:
    """
    :param envelope: notification envelope
    :return: compact JSON bytes as POSTed
    """
    return json.dumps(envelope, separators=(',', ':')).encode('utf-8')


def sign(secret: str, body: bytes) -> str:
    """
    The ``X-Spark-Signature`` of a notification body.

    :param secret: webhook secret
    :param body: the exact bytes POSTed
    :return: hex HMAC-SHA1
    """
    return hmac.new(secret.encode('utf-8'), body, hashlib.sha1).hexdigest()


class DeliveryWorker:
    """
    Delivers notifications and records the outcome: one at a time in submission order, or with several threads
    in parallel (as Webex does under load; order is then not kept).
    """

    def __init__(self, timeout: float = 10.0, threads: int = 1):
        """
        :param timeout: HTTP timeout per delivery, seconds
        :param threads: deliveries in parallel
        """
        self.timeout = timeout
        self.threads = threads
        self._cond = threading.Condition()
        self._queue: collections.deque[Notification] = collections.deque()
        #: queued plus in flight
        self._pending = 0
        self._records: list[Delivery] = []
        self._workers: list[threading.Thread] = []
        self._stopping = False

    def submit(self, notification: Notification) -> None:
        """
        Queue a notification; it is sent once the worker is started.
        """
        with self._cond:
            self._queue.append(notification)
            self._pending += 1
            self._cond.notify_all()

    def start(self) -> None:
        """
        Start the delivery thread.
        """
        with self._cond:
            if self._workers:
                return
            self._stopping = False
            self._workers = [threading.Thread(target=self._run, name=f'fakewebex-delivery-{i}', daemon=True)
                             for i in range(self.threads)]
            for worker in self._workers:
                worker.start()

    def stop(self, timeout: float = 5.0) -> None:
        """
        Stop the thread; notifications still queued are dropped.

        :param timeout: seconds to wait for the thread (a delivery in flight may take up to :attr:`timeout`)
        """
        with self._cond:
            workers, self._workers = self._workers, []
            self._stopping = True
            dropped = len(self._queue)
            self._pending -= dropped
            self._queue.clear()
            self._cond.notify_all()
        if dropped:
            log.warning('dropped %d undelivered notification(s)', dropped)
        deadline = time.monotonic() + timeout
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))

    @property
    def records(self) -> list[Delivery]:
        """
        :return: outcomes so far, in delivery order
        """
        with self._cond:
            return list(self._records)

    def wait_idle(self, timeout: float = 5.0) -> None:
        """
        Wait until nothing is queued or in flight.

        :param timeout: seconds
        :raises AssertionError: on timeout
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f'{self._pending} notification(s) still pending after {timeout}s')
                self._cond.wait(remaining)

    def _run(self) -> None:
        session = requests.Session()
        session.trust_env = False
        try:
            while True:
                with self._cond:
                    if self._stopping:
                        return
                    if not self._queue:
                        self._cond.wait(_IDLE_POLL)
                        continue
                    notification = self._queue.popleft()
                record = self._deliver(session, notification)
                with self._cond:
                    self._records.append(record)
                    self._pending -= 1
                    self._cond.notify_all()
        finally:
            session.close()

    def _deliver(self, session: requests.Session, notification: Notification) -> Delivery:
        body = encode(notification.envelope)
        headers = {'Content-Type': 'application/json'}
        if notification.secret:
            headers[SIGNATURE_HEADER] = sign(notification.secret, body)
        started = time.time()
        status, error = None, None
        try:
            status = session.post(notification.target_url, data=body, headers=headers,
                                  timeout=self.timeout).status_code
        except requests.RequestException as e:
            error = f'{type(e).__name__}: {e}'
            log.warning('delivery to %s failed: %s', notification.target_url, error)
        log.debug('delivered %s/%s to %s: %s', notification.resource, notification.event,
                  notification.target_url, status)
        return Delivery(notification.webhook_id, notification.resource, notification.event,
                        notification.target_url, status, error, json.loads(body), started,
                        (time.time() - started) * 1000, notification)
