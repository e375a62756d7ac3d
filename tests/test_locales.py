"""
The catalogues (gettext .po files, wxc_cc/locales/<locale>/LC_MESSAGES/wxc_cc.po): every text in every shipped
locale, with the same placeholders; they hold exactly the keys that Babel's extraction finds in the code (babel.cfg,
as ``make catalogues`` runs it); they parse cleanly; a missing text falls back to English; LOCALE switches the
language of the replies.
"""
import io
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import PoFileError, read_po, write_po

from tests.conftest import settings_values, shut_down
from tests.webexmock import chat
from wxc_cc.commands import Request, build_registry
from wxc_cc.commands.calls import CallAction
from wxc_cc.config import ConfigError, load_settings
from wxc_cc import locales as locales_package
from wxc_cc.locales import DEFAULT, LOCALES, Catalogue, catalogue_for, placeholders
from wxc_cc.locales.catalogue import DIRECTORY, DOMAIN, locales

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(DIRECTORY.glob(f'*/LC_MESSAGES/{DOMAIN}.po'))


def extract() -> list[tuple]:
    """Babel's extraction of wxc_cc with babel.cfg, as ``make catalogues`` runs it: (file, line, key, ...)."""
    with (ROOT / 'babel.cfg').open() as file:
        method_map, options_map = parse_mapping_cfg(file)
    return list(extract_from_dir(str(ROOT / 'wxc_cc'), method_map, options_map))


@pytest.fixture(scope='module')
def extracted() -> dict[str, list[str]]:
    """Key -> where the code uses or declares it."""
    keys: dict[str, list[str]] = {}
    for filename, lineno, key, _, _ in extract():
        keys.setdefault(key, []).append(f'wxc_cc/{filename}:{lineno}')
    return keys


def test_the_shipped_locales():
    assert list(LOCALES) == locales() == [path.parent.parent.name for path in CATALOGUES]
    assert {DEFAULT, 'de_DE'} <= set(LOCALES)


@pytest.mark.parametrize('locale', sorted(set(LOCALES) - {DEFAULT}))
def test_every_locale_is_complete(locale):
    english, other = LOCALES[DEFAULT], LOCALES[locale]
    assert sorted(other) == sorted(english), 'same keys'
    for key, text in english.items():
        assert placeholders(other[key]) == placeholders(text), key
        assert other[key] != text or key in ('group.voicemail', 'usage') or not re.search('[a-z]{4}', text), \
            f'{key} looks untranslated'


@pytest.mark.parametrize('locale', sorted(LOCALES))
def test_the_catalogues_hold_exactly_the_keys_of_the_code(locale, extracted):
    """Every key the code asks for (t) or declares (N_) has a text, and every text is asked for or declared."""
    texts = LOCALES[locale]
    assert len(extracted) > 200
    assert not set(extracted) - set(texts), {key: extracted[key] for key in set(extracted) - set(texts)}
    assert not set(texts) - set(extracted), f'no code uses {sorted(set(texts) - set(extracted))}'


def test_extraction_sees_every_key(capsys):
    """A key computed inside t(f'...') is invisible to Babel, which warns: such keys are declared with N_."""
    assert extract()
    assert 'warning' not in capsys.readouterr().err


def test_every_command_has_its_texts():
    for command in build_registry():
        assert command.help_key == f'help.{command.name}' and command.help_key in LOCALES[DEFAULT]
        if isinstance(command.handler, CallAction):
            assert command.handler.what_key == f'what.{command.name}' and command.handler.what_key in LOCALES[DEFAULT]


@pytest.mark.parametrize('path', CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_the_catalogues_parse_cleanly(path):
    with path.open('rb') as file:
        catalog = read_po(file, abort_invalid=True)
    locale = path.parent.parent.name
    assert str(catalog.locale) == locale and catalog.domain is None
    assert not catalog.fuzzy, 'the header is marked fuzzy: Babel would not compile the catalogue'
    messages = [message for message in catalog if message.id]
    assert not [message.id for message in messages if message.fuzzy], 'fuzzy texts are not used: review them'
    assert not [message.id for message in messages if not message.string], 'untranslated'
    assert not catalog.obsolete
    assert not [(message.id, errors) for message, errors in catalog.check()]
    assert {message.id: message.string for message in messages} == dict(LOCALES[locale])
    # as Babel writes it (make catalogues): Babel's reader silently truncates a text without its closing quote and
    # drops a repeated key, and neither survives writing the catalogue again
    written = io.BytesIO()
    write_po(written, catalog)
    assert written.getvalue().decode() == path.read_text(encoding='utf-8')


def test_unknown_locales_are_refused(tmp_path):
    shipped = ', '.join(LOCALES)
    with pytest.raises(ConfigError, match=f'LOCALE must be one of {shipped}'):
        load_settings(settings_values(LOCALE='xx_XX'), environ={})
    with pytest.raises(ValueError, match=f"unknown locale 'xx_XX'; one of {shipped}"):
        catalogue_for('xx_XX')
    with pytest.raises(ValueError, match="unknown locale 'de_DE'; one of none"):
        Catalogue('de_DE', directory=tmp_path)


def _po(directory: Path, locale: str, body: str) -> None:
    path = directory / locale / 'LC_MESSAGES' / f'{DOMAIN}.po'
    path.parent.mkdir(parents=True)
    path.write_text(textwrap.dedent(body), encoding='utf-8')


@pytest.fixture
def french(tmp_path: Path) -> Path:
    """Catalogues with the shipped English one and a French one that lacks texts."""
    shutil.copytree(DIRECTORY / DEFAULT, tmp_path / DEFAULT)
    _po(tmp_path, 'fr_FR', '''\
        msgid ""
        msgstr ""
        "Language: fr_FR\\n"
        "Content-Type: text/plain; charset=utf-8\\n"

        msgid "card.button.answer"
        msgstr "Répondre"

        msgid "dial.done"
        msgstr "Appel de {destination} : votre téléphone sonne d'abord."

        #, fuzzy
        msgid "card.button.hold"
        msgstr "Tenir"

        msgid "card.button.hangup"
        msgstr ""
        ''')
    return tmp_path


def test_a_missing_text_falls_back_to_english(french):
    catalogue = Catalogue('fr_FR', directory=french)
    assert catalogue.t('card.button.answer') == 'Répondre'
    assert catalogue('dial.done', destination='1234') == "Appel de 1234 : votre téléphone sonne d'abord."
    # fuzzy, untranslated, absent: English
    assert catalogue.t('card.button.hold') == 'Hold'
    assert catalogue.t('card.button.hangup') == 'Hang up'
    assert catalogue.t('auth.failed', reason='nope') == 'Authorization failed: nope. Send /auth to try again.'
    assert dict(catalogue.texts) == {'card.button.answer': 'Répondre',
                                     'dial.done': "Appel de {destination} : votre téléphone sonne d'abord."}
    assert locales(french) == ['en_US', 'fr_FR']


def test_a_key_of_no_catalogue_is_an_error(french):
    for catalogue in (Catalogue('fr_FR', directory=french), Catalogue(DEFAULT)):
        with pytest.raises(KeyError, match="'no.such.key' is not a key of the catalogues"):
            catalogue.t('no.such.key')


def test_a_malformed_catalogue_is_refused(tmp_path):
    _po(tmp_path, DEFAULT, '''\
        msgid "card.button.answer"
        msgtsr "Answer"
        ''')
    with pytest.raises(PoFileError):
        Catalogue(DEFAULT, directory=tmp_path)


def test_there_is_no_process_wide_language():
    """The language is the deployment's, passed to what formats replies: nothing to set for the process."""
    assert not {'t', 'set_locale', 'current'} & set(dir(locales_package))
    assert catalogue_for('de_DE') is catalogue_for('de_DE'), 'each catalogue is read once'
    assert catalogue_for('de_DE').t('card.button.answer') == 'Annehmen'
    assert catalogue_for(DEFAULT).t('card.button.answer') == 'Answer'


@pytest.fixture
def settings(tmp_path):
    return load_settings(settings_values(LOCALE='de_DE', token_file=str(tmp_path / 't.yml')), environ={})


def test_replies_in_german(client, webex):
    [reply] = chat(client, webex, '/help')
    assert reply.startswith('Hallo! Ich steuere Ihr Webex-Calling-Telefon.')
    assert '**Anrufe**' in reply
    assert '**/dial <number, SIP URI or name> [on <device>]**: Eine Nummer, SIP-URI oder einen Kollegen beim Namen anrufen' in reply
    card = webex.replies()[0]['attachments'][0]['content']
    assert [b['text'] for b in card['body'] if b['type'] == 'TextBlock'][1:] == [
        'Anrufe', 'Telefoneinstellungen', 'Überwachung', 'Voicemail', 'Konto']
    assert chat(client, webex, '/dial 1234') == [
        r'Benutzer alice@example\.com ist nicht angemeldet. Bitte zuerst den Befehl /auth verwenden']
    assert chat(client, webex, '/auth please')[0].startswith('Aufruf: /auth [clear|force|maintenance]')
    page = client.get('/redirect?code=c&state=unknown')
    assert '<title>Link abgelaufen</title>' in page.text


def test_two_bots_in_one_process_keep_their_languages(client, webex, tmp_path):
    """A German bot and an English one side by side: each answers in its own language."""
    from wxc_cc_bot import CallControlBot
    english_settings = load_settings(settings_values(token_file=str(tmp_path / 'en.yml')), environ={})
    webex.bot_setup()
    english = CallControlBot(settings=english_settings)
    try:
        assert english.core.healer.started.wait(5)
        request = Request(command='/help', argument='', person_id='P', person_email=None, room_id='R')
        assert english.core.conversation.execute(request).markdown.startswith('Hello!')
        assert chat(client, webex, '/help')[0].startswith('Hallo!')
    finally:
        shut_down(english)
