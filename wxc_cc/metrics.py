"""
What the bot counts and measures, for Prometheus: ``GET /metrics`` (only with ``WXC_CC_METRICS_TOKEN`` set, and only
for ``Authorization: Bearer <that token>``) answers in Prometheus' text format, summed over every gunicorn worker
(prometheus_client's multiprocess mode).

Families:

* ``wxc_cc_commands_total{command,outcome}`` -- commands by name (``/dial``; ``unknown`` for words the bot does
  not know, ``-`` before the command is read, ``press`` for card presses) and what became of them;
* ``wxc_cc_command_seconds`` -- from the notification's arrival to the task's end (the reply sent);
* ``wxc_cc_webhook_ack_seconds`` -- how long Webex waited for the answer to a notification;
* ``wxc_cc_webex_requests_total{operation,status}`` -- requests to Webex by method and path template
  (``POST /telephony/calls/dial``, ``GET /messages/{id}``) and status; a request retried (after a 429, a server
  error, or with ``status="connection"`` a lost connection) is counted once per try;
* ``wxc_cc_token_refreshes_total{outcome}`` -- ``ok``, ``rejected`` (the person must ``/auth`` again), ``failed``;
* ``wxc_cc_tasks_long_running_total`` -- tasks that ran longer than five minutes (each counted once, when it
  passed that);
* ``wxc_cc_queue_depth`` and ``wxc_cc_monitored_users`` -- gauges read when scraped.

Labels hold no personal data: operations are templates, commands are the registry's names. Every series whose
labels are known in advance is there from the start, at 0, as Prometheus advises (a rate or an alert over a series
that appears only with its first event misses that event): each command with each outcome, each outcome of a token
refresh, the long-running tasks. The Webex requests cannot be listed in advance (their statuses are Webex's), so they appear as they come.

prometheus_client decides at import whether it works in multiprocess mode (``PROMETHEUS_MULTIPROC_DIR`` set), so
it is imported here only when metrics are enabled, after :func:`metrics_directory` has set the directory: the
operator's, or one per gunicorn master (every worker of one master shares it).
"""
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Optional

__all__ = ['Metrics', 'metrics_directory', 'operation', 'COMMAND_OUTCOMES', 'REFRESH_OUTCOMES', 'UNKNOWN',
           'NOT_READ', 'PRESS']

log = logging.getLogger(__name__)

#: what becomes of a command
COMMAND_OUTCOMES = ('ok', 'failed', 'error', 'not_authenticated', 'unavailable', 'refused', 'rate_limited',
                    'too_old', 'ignored')
#: what becomes of a token refresh
REFRESH_OUTCOMES = ('ok', 'rejected', 'failed')
#: the command label of words the bot does not know, of messages not acted on before their command is read, and of
#: card presses
UNKNOWN, NOT_READ, PRESS = 'unknown', '-', 'press'

#: a path segment that is a Webex id (base64 of a URI) or another opaque key
_ID_SEGMENT = re.compile(r'^[A-Za-z0-9_=-]{20,}$')

#: buckets of the latency histograms, seconds: from a webhook answered in milliseconds to a slow command
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0, 30.0)


def operation(method: str, path: str) -> str:
    """
    A request as a label: the method and the path below the API base, ids replaced by ``{id}``.

    :param method: e.g. ``'GET'``
    :param path: e.g. ``'/messages/Y2lzY29...'`` (no query)
    :return: e.g. ``'GET /messages/{id}'``
    """
    segments = ['{id}' if _ID_SEGMENT.match(segment) else segment for segment in path.split('?')[0].split('/')]
    return f'{method.upper()} {"/".join(segments)}'


def metrics_directory(token: Optional[str], environ: Optional[dict] = None) -> Optional[str]:
    """
    The directory of the metrics of this deployment's processes, made and named in the environment
    (``PROMETHEUS_MULTIPROC_DIR``) before prometheus_client is imported; ``None`` without a metrics token (metrics
    are off).

    :param token: ``WXC_CC_METRICS_TOKEN``
    :param environ: the environment to read and set (default: :data:`os.environ`)
    """
    if not token:
        return None
    environ = os.environ if environ is None else environ
    directory = environ.get('PROMETHEUS_MULTIPROC_DIR')
    if not directory:
        # the workers of one gunicorn master share its pid as their parent
        directory = str(Path(tempfile.gettempdir()) / f'wxc-cc-metrics-{os.getppid()}')
        environ['PROMETHEUS_MULTIPROC_DIR'] = directory
    Path(directory).mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


class Metrics:
    """
    The bot's metrics; without a directory, every method does nothing (metrics off).

    :param directory: from :func:`metrics_directory`
    :param commands: the names of the registry's commands, counted at 0 from the start
    """

    def __init__(self, directory: Optional[str] = None, commands: Iterable[str] = ()):
        self.directory = directory
        self.enabled = directory is not None
        if not self.enabled:
            return
        from prometheus_client import Counter, Histogram  # after PROMETHEUS_MULTIPROC_DIR: see the module's doc
        self._commands = Counter('wxc_cc_commands_total', 'Chat commands and card presses by outcome',
                                 ['command', 'outcome'], registry=None)
        self._command_seconds = Histogram('wxc_cc_command_seconds', 'From the notification to the end of its task',
                                          buckets=LATENCY_BUCKETS, registry=None)
        self._ack_seconds = Histogram('wxc_cc_webhook_ack_seconds', 'Time to answer a webhook notification',
                                      buckets=LATENCY_BUCKETS, registry=None)
        self._webex = Counter('wxc_cc_webex_requests_total', 'Requests to Webex, each try counted',
                              ['operation', 'status'], registry=None)
        self._refreshes = Counter('wxc_cc_token_refreshes_total', 'Token refreshes by outcome', ['outcome'],
                                  registry=None)
        self._long_tasks = Counter('wxc_cc_tasks_long_running_total', 'Tasks that ran longer than five minutes',
                                   registry=None)
        # a child made is exported at 0 until it counts
        for command in (*commands, UNKNOWN, NOT_READ, PRESS):
            for outcome in COMMAND_OUTCOMES:
                self._commands.labels(command=command, outcome=outcome)
        for outcome in REFRESH_OUTCOMES:
            self._refreshes.labels(outcome=outcome)

    def command(self, command: str, outcome: str) -> None:
        """Count a command (``command`` as the registry names it) and what became of it."""
        if self.enabled:
            self._commands.labels(command=command, outcome=outcome).inc()

    def command_done(self, seconds: float) -> None:
        """A task ended, ``seconds`` after its notification arrived."""
        if self.enabled:
            self._command_seconds.observe(max(0.0, seconds))

    def webhook_acknowledged(self, seconds: float) -> None:
        """A notification was answered after ``seconds``."""
        if self.enabled:
            self._ack_seconds.observe(seconds)

    def webex_request(self, method: str, path: str, status: str) -> None:
        """Count one try of a request to Webex."""
        if self.enabled:
            self._webex.labels(operation=operation(method, path), status=status).inc()

    def token_refresh(self, outcome: str) -> None:
        """Count a token refresh: one of :data:`REFRESH_OUTCOMES`."""
        if self.enabled:
            self._refreshes.labels(outcome=outcome).inc()

    def long_task(self) -> None:
        """Count a task that has run longer than five minutes."""
        if self.enabled:
            self._long_tasks.inc()

    def exposition(self, gauges: dict[str, tuple[str, Callable[[], float]]]) -> tuple[bytes, str]:
        """
        The metrics of every process, in Prometheus' text format, with the gauges read now.

        :param gauges: name -> (help, read)
        :return: the body and its content type
        """
        from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
        from prometheus_client.core import GaugeMetricFamily
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=self.directory)

        class Gauges:
            def collect(self) -> Any:
                for name, (text, read) in gauges.items():
                    family = GaugeMetricFamily(name, text)
                    try:
                        family.add_metric([], read())
                    except Exception as error:  # a gauge that cannot be read now is left out, not the rest
                        log.warning('metric %s not read: %s', name, type(error).__name__)
                        continue
                    yield family

        registry.register(Gauges())
        return generate_latest(registry), CONTENT_TYPE_LATEST
