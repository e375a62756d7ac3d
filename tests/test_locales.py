"""
The catalogue: every text in every shipped locale, with the same placeholders; the code asks only for texts
that exist; LOCALE switches the language of the replies.
"""
import re
from pathlib import Path

import pytest

from tests.conftest import settings_values
from tests.webexmock import chat
from wxc_cc.commands import all_commands
from wxc_cc.commands.oncall import OnCallCommand
from wxc_cc.config import ConfigError, load_settings
from wxc_cc.locales import DEFAULT, LOCALES, placeholders, set_locale, t

SOURCES = Path(__file__).resolve().parent.parent / 'wxc_cc'


@pytest.mark.parametrize('locale', sorted(set(LOCALES) - {DEFAULT}))
def test_every_locale_is_complete(locale):
    english, other = LOCALES[DEFAULT], LOCALES[locale]
    assert sorted(other) == sorted(english), 'same keys'
    for key, text in english.items():
        assert placeholders(other[key]) == placeholders(text), key
        assert other[key] != text or key in ('group.voicemail', 'usage') or not re.search('[a-z]{4}', text), \
            f'{key} looks untranslated'


def test_the_code_asks_only_for_texts_that_exist():
    keys = set()
    for source in SOURCES.rglob('*.py'):
        keys |= set(re.findall(r"\bt\('([^'{]+)'", source.read_text()))
    assert keys and keys <= set(LOCALES[DEFAULT]), sorted(keys - set(LOCALES[DEFAULT]))
    commands = all_commands().values()
    for command in commands:
        assert f'help.{command.name}' in LOCALES[DEFAULT]
        if isinstance(command, OnCallCommand):
            assert f'what.{command.name}' in LOCALES[DEFAULT]


def test_unknown_locales_are_refused():
    with pytest.raises(ConfigError, match='LOCALE must be one of de_DE, en_US'):
        load_settings(settings_values(LOCALE='xx_XX'), environ={})
    with pytest.raises(ValueError):
        set_locale('xx_XX')


@pytest.fixture
def settings(tmp_path):
    return load_settings(settings_values(LOCALE='de_DE', token_file=str(tmp_path / 't.yml')), environ={})


def test_replies_in_german(client, webex):
    [reply] = chat(client, webex, '/help')
    assert reply.startswith('Hallo! Ich steuere Ihr Webex-Calling-Telefon.')
    assert '**Anrufe**' in reply and '**/dial <number or SIP URI>**: Eine Nummer anrufen' in reply
    card = webex.replies()[0]['attachments'][0]['content']
    assert [b['text'] for b in card['body'] if b['type'] == 'TextBlock'][1:] == [
        'Anrufe', 'Überwachung', 'Voicemail', 'Konto']
    assert chat(client, webex, '/dial 1234') == [
        r'Benutzer alice@example\.com ist nicht angemeldet. Bitte zuerst den Befehl /auth verwenden']
    assert chat(client, webex, '/auth please')[0].startswith('Aufruf: /auth [clear|force|maintenance]')
    page = client.get('/redirect?code=c&state=unknown')
    assert '<title>Link abgelaufen</title>' in page.text
    assert t('card.button.answer') == 'Annehmen'
