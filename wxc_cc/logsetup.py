"""
Where the log goes and how it looks: ``LOG_FORMAT=text`` (one line per event, for people) or ``LOG_FORMAT=json``
(one JSON object per line, for log collectors), always on stderr.

:func:`configure_logging` sets up the bot's process (``create_app``). Under gunicorn, gunicorn's own lines
(``Starting gunicorn``, ``Booting worker``, ...) are written by its master before the bot exists;
``--logger-class wxc_cc.logsetup.GunicornLogger`` (as the ``Dockerfile`` runs it) gives them the same format.

A JSON line has ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``process`` and ``message``, ``exc_info`` with
the traceback of an error, and, while the bot serves a notification, the fields of :mod:`wxc_cc.logcontext`:
``notification_id``, ``command`` and ``person_key``; fields given with ``extra=`` are fields of their own. Secrets
are masked in it as in text: :func:`wxc_cc.redaction.protect_logs` masks every record's message, exception and
stack where the record is made, and both formatters mask the fields given with ``extra=`` (by their names, whatever
the case or style, and by their values) before they write them.
"""
import logging
import os

from gunicorn.glogging import Logger as GunicornBaseLogger
from pythonjsonlogger.json import JsonFormatter

from .logcontext import ContextFilter
from .redaction import protect_logs

__all__ = ['configure_logging', 'json_formatter', 'text_formatter', 'GunicornLogger', 'GUNICORN_LOGGERS']

#: the text format: time, level, process id, module, message
TEXT_FORMAT = '%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s'
#: gunicorn's loggers
GUNICORN_LOGGERS = ('gunicorn.error', 'gunicorn.access')


class _MaskingFormatter(logging.Formatter):
    """A formatter that masks the fields a record was given with ``extra=`` before formatting it."""

    def format(self, record: logging.LogRecord) -> str:
        """The record, its fields masked, formatted."""
        protect_logs().scrub_fields(record)
        return super().format(record)


class _MaskingJsonFormatter(_MaskingFormatter, JsonFormatter):
    """python-json-logger's formatter, masking as :class:`_MaskingFormatter` does."""


def json_formatter() -> logging.Formatter:
    """A formatter of one JSON object per record (see the module's description)."""
    return _MaskingJsonFormatter('%(levelname)s %(name)s %(process)d %(message)s', timestamp='time',
                                 rename_fields={'levelname': 'level', 'name': 'logger'})


def text_formatter() -> logging.Formatter:
    """The text formatter, :data:`TEXT_FORMAT`."""
    return _MaskingFormatter(TEXT_FORMAT)


def _in_json(*loggers: logging.Logger) -> None:
    for logger in loggers:
        for handler in logger.handlers:
            handler.setFormatter(json_formatter())


def configure_logging(level: str, log_format: str = 'text') -> None:
    """
    Log to stderr in the given format, unless the host (pytest, an application embedding the bot) configured
    logging already; in JSON, gunicorn's loggers and Python's warnings too.

    :param level: e.g. ``'INFO'``
    :param log_format: ``'text'`` or ``'json'``
    """
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(json_formatter() if log_format == 'json' else text_formatter())
        handler.addFilter(ContextFilter())
        root.addHandler(handler)
    if log_format == 'json':
        _in_json(*map(logging.getLogger, GUNICORN_LOGGERS))
        logging.captureWarnings(True)
    root.setLevel(level)


class GunicornLogger(GunicornBaseLogger):
    """
    gunicorn's logger (``--logger-class wxc_cc.logsetup.GunicornLogger``), in JSON when ``LOG_FORMAT=json`` is in
    the environment: gunicorn's master reads no settings of the bot, and starts before the bot does.
    """

    def setup(self, cfg) -> None:
        """gunicorn's setup, then the format of ``LOG_FORMAT``."""
        super().setup(cfg)
        if os.environ.get('LOG_FORMAT', '').strip().lower() == 'json':
            _in_json(self.error_log, self.access_log)
