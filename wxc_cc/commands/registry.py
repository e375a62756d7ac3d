"""
The registry of chat commands: each command is one :class:`Command` entry (name, usage, group, help text, what
it needs, handler), declared once in :mod:`wxc_cc.commands.table`. ``/help`` and its card, the README's command
table and the documentation's command reference are made from it.
"""
import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, Union

from ..locales import N_, Catalogue
from ..replies import Reply

if TYPE_CHECKING:
    from .context import Context, Services

__all__ = ['Need', 'Group', 'Command', 'Registry', 'Handler', 'GROUP_TITLES']

#: serves a command: the reply, markdown or markdown with a card
Handler = Callable[['Context'], Union[str, Reply]]


class Need(enum.Flag):
    """
    What a command needs to be served.
    """
    NOTHING = 0
    #: the person has authorized the bot (``/auth``): their tokens
    USER = enum.auto()
    #: Webex's call-control API, which Webex for Government does not offer
    CALL_CONTROL = enum.auto()
    #: one of the person's active calls, by its number in ``/calls`` or the only one that fits
    CALL = enum.auto()
    #: the Redis token store (``/redis``)
    REDIS_STORE = enum.auto()


class Group(str, enum.Enum):
    """Where ``/help`` lists a command, in this order."""
    CALLS = 'calls'
    SETTINGS = 'settings'
    MONITORING = 'monitoring'
    VOICEMAIL = 'voicemail'
    ACCOUNT = 'account'


#: group -> the key of its title
GROUP_TITLES = {Group.CALLS: N_('group.calls'), Group.SETTINGS: N_('group.settings'),
                Group.MONITORING: N_('group.monitoring'), Group.VOICEMAIL: N_('group.voicemail'),
                Group.ACCOUNT: N_('group.account')}


@dataclass(frozen=True)
class Command:
    """
    One chat command.
    """
    #: the command word, e.g. ``'/dial'``
    name: str
    #: the usage line, e.g. ``'/dial <number, SIP URI or name>'``
    usage: str
    group: Group
    #: the key of its sentence in ``/help``
    help_key: str
    handler: Handler = field(repr=False, compare=False)
    needs: Need = Need.NOTHING
    #: values of the placeholders of the help sentence
    help_values: Mapping[str, Any] = field(default_factory=dict)

    def help(self, catalogue: Catalogue) -> str:
        """The sentence ``/help`` shows, in the catalogue's language."""
        return catalogue.t(self.help_key, **self.help_values)

    def unavailable(self, services: 'Services') -> Optional[str]:
        """
        Why the command is not offered with this deployment (and not listed in /help), as the key of the sentence
        that says so: call control on Webex for Government, ``/redis`` without Redis; ``None`` when it is.
        """
        if Need.CALL_CONTROL in self.needs and services.settings.government:
            return N_('policy.government')
        if Need.REDIS_STORE in self.needs and services.stores.kind != 'redis':
            return N_('redis.unavailable')
        return None


class Registry:
    """
    The commands by name, in the order ``/help`` lists them.

    :param commands: the entries
    :raises ValueError: a name given twice
    """

    def __init__(self, commands: Iterable[Command]):
        self._commands: dict[str, Command] = {}
        for command in commands:
            if command.name in self._commands:
                raise ValueError(f'command {command.name} declared twice')
            self._commands[command.name] = command

    def get(self, name: str) -> Optional[Command]:
        """The command of that name, or ``None``."""
        return self._commands.get(name)

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands.values())

    def __len__(self) -> int:
        return len(self._commands)

    def names(self) -> list[str]:
        """The names, in order."""
        return list(self._commands)

    def groups(self) -> list[tuple[Group, list[Command]]]:
        """The commands by group, groups and commands in order; empty groups left out."""
        return [(group, members) for group in Group
                if (members := [command for command in self if command.group is group])]
