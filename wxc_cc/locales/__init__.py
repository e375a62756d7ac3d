"""
Everything the bot says, in one gettext catalogue per locale (``LOCALE``, default ``en_US``):
``wxc_cc/locales/<locale>/LC_MESSAGES/wxc_cc.po``, read by :class:`~wxc_cc.locales.catalogue.Catalogue`.

:func:`t` looks a text up in the catalogue of the locale chosen once, when the bot starts (:func:`set_locale`).
A text missing in a locale falls back to English, but the shipped locales are complete (a test holds them to it).
``make catalogues`` brings the catalogues up to date with the keys the code uses (see docs/configuration.rst).
"""
import functools
from collections.abc import Iterator, Mapping
from typing import Any

from .catalogue import DEFAULT, N_, Catalogue, locales, placeholders

__all__ = ['LOCALES', 'DEFAULT', 'Catalogue', 'N_', 't', 'catalogue_for', 'set_locale', 'current', 'placeholders']


@functools.cache
def catalogue_for(locale: str) -> Catalogue:
    """
    The shipped catalogue of a locale, read once.

    :raises ValueError: unknown locale
    """
    return Catalogue(locale)


class _Locales(Mapping[str, Mapping[str, str]]):
    """Every shipped locale -> its texts by key; a catalogue is read when it is first asked for."""

    def __getitem__(self, locale: str) -> Mapping[str, str]:
        if locale not in locales():
            raise KeyError(locale)
        return catalogue_for(locale).texts

    def __iter__(self) -> Iterator[str]:
        return iter(locales())

    def __len__(self) -> int:
        return len(locales())

    def __repr__(self) -> str:
        return f'<the texts of {", ".join(self)}>'


#: locale name -> texts by key, of every shipped locale
LOCALES: Mapping[str, Mapping[str, str]] = _Locales()

_current = DEFAULT


def set_locale(locale: str) -> None:
    """
    Choose the language of every reply from now on.

    :param locale: one of :data:`LOCALES`
    :raises ValueError: unknown locale
    """
    global _current
    catalogue_for(locale)
    _current = locale


def current() -> str:
    """The locale in use."""
    return _current


def t(key: str, **values: Any) -> str:
    """
    A text of the current locale with its placeholders filled in (:meth:`Catalogue.t
    <wxc_cc.locales.catalogue.Catalogue.t>`).

    :param key: the text's key, e.g. ``'auth.link'``
    :param values: the placeholders' values (outside text already escaped for markdown)
    """
    return catalogue_for(_current).t(key, **values)
