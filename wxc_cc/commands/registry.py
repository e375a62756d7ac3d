"""
The registry of chat commands: each command is one :class:`Command` entry (name, usage, group, help text, what
it needs, handler, the card buttons it answers), declared once in :mod:`wxc_cc.commands.table`. ``/help`` and its card, the README's command
table and the documentation's command reference are made from it.
"""
import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, Union

from ..locales import N_, Catalogue
from ..replies import Reply

if TYPE_CHECKING:
    from .context import Context, Pressed, Services

__all__ = ['Need', 'Group', 'Command', 'Button', 'Registry', 'Handler', 'GROUP_TITLES']

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
    #: the command reads the person's time zone from Webex itself (``/me``): it is not read before, even when stale
    OWN_ZONE_READ = enum.auto()


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


class Button:
    """
    A button of the bot's cards that a command answers: pressing it does, for the card, what the command does (Hold
    is ``/hold`` on the card's call, Call back is ``/dial`` of the card's number). The card's ``Action.Submit`` names
    it (its data's ``action``).

    :param name: the ``action`` the card's button submits
    :param handler: what pressing it does: the press -> what to tell the person, or ``None``
    :param on_call: it acts on the call its card is for, and only while that card is the call's live card
    """

    def __init__(self, name: str, handler: Optional[Callable[['Pressed'], Optional[str]]] = None,
                 on_call: bool = False):
        self.name = name
        self.handler = handler
        self.on_call = on_call

    def press(self, pressed: 'Pressed') -> Optional[str]:
        """Do what the button does; what to tell the person, or ``None``."""
        assert self.handler is not None, f'button {self.name} does nothing'
        return self.handler(pressed)

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.name!r})'


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
    #: the card buttons it answers
    buttons: tuple[Button, ...] = ()

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
        self._buttons: dict[str, tuple[Command, Button]] = {}
        for command in commands:
            if command.name in self._commands:
                raise ValueError(f'command {command.name} declared twice')
            self._commands[command.name] = command
            for button in command.buttons:
                if button.name in self._buttons:
                    raise ValueError(f'card button {button.name} answered twice')
                self._buttons[button.name] = (command, button)

    def get(self, name: str) -> Optional[Command]:
        """The command of that name, or ``None``."""
        return self._commands.get(name)

    def button(self, name: str) -> Optional[tuple[Command, Button]]:
        """The card button of that name and the command that answers it, or ``None``."""
        return self._buttons.get(name)

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
