"""
The README's command tables are the registry's: every command, in /help's groups and order, with its usage line
and the sentence /help shows. The tables are written for people, so this test holds them to the code.
"""
import re
from pathlib import Path

import pytest

from wxc_cc.commands import build_registry
from wxc_cc.commands.registry import GROUP_TITLES
from wxc_cc.locales import catalogue_for

pytestmark = pytest.mark.unit

README = Path(__file__).resolve().parent.parent / 'README.md'
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
