"""
The chat commands, one module each, and how a message is turned into a command.
"""
from .answer import AnswerCommand
from .auth import AuthCommand
from .base import Command, Context, Request, Services
from .broadcast import BroadcastCommand
from .calls import CallsCommand
from .dial import DialCommand
from .divert import DivertCommand
from .dtmf import DtmfCommand
from .hangup import HangupCommand
from .help import HelpCommand
from .history import HistoryCommand
from .hold import HoldCommand, ResumeCommand
from .monitor import MonitorCommand
from .mute import MuteCommand, UnmuteCommand
from .park import ParkCommand
from .pickup import BargeCommand, PickupCommand
from .push import PushCommand
from .record import RecordCommand
from .redis import RedisCommand
from .reject import RejectCommand
from .retrieve import RetrieveCommand
from .transfer import TransferCommand
from .voicemail import VoicemailCommand

__all__ = ['Command', 'Context', 'Request', 'Services', 'all_commands', 'parse_command']


def all_commands() -> dict[str, Command]:
    """
    Every command, by name, in the order /help lists them.
    """
    commands = (HelpCommand(), AuthCommand(), MonitorCommand(), CallsCommand(), DialCommand(), AnswerCommand(),
                HangupCommand(), HoldCommand(), ResumeCommand(), RejectCommand(), DivertCommand(), TransferCommand(),
                MuteCommand(), UnmuteCommand(), ParkCommand(), RetrieveCommand(), DtmfCommand(), RecordCommand(),
                PushCommand(), PickupCommand(), BargeCommand(), HistoryCommand(), VoicemailCommand(),
                BroadcastCommand(), RedisCommand())
    return {command.name: command for command in commands}


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
