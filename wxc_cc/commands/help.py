"""
``/help``: what the bot understands.
"""
from .base import Command, Context

__all__ = ['HelpCommand']


class HelpCommand(Command):
    """
    ``/help``; also the answer to anything the bot does not understand.
    """
    name = '/help'
    usage = '/help'
    help = 'Show this list.'

    def run(self, context: Context) -> str:
        services = context.services
        lines = ['Hello! I control your Webex Calling phone. I understand these commands:']
        for command in services.commands.values():
            if command.available(services):
                lines.append(f'- **{command.usage}**: {command.help}')
        return '\n'.join(lines)
