"""
What a log record is about: the notification being served, the command being run and, pseudonymously, the person.

The code that does the work says so with :func:`log_context` (:class:`~wxc_cc.runner.TaskRunner` for a task,
:meth:`~wxc_cc.conversation.Conversation.run` for a command); :class:`ContextFilter`, installed on the log's
handlers by :func:`wxc_cc.logsetup.configure_logging`, adds what is known to every record made meanwhile in the
same thread, as the attributes of :data:`FIELDS`. JSON logs show them as fields; text logs do not.

A person appears as :class:`PersonKeys`' key of their person id: an HMAC-SHA256 keyed with a key derived from the
bot's webhook secret (``WXC_CC_WEBHOOK_SECRET``, else derived from the bot token), so it is the same in every
process and after restarts, and cannot be turned back into the person id without that secret.
"""
import hashlib
import hmac
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import Optional

__all__ = ['FIELDS', 'log_context', 'current', 'ContextFilter', 'PersonKeys']

#: the attributes a record may get: the notification (e.g. ``message:<id>``), the command (e.g. ``/dial``) and
#: the person's key
FIELDS = ('notification_id', 'command', 'person_key')

_EMPTY: Mapping[str, str] = MappingProxyType({})
_context: ContextVar[Mapping[str, str]] = ContextVar('wxc_cc_log_context', default=_EMPTY)


@contextmanager
def log_context(**fields: Optional[str]) -> Iterator[None]:
    """
    Within the block, records of this thread carry these fields too (those that are ``None`` or empty are left
    out); an inner block adds to an outer one.

    :param fields: some of :data:`FIELDS`
    """
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f'not a log context field: {", ".join(sorted(unknown))}')
    token = _context.set(MappingProxyType({**_context.get(), **{name: value for name, value in fields.items()
                                                               if value}}))
    try:
        yield
    finally:
        _context.reset(token)


def current() -> Mapping[str, str]:
    """The fields in effect here."""
    return _context.get()


class ContextFilter(logging.Filter):
    """
    Adds the fields of :func:`log_context` in effect to each record the handler handles; lets every record pass.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _context.get().items():
            setattr(record, name, value)
        return True


class PersonKeys:
    """
    Stable pseudonyms of people for the log.

    :param secret: the bot's webhook secret (:attr:`wxc_cc.config.Settings.webhook_secret`)
    """

    #: hex digits of a key: 64 bits, no collision among the people of any organisation
    LENGTH = 16

    def __init__(self, secret: str):
        self._key = hmac.new(secret.encode(), b'wxc_cc_bot person key', hashlib.sha256).digest()

    def __call__(self, person_id: Optional[str]) -> Optional[str]:
        """
        The key of a person id: ``HMAC-SHA256(HMAC-SHA256(secret, "wxc_cc_bot person key"), person id)``, its
        first :attr:`LENGTH` hex digits; ``None`` for no person.
        """
        if not person_id:
            return None
        return hmac.new(self._key, person_id.encode(), hashlib.sha256).hexdigest()[:self.LENGTH]
