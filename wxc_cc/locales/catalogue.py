"""
The catalogue of one locale: a gettext catalogue, ``<directory>/<locale>/LC_MESSAGES/wxc_cc.po``, whose msgids are
the texts' keys (``auth.link``) and whose msgstrs are the texts, with placeholders in braces that :meth:`str.format`
fills in.

Babel reads the ``.po`` file and compiles it in memory when a :class:`Catalogue` is made, and the standard library's
:class:`gettext.GNUTranslations` looks the texts up: the ``.po`` files are the only copy of the texts, with no
compiled ``.mo`` file to keep up to date.
"""
import gettext
import io
import string
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Optional

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

__all__ = ['Catalogue', 'N_', 'placeholders', 'locales', 'DEFAULT', 'DOMAIN', 'DIRECTORY']

#: the gettext domain: the name of every catalogue file
DOMAIN = 'wxc_cc'
#: where the shipped catalogues are
DIRECTORY = Path(__file__).resolve().parent
#: the locale whose texts stand in for those another locale lacks
DEFAULT = 'en_US'


def N_(key: str) -> str:
    """
    Declare a key that the code computes (``state.connected`` for the call state ``connected``), so that Babel's
    extraction (``make catalogues``) finds it; the key is returned as it is.
    """
    return key


def placeholders(template: str) -> set[str]:
    """The names of a text's placeholders."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def locales(directory: Optional[Path] = None) -> list[str]:
    """The locales with a catalogue in ``directory`` (default :data:`DIRECTORY`), sorted."""
    return sorted(path.parent.parent.name for path in (directory or DIRECTORY).glob(f'*/LC_MESSAGES/{DOMAIN}.po'))


class _UnknownKey(gettext.NullTranslations):
    """The end of every chain of fallbacks: a key that no catalogue has is a mistake in the code, not a text."""

    def gettext(self, message: str) -> str:
        raise KeyError(f'{message!r} is not a key of the catalogues')


def _read(directory: Path, locale: str) -> tuple[dict[str, str], gettext.GNUTranslations]:
    """A catalogue's texts by key, and the catalogue compiled for gettext (without untranslated or fuzzy texts)."""
    with (directory / locale / 'LC_MESSAGES' / f'{DOMAIN}.po').open('rb') as file:
        catalog = read_po(file, domain=DOMAIN, abort_invalid=True)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    texts = {message.id: message.string for message in catalog if message.id and message.string and not message.fuzzy}
    return texts, gettext.GNUTranslations(compiled)


class Catalogue:
    """
    The texts of one locale. A text the locale lacks (untranslated or fuzzy) is taken from :data:`DEFAULT`.

    :param locale: e.g. ``'de_DE'``; one of :func:`locales`
    :param directory: where the catalogues are, :data:`DEFAULT`'s included (default :data:`DIRECTORY`)
    :raises ValueError: no catalogue for ``locale``
    :raises babel.messages.pofile.PoFileError: a catalogue that is not a valid ``.po`` file
    """

    def __init__(self, locale: str, directory: Optional[Path] = None):
        directory = directory or DIRECTORY
        known = locales(directory)
        if locale not in known:
            raise ValueError(f'unknown locale {locale!r}; one of {", ".join(known) or "none"} (in {directory})')
        #: the locale's name
        self.locale = locale
        texts, self._translations = _read(directory, locale)
        #: the locale's own texts by key, without those of :data:`DEFAULT`
        self.texts: Mapping[str, str] = types.MappingProxyType(texts)
        if locale != DEFAULT:
            self._translations.add_fallback(_read(directory, DEFAULT)[1])
        self._translations.add_fallback(_UnknownKey())

    def t(self, key: str, **values: Any) -> str:
        """
        A text with its placeholders filled in.

        :param key: the text's key, e.g. ``'auth.link'``
        :param values: the placeholders' values (outside text already escaped for markdown)
        :raises KeyError: a key that neither this locale nor :data:`DEFAULT` has
        """
        template = self._translations.gettext(key)
        return template.format(**values) if values else template

    __call__ = t

    def __repr__(self) -> str:
        return f'Catalogue({self.locale!r})'
