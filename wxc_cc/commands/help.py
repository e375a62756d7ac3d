"""
``/help``: what the bot understands, as text and as a card with the commands grouped.
"""
from .. import cards, replies
from ..locales import N_, t
from .base import Command, Context, Services

__all__ = ['HelpCommand', 'GROUPS']

#: /help's groups, in order -> the keys of their titles
GROUPS = {'calls': N_('group.calls'), 'monitoring': N_('group.monitoring'), 'voicemail': N_('group.voicemail'),
          'account': N_('group.account')}


class HelpCommand(Command):
    """
    ``/help``; also the answer to anything the bot does not understand.
    """
    name = '/help'
    usage = '/help'

    def run(self, context: Context) -> replies.Reply:
        return help_reply(context.services)


def help_reply(services: Services) -> replies.Reply:
    """
    The help: markdown listing every available command by group, and the same as a card.
    """
    available = [command for command in services.commands.values() if command.available(services)]
    groups = [(t(title), [(command.usage, command.help) for command in available if command.group == group])
              for group, title in GROUPS.items()]
    lines = [t('help.intro')]
    for title, commands in groups:
        lines.append(f'**{title}**')
        lines.extend(f'- **{usage}**: {description}' for usage, description in commands)
    return replies.Reply('\n'.join(lines), cards.help_card(groups))
