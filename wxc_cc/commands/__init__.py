"""
The chat commands: the registry (:mod:`~wxc_cc.commands.registry`), declared in one table
(:mod:`~wxc_cc.commands.table`), the handlers by theme (:mod:`~wxc_cc.commands.calls` with the name lookup of
:mod:`~wxc_cc.commands.directory`, :mod:`~wxc_cc.commands.settings`, the phone menu's
:mod:`~wxc_cc.commands.devices`, :mod:`~wxc_cc.commands.agent` and :mod:`~wxc_cc.commands.callerid` on
:mod:`~wxc_cc.commands.mysettings`, :mod:`~wxc_cc.commands.monitor`, :mod:`~wxc_cc.commands.voicemail`,
:mod:`~wxc_cc.commands.account`), and how a message is turned into a command.
"""
from .context import Context, Pressed, Request, Services
from .registry import Button, Command, Group, Need, Registry
from .table import build_registry

__all__ = ['Command', 'Button', 'Group', 'Need', 'Registry', 'Context', 'Pressed', 'Request', 'Services',
           'build_registry', 'parse_command']


def parse_command(text: str, mention: str = '') -> tuple[str, str]:
    """
    Split a message into the command word (lower case) and the rest. Only the first word counts.

    :param text: the message text
    :param mention: the bot's display name, removed when the message starts with it (group spaces)
    :return: ``(command, argument)``; the command is ``''`` for an empty message
    """
    text = text.strip()
    if mention and text.lower().startswith(mention.lower()):
        text = text[len(mention):].strip()
    parts = text.split(maxsplit=1)
    if not parts:
        return '', ''
    return parts[0].lower(), parts[1].strip() if len(parts) > 1 else ''
