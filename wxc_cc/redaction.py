"""
No secret in any log line, at any level.

The bot's own code never logs a secret, but the libraries under it do at ``DEBUG``: wxc_sdk dumps request and
response bodies (webhook secrets among them), an access log may carry the OAuth ``code`` of ``/redirect``, an
exception may quote a body. :class:`Redactor` masks secrets

* in text (:meth:`Redactor.redact`): every secret value it was given (bot token, client secret, webhook secret,
  token key, ...) wherever it stands, one shorter than :data:`MIN_SECRET_LENGTH` characters wherever it stands on
  its own (not inside a longer run of letters and digits); bearer tokens; and the whole value of every field named
  like a secret (:func:`secret_name`) in JSON, Python reprs, form data, query strings and ``name: value`` dumps: a
  quoted value up to its closing quote, spaces included, an unquoted one after ``:`` up to the end of its line (or
  a ``,``, ``;``, ``}`` or ``]``), after ``=`` up to the next space or delimiter;
* in data (:meth:`Redactor.mask`): the whole value of every key named like a secret, and every string as in text,
  in mappings and lists at any depth.

:func:`protect_logs` installs it where every log record of the process is made (:func:`logging.setLogRecordFactory`),
so that it applies to every logger and handler, gunicorn's included: the message is formatted at once and masked,
and so are the exception text (which then replaces the exception) and the stack. The fields given with ``extra=``
are set on a record after it is made: the bot's formatters, text and JSON (:mod:`wxc_cc.logsetup`), mask them with
:meth:`Redactor.scrub_fields` before they write anything.
"""
import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any, Optional

__all__ = ['Redactor', 'protect_logs', 'secret_name', 'MASK', 'SECRET_ENDINGS', 'SECRET_NAMES']

MASK = '***'

#: a field is a secret when its name, in any case or style (``access_token``, ``accessToken``, ``Client-Secret``,
#: ``sipPassword``, ``WXC_CC_TOKEN_KEY``), ends with one of these ...
SECRET_ENDINGS = ('token', 'secret', 'password', 'passwd', 'token_key', 'api_key', 'authorization')
#: ... or is one of these (``code``, the OAuth authorization code; ``status_code`` is none)
SECRET_NAMES = ('code',)

#: secret values shorter than this are masked only where they stand on their own: inside a longer word they would
#: mask ordinary text
MIN_SECRET_LENGTH = 8

#: the attributes every log record has; the others were given with ``extra=`` (or by a filter)
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord('', 0, '', 0, '', None, None))) | {'message', 'asctime'}


def _flat(name: str) -> str:
    return re.sub(r'[^a-z0-9]', '', name.lower())


_FLAT_ENDINGS = tuple(map(_flat, SECRET_ENDINGS))
_FLAT_NAMES = frozenset(map(_flat, SECRET_NAMES))


def secret_name(name: str) -> bool:
    """
    True for the name of a field whose value is a secret, whatever its case or style.

    :param name: e.g. ``'refreshToken'``, ``'client_secret'``, ``'X-Auth-Token'``
    """
    flat = _flat(name)
    return flat in _FLAT_NAMES or flat.endswith(_FLAT_ENDINGS)


def _words(name: str) -> str:
    """A name as a pattern matching it in any case and with ``_``, ``-`` or nothing between its words."""
    return '[_-]?'.join(map(re.escape, name.split('_')))


_BEARER = re.compile(r'(?i)\b(bearer\s+)[^\s"\',;]+')
# a name (one of the endings after a prefix, or one of the names), as a whole word of letters, digits, _ and -
_NAME = (r'(?<![\w-])(?:[\w-]*?(?:' + '|'.join(map(_words, SECRET_ENDINGS)) + ')|'
         + '|'.join(map(_words, SECRET_NAMES)) + r')(?![\w-])')
# the name, its closing quote (escaped too, in JSON inside a string), the separator, then the value: quoted (escaped
# quotes too) up to its closing quote, or to the end of the line when it has none; else after ':' words up to the
# end of the line, after '=' one word
_FIELD = re.compile(
    rf'(?i)(?P<head>{_NAME}(?:\\?["\'])?[ \t]*(?:(?P<colon>:)|=)[ \t]*)'
    r'(?:(?P<quote>\\?["\'])(?P<quoted>.*?)(?<!\\)(?P=quote)'
    r'|(?P<open>\\?["\']).*'
    r'|(?(colon)[^\s"\',;}\]]+(?:[ \t]+[^\s"\',;}\]]+)*|[^\s"\'&,;)}\]]+))')


def _mask_field(match: re.Match) -> str:
    if match['open']:
        return f'{match["head"]}{match["open"]}{MASK}'
    quote = match['quote'] or ''
    return f'{match["head"]}{quote}{MASK}{quote}'


def _literal(value: str) -> str:
    """A secret value as a pattern: anywhere, or when short only on its own."""
    if len(value) >= MIN_SECRET_LENGTH:
        return re.escape(value)
    return rf'(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])'


class Redactor:
    """
    Masks secrets in text and data.

    :param secrets: secret values to mask wherever they appear
    """

    def __init__(self, secrets: Iterable[Optional[str]] = ()):
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._literal: Optional[re.Pattern] = None
        self.add(*secrets)

    def add(self, *secrets: Optional[str]) -> None:
        """
        Mask these values too (empty values are ignored).
        """
        with self._lock:
            new = {value for value in secrets if value} - self._values
            if not new:
                return
            self._values |= new
            # longest first, so that a secret containing another is masked whole
            alternatives = sorted(self._values, key=len, reverse=True)
            self._literal = re.compile('|'.join(map(_literal, alternatives)))

    def redact(self, text: str) -> str:
        """
        The text with every secret masked as ``***``.
        """
        literal = self._literal
        if literal is not None:
            text = literal.sub(MASK, text)
        text = _BEARER.sub(r'\1' + MASK, text)
        return _FIELD.sub(_mask_field, text)

    def mask(self, value: Any, name: Optional[str] = None) -> Any:
        """
        A value with every secret in it masked: the whole value when its name is a secret's (:func:`secret_name`),
        else each string in it as in :meth:`redact` and each item of a mapping by its key, at any depth. Numbers,
        booleans and ``None`` stay as they are; other objects become their masked text.

        :param value: e.g. a field of a log record
        :param name: the value's name (a key, an attribute)
        """
        if name is not None and secret_name(name) and value not in (None, ''):
            return MASK
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, Mapping):
            return {key: self.mask(item, str(key)) for key, item in value.items()}
        if isinstance(value, (list, tuple, set, frozenset)):
            return [self.mask(item) for item in value]
        return self.redact(str(value))

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

    def scrub_fields(self, record: logging.LogRecord) -> None:
        """
        Mask, in place, the fields a record got besides those every record has (those given with ``extra=``), as
        :meth:`mask` does with each field's name.
        """
        for name, value in list(vars(record).items()):
            if name not in _RECORD_ATTRIBUTES:
                setattr(record, name, self.mask(value, name))


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
    if _installed is not None and not secrets:  # a formatter asking for it, at every record: no lock
        return _installed
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
