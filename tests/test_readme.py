"""
The README's command tables are the registry's: every command, in /help's groups and order, with its usage line
and the sentence /help shows. The tables are written for people, so this test holds them to the code. And every
page that tells how to deploy the bot on Heroku tells the same steps.
"""
import re
from pathlib import Path

import pytest

from wxc_cc.commands import build_registry
from wxc_cc.commands.registry import GROUP_TITLES
from wxc_cc.locales import catalogue_for

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / 'README.md'
#: every page an operator reads on how to run the bot
PAGES = (README, *sorted((ROOT / 'docs').glob('*.rst')), ROOT / '.env (sample)')
ENGLISH = catalogue_for('en_US')


def readme_commands() -> list[tuple[str, list[tuple[str, str]]]]:
    """(group title, [(usage, what it does)]) of the README's "Commands" section, in order."""
    section = README.read_text(encoding='utf-8').split('## Commands', 1)[1].split('\n## ', 1)[0]
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for line in section.splitlines():
        if title := re.fullmatch(r'\*\*(.+)\*\*', line.strip()):
            groups.append((title.group(1), []))
        elif (row := re.fullmatch(r'\| `(.+)` \| (.+) \|', line.strip())) and groups:
            groups[-1][1].append((row.group(1).replace('\\|', '|'), row.group(2)))
    return groups


def test_the_readme_lists_every_command_as_help_does():
    expected = [(ENGLISH.t(GROUP_TITLES[group]), [(command.usage, command.help(ENGLISH)) for command in commands])
                for group, commands in build_registry().groups()]
    assert readme_commands() == expected


def heroku_commands(text: str) -> list[str]:
    """The ``heroku`` command lines of a page's code, as written (comments included)."""
    return [line.strip() for line in text.splitlines() if line.strip().startswith('heroku ')]


def test_every_page_gives_the_same_heroku_steps():
    """
    A new Heroku app's web URL carries a suffix (``https://<app>-<hash>.herokuapp.com``), so the bot is given
    that URL in WXC_CC_BOT_URL, as Heroku reports it, and its ``/redirect`` is registered. HEROKU_NAME
    (``https://<name>.herokuapp.com``) fits only apps made before the suffix: no page tells to set it.
    """
    texts = {page.name: page.read_text(encoding='utf-8') for page in PAGES}
    steps = {name: heroku_commands(text) for name, text in texts.items() if heroku_commands(text)}
    assert {'README.md', 'getting-started.rst'} <= set(steps), 'both tell the steps'
    assert len({tuple(commands) for commands in steps.values()}) == 1, f'the pages disagree: {steps}'
    commands = steps['README.md']
    assert [command for command in commands if command.startswith('heroku config:set WXC_CC_BOT_URL=')
            and 'web_url' in command], 'the URL comes from Heroku'
    assert not [command for command in commands if 'HEROKU_NAME' in command]
    for name, text in texts.items():
        for url in re.findall(r'https?://[^\s`\'")]*herokuapp\.com[^\s`\'")]*', text):
            assert url.startswith(('https://<app>-<hash>.herokuapp.com', 'https://{HEROKU_NAME}.herokuapp.com',
                                   'https://$HEROKU_NAME.herokuapp.com')), f'{name}: {url}'
