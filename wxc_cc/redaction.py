"""
No secret in any log line, at any level.

The bot's own code never logs a secret, but the libraries under it do at ``DEBUG``: wxc_sdk dumps request and
response bodies (webhook secrets among them), an access log may carry the OAuth ``code`` of ``/redirect``, an
exception may quote a body. :class:`Redactor` masks secrets in text: every secret value it was given (bot token,
client secret, webhook secret, token key, ...), bearer tokens, and the values of fields named like secrets
(``access_token``, ``refresh_token``, ``client_secret``, ``secret``, ``code``, ...) in JSON, Python reprs, form
data, query strings and ``name: value`` dumps.

:func:`protect_logs` installs it where every log record of the process is made (:func:`logging.setLogRecordFactory`),
so that it applies to every logger and handler, gunicorn's included: the message is formatted at once and masked,
and so are the exception text (which then replaces the exception) and the stack.
"""
import logging
import re
import threading
from collections.abc import Iterable
from typing import Optional

__all__ = ['Redactor', 'protect_logs', 'MASK', 'SECRET_FIELDS']

MASK = '***'

#: names of fields whose values are secrets, wherever they appear
SECRET_FIELDS = ('access_token', 'refresh_token', 'id_token', 'client_secret', 'secret', 'code', 'password',
                 'token_key', 'authorization')

#: values shorter than this are not masked literally (they would mask ordinary words)
MIN_SECRET_LENGTH = 8

_BEARER = re.compile(r'(?i)\b(bearer\s+)[^\s"\',;]+')
# field name, optional closing quote, separator (: or =), optional opening quote, then the value
_FIELD = re.compile(r'(?i)(\b(?:' + '|'.join(SECRET_FIELDS) + r')\b["\']?\s*[:=]\s*["\']?)(?!\*\*\*)([^\s"\'&,;}\]]+)')


class Redactor:
    """
    Masks secrets in text.

    :param secrets: secret values to mask wherever they appear
    """

    def __init__(self, secrets: Iterable[Optional[str]] = ()):
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._literal: Optional[re.Pattern] = None
        self.add(*secrets)

    def add(self, *secrets: Optional[str]) -> None:
        """
        Mask these values too (empty and very short values are ignored).
        """
        with self._lock:
            new = {value for value in secrets if value and len(value) >= MIN_SECRET_LENGTH} - self._values
            if not new:
                return
            self._values |= new
            # longest first, so that a secret containing another is masked whole
            alternatives = sorted(self._values, key=len, reverse=True)
            self._literal = re.compile('|'.join(map(re.escape, alternatives)))

    def redact(self, text: str) -> str:
        """
        The text with every secret masked as ``***``.
        """
        literal = self._literal
        if literal is not None:
            text = literal.sub(MASK, text)
        text = _BEARER.sub(r'\1' + MASK, text)
        return _FIELD.sub(r'\1' + MASK, text)

    def scrub(self, record: logging.LogRecord) -> None:
        """
        Mask a log record in place: its message is formatted now and masked, and so are its exception and stack.
        """
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is, masked, rather than lose the line
            message = f'{record.msg} {record.args!r}'
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        # the masked text stands for the exception: a formatter that would format it again (JSON) cannot
        record.exc_info = None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)


_installed: Optional[Redactor] = None
_install_lock = threading.Lock()


def protect_logs(*secrets: Optional[str]) -> Redactor:
    """
    Mask these secrets, and every secret-looking field, in every log record the process makes from now on.

    The first call installs a record factory; later calls add secrets to the same :class:`Redactor`, so that
    several bots in one process (tests) are all protected.

    :param secrets: secret values (bot token, client secret, webhook secret, token key, ...)
    :return: the process's redactor
    """
    global _installed
    with _install_lock:
        if _installed is None:
            redactor = Redactor()
            make_record = logging.getLogRecordFactory()

            def factory(*args: object, **kwargs: object) -> logging.LogRecord:
                record = make_record(*args, **kwargs)
                redactor.scrub(record)
                return record

            logging.setLogRecordFactory(factory)
            _installed = redactor
        _installed.add(*secrets)
        return _installed
