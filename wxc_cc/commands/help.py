"""
``/help``: what the bot understands, as text and as a card with the commands grouped.
"""
from .. import cards, replies
from .base import Command, Context, Services

__all__ = ['HelpCommand', 'GROUPS']

#: /help's groups, in order
GROUPS = {'calls': 'Calls', 'monitoring': 'Monitoring', 'voicemail': 'Voicemail', 'account': 'Account'}


class HelpCommand(Command):
    """
    ``/help``; also the answer to anything the bot does not understand.
    """
    name = '/help'
    usage = '/help'
    help = 'Show this list.'

    def run(self, context: Context) -> replies.Reply:
        return help_reply(context.services)


def help_reply(services: Services) -> replies.Reply:
    """
    The help: markdown listing every available command by group, and the same as a card.
    """
    available = [command for command in services.commands.values() if command.available(services)]
    groups = [(title, [(command.usage, command.help) for command in available if command.group == group])
              for group, title in GROUPS.items()]
    lines = ['Hello! I control your Webex Calling phone. I understand these commands:']
    for title, commands in groups:
        lines.append(f'**{title}**')
        lines.extend(f'- **{usage}**: {description}' for usage, description in commands)
    return replies.Reply('\n'.join(lines), cards.help_card(groups))
