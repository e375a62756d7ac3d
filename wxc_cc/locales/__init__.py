"""
The catalogue of everything the bot says, one module per locale (``LOCALE``, default ``en_US``).

:func:`t` looks a text up in the current locale; the locale is chosen once, when the bot starts
(:func:`set_locale`). A text missing in a locale falls back to English, but the shipped locales are complete
(a test holds them to it).
"""
import string
from typing import Any

from . import de_DE, en_US

__all__ = ['LOCALES', 'DEFAULT', 't', 'set_locale', 'current', 'placeholders']

DEFAULT = 'en_US'

#: locale name -> texts by key
LOCALES: dict[str, dict[str, str]] = {'en_US': en_US.STRINGS, 'de_DE': de_DE.STRINGS}

_current = DEFAULT


def set_locale(locale: str) -> None:
    """
    Choose the language of every reply from now on.

    :param locale: one of :data:`LOCALES`
    :raises ValueError: unknown locale
    """
    global _current
    if locale not in LOCALES:
        raise ValueError(f'unknown locale {locale!r}; one of {", ".join(sorted(LOCALES))}')
    _current = locale


def current() -> str:
    """The locale in use."""
    return _current


def t(key: str, **values: Any) -> str:
    """
    A text of the current locale with its placeholders filled in.

    :param key: the text's key, e.g. ``'auth.link'``
    :param values: the placeholders' values (outside text already escaped for markdown)
    """
    template = LOCALES[_current].get(key) or LOCALES[DEFAULT][key]
    return template.format(**values) if values else template


def placeholders(template: str) -> set[str]:
    """The names of a text's placeholders."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
