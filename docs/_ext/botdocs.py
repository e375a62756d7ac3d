"""
Sphinx extension: the parts of the documentation that come from the bot's own code, so that they cannot drift.

Directives and roles:

``.. bot-commands::`` (option ``:group: calls|settings|monitoring|voicemail|account``)
    A table of the commands of the registry (:func:`wxc_cc.commands.build_registry`): usage line, the sentence
    ``/help`` shows,
    and whether the command needs ``/auth``.

``.. chat::``
    An example exchange. One line per step::

        you: /dial 1234
        bot: dial.done destination=1234
        -- narration, e.g. what happens on the phone
        bot| **Your calls** (1)
        | 1. connecting outgoing call to Bob Brown (1002) · 0:05

    ``bot:`` takes a key of the English catalogue (``wxc_cc/locales/en_US``) and the values of its
    placeholders (``name=value``, quoted when they contain spaces): an unknown key or a missing value fails the
    build. ``bot|`` starts a reply given verbatim (markdown, for replies assembled from several texts), ``|``
    continues the current reply on a new line.

``.. bot-card:: call <state> [incoming|outgoing]`` / ``bot-card:: history`` / ``bot-card:: people`` /
``bot-card:: devices`` / ``bot-card:: queues`` / ``bot-card:: callerids`` / ``bot-card:: help``
    A card as the bot builds it (:mod:`wxc_cc.cards`), rendered roughly as Webex shows it.

``:say:`key name=value```
    A text of the English catalogue, inline.

Signatures of pydantic-settings models show their fields only, not the options of ``BaseSettings`` itself
(``_env_file`` …): the bot's settings are built by :func:`wxc_cc.config.load_settings`.

References to re-exported names (``wxc_cc.stores.TokenManager``, ``fakewebex.FakeWebex``, the names of
``user_context``) resolve to the object where it is defined and documented.

Checks, reported as warnings (the build runs with ``-W``, so they fail it):

* every environment variable of :mod:`wxc_cc.config` appears in ``configuration.rst``;
* every command appears in the ``you:`` line of some ``chat`` example;
* every module of ``wxc_cc``, ``sandbox`` and ``fakewebex`` (and the three top-level modules) is documented by
  an ``automodule`` directive.
"""
import importlib
import inspect
import pkgutil
import re
import shlex
from pathlib import Path
from typing import ClassVar, Optional

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

log = logging.getLogger(__name__)

#: modules documented in the API reference: top-level modules, and packages with all their modules
TOP_LEVEL_MODULES = ('wxc_cc_bot', 'user_context', 'ngrokhelper')
PACKAGES = ('wxc_cc', 'sandbox', 'fakewebex')

#: the page that must name every environment variable
CONFIGURATION_PAGE = 'configuration'


def _english():
    """The bot's English texts, replies and cards, and its commands, as a deployment with LOCALE=en_US has them."""
    from wxc_cc.cards import Cards
    from wxc_cc.commands import build_registry
    from wxc_cc.locales import catalogue_for
    from wxc_cc.replies import Replies
    replies = Replies(catalogue_for('en_US'))
    return replies, Cards(replies), build_registry()


def _catalogue_text(spec: str) -> str:
    """
    ``'dial.done destination=1234'`` -> the English text with its placeholders filled in.

    :raises ValueError: unknown key, bad syntax, or a placeholder without a value
    """
    from wxc_cc.locales import LOCALES, placeholders
    try:
        words = shlex.split(spec)
    except ValueError as error:
        raise ValueError(f'cannot parse {spec!r}: {error}') from None
    if not words:
        raise ValueError('a catalogue key is missing')
    key, pairs = words[0], words[1:]
    english = LOCALES['en_US']
    if key not in english:
        raise ValueError(f'{key!r} is not a key of the en_US catalogue')
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition('=')
        if not sep:
            raise ValueError(f'{pair!r} is not name=value')
        values[name] = value
    template = english[key]
    missing = placeholders(template) - set(values)
    unknown = set(values) - placeholders(template)
    if missing or unknown:
        raise ValueError(f'{key}: placeholders {sorted(placeholders(template))}, given {sorted(values)}')
    return template.format(**values) if values else template


# --- markdown (the subset the bot writes) to docutils nodes

_INLINE = re.compile(r'\\(?P<escaped>.)|`(?P<code>[^`]+)`|\*\*(?P<bold>.+?)\*\*|'
                     r'\[(?P<label>[^\]]+)\]\((?P<url>[^)\s]+)\)')


def inline_nodes(text: str) -> list:
    """Inline markdown (escapes, code, bold, links) as docutils nodes."""
    result, position = [], 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            result.append(nodes.Text(text[position:match.start()]))
        if match.group('escaped') is not None:
            result.append(nodes.Text(match.group('escaped')))
        elif match.group('code') is not None:
            result.append(nodes.literal(text=match.group('code')))
        elif match.group('bold') is not None:
            result.append(nodes.strong('', '', *inline_nodes(match.group('bold'))))
        else:
            result.append(nodes.reference('', '', *inline_nodes(match.group('label')), refuri=match.group('url')))
        position = match.end()
    if position < len(text):
        result.append(nodes.Text(text[position:]))
    return result


def markdown_nodes(markdown: str) -> list:
    """A reply's markdown as block nodes: lines, bullet lists and fenced code blocks."""
    blocks, lines, bullets, fence = [], [], None, None

    def flush_lines():
        if lines:
            block = nodes.line_block()
            block.extend(nodes.line('', '', *inline_nodes(line)) for line in lines)
            blocks.append(block)
            lines.clear()

    for raw in markdown.split('\n'):
        line = raw.rstrip()
        if fence is not None:
            if line.startswith('```'):
                block = nodes.literal_block('\n'.join(fence), '\n'.join(fence))
                block['language'] = 'text'
                blocks.append(block)
                fence = None
            else:
                fence.append(raw)
            continue
        if line.startswith('```'):
            flush_lines()
            bullets, fence = None, []
            continue
        if line.startswith('- '):
            flush_lines()
            if bullets is None:
                bullets = nodes.bullet_list(bullet='-')
                blocks.append(bullets)
            bullets.append(nodes.list_item('', nodes.paragraph('', '', *inline_nodes(line[2:]))))
            continue
        bullets = None
        lines.append(line)
    flush_lines()
    return blocks


def _message(who: str, body: list) -> nodes.container:
    message = nodes.container(classes=['chat-message', f'chat-{who}'])
    label = {'you': 'You', 'bot': 'Bot', 'note': ''}[who]
    if label:
        message.append(nodes.paragraph('', '', nodes.strong(text=label), classes=['chat-who']))
    message.extend(body)
    return message


class ChatDirective(Directive):
    """``.. chat::``: an example exchange with the bot; see the module docstring."""
    has_content = True

    def run(self) -> list:
        env = self.state.document.settings.env
        chat = nodes.container(classes=['chat'])
        current_bot: list[str] = []

        def close_bot():
            if current_bot:
                chat.append(_message('bot', markdown_nodes('\n'.join(current_bot))))
                current_bot.clear()

        for number, raw in enumerate(self.content):
            line = raw.strip()
            if not line:
                continue
            where = f'line {number + 1} of the chat'
            if line.startswith('you:'):
                close_bot()
                typed = line[4:].strip()
                chat.append(_message('you', [nodes.paragraph('', '', nodes.literal(text=typed))]))
                if typed.startswith('/'):
                    _examples(env).setdefault(env.docname, set()).add(typed.split()[0].lower())
            elif line.startswith('bot:'):
                close_bot()
                try:
                    current_bot.append(_catalogue_text(line[4:].strip()))
                except ValueError as error:
                    raise self.error(f'{where}: {error}') from None
            elif line.startswith('bot|'):
                close_bot()
                current_bot.append(_after_bar(line[3:]))
            elif line.startswith('|'):
                if not current_bot:
                    raise self.error(f'{where}: "|" continues a reply, but there is none')
                current_bot.append(_after_bar(line))
            elif line.startswith('--'):
                close_bot()
                chat.append(_message('note', [nodes.paragraph('', '', nodes.emphasis(
                    '', '', *inline_nodes(line[2:].strip())))]))
            else:
                raise self.error(f'{where}: start it with "you:", "bot:", "bot|", "|" or "--"')
        close_bot()
        return [chat]


def _after_bar(text: str) -> str:
    """``'| text'`` -> ``'text'``: the bar and one space after it go, further spaces stay."""
    return text[1:].removeprefix(' ')


def _examples(env) -> dict:
    if not hasattr(env, 'botdocs_examples'):
        env.botdocs_examples = {}
    return env.botdocs_examples


# --- the command table

class CommandsDirective(Directive):
    """``.. bot-commands::``: the commands, from the code."""
    option_spec: ClassVar[dict] = {'group': directives.unchanged}

    def run(self) -> list:
        from wxc_cc.commands import Group, Need
        group = self.options.get('group')
        if group is not None and group not in {member.value for member in Group}:
            raise self.error(f'unknown group {group!r}; one of {", ".join(member.value for member in Group)}')
        replies, _, registry = _english()
        commands = [command for command in registry if group in (None, command.group.value)]
        table = nodes.table(classes=['bot-commands'])
        tgroup = nodes.tgroup(cols=3)
        table.append(tgroup)
        for width in (30, 58, 12):
            tgroup.append(nodes.colspec(colwidth=width))

        def row(*cells) -> nodes.row:
            result = nodes.row()
            for cell in cells:
                entry = nodes.entry()
                entry.append(cell if isinstance(cell, nodes.Element) else nodes.paragraph(text=cell))
                result.append(entry)
            return result

        tgroup.append(nodes.thead('', row('command', 'what it does', 'needs /auth')))
        body = nodes.tbody()
        for command in commands:
            body.append(row(nodes.paragraph('', '', nodes.literal(text=command.usage)), command.help(replies.catalogue),
                            'yes' if Need.USER in command.needs else 'no'))
        tgroup.append(body)
        return [table]


# --- cards

def _example_call(state: str, direction: str):
    from wxc_sdk.telephony.calls import TelephonyCall
    incoming = direction == 'incoming'
    party = ({'name': 'Carol Chen', 'number': '1003'} if incoming else {'name': 'Bob Brown', 'number': '1002'})
    data = {'id': 'example-call', 'callSessionId': 'example-session',
            'personality': 'terminator' if incoming else 'originator', 'state': state,
            'remoteParty': {**party, 'privacyEnabled': False, 'callType': 'location'},
            'created': '2025-05-06T09:30:00Z'}
    if state in ('connected', 'held', 'remoteHeld'):
        data['answered'] = '2025-05-06T09:30:04Z'
    return TelephonyCall.model_validate(data)


def _example_history():
    from wxc_sdk.telephony.calls import CallHistoryRecord
    records = [('missed', 'Bob Brown', '1002', '2025-05-06T09:12:00Z'),
               ('received', 'Carol Chen', '1003', '2025-05-06T08:55:00Z'),
               ('placed', 'Henry Green', '7101', '2025-05-06T08:40:00Z')]
    return [CallHistoryRecord.model_validate({'type': kind, 'name': name, 'number': number, 'privacyEnabled': False,
                                              'time': time}) for kind, name, number, time in records]


def _example_people():
    from wxc_cc.commands.directory import Match
    return [Match('example-bob', 'Bob Brown', 'Support', '1002', None),
            Match('example-bobby', 'Bobby Blue', None, None, '+14085551005')]


def _example_devices():
    from wxc_cc.webex import AnswerDevice
    return [AnswerDevice.model_validate({'id': 'example-desk', 'type': 'DEVICE', 'name': 'Cisco 8865 (Desk)',
                                         'isPreferredAnswerEndpoint': False}),
            AnswerDevice.model_validate({'id': 'example-app', 'type': 'APPLICATION',
                                         'name': 'Webex Desktop Application', 'isPreferredAnswerEndpoint': True})]


def _example_call_queues():
    from wxc_sdk.me.callcenter import MeCallQueue
    return [MeCallQueue.model_validate({'id': 'example-support', 'available': True, 'extension': '5001',
                                        'phoneNumber': '+18555550101', 'allowLogOffEnabled': True}),
            MeCallQueue.model_validate({'id': 'example-sales', 'available': False, 'extension': '5002',
                                        'allowLogOffEnabled': False})]


def _example_caller_ids():
    from wxc_sdk.me.callerid import MeSelectedCallerId
    return [(MeSelectedCallerId.model_validate({'type': 'CALL_QUEUE', 'id': 'example-support', 'name': 'Support',
                                                'directNumber': '+18555550101'}), False),
            (MeSelectedCallerId.model_validate({'type': 'ADDITIONAL_CLID', 'name': 'Alice mobile',
                                                'directNumber': '+14085550177'}), False)]


def card_nodes(element: dict) -> list:
    """An Adaptive Card element (the kinds the bot uses) as docutils nodes."""
    kind = element.get('type')
    if kind == 'AdaptiveCard':
        result = [node for item in element.get('body', []) for node in card_nodes(item)]
        if element.get('actions'):
            result += card_nodes({'type': 'ActionSet', 'actions': element['actions']})
        return result
    if kind == 'TextBlock':
        classes = ['card-text'] + (['card-heading'] if element.get('weight') == 'Bolder' else [])
        return [nodes.paragraph('', '', *inline_nodes(element.get('text', '')), classes=classes)]
    if kind == 'FactSet':
        facts = nodes.field_list(classes=['card-facts'])
        for fact in element.get('facts', []):
            facts.append(nodes.field('', nodes.field_name(text=fact['title']),
                                     nodes.field_body('', nodes.paragraph('', '', *inline_nodes(fact['value'])))))
        return [facts]
    if kind == 'Input.Text':
        return [nodes.paragraph('', '', nodes.Text(f"{element.get('label', '')}: "),
                                nodes.inline(text=f"[ {element.get('placeholder', '')} ]", classes=['card-input']),
                                classes=['card-text'])]
    if kind in ('Container', 'Column'):
        return [node for item in element.get('items', []) for node in card_nodes(item)]
    if kind == 'ColumnSet':
        parts = []
        for column in element.get('columns', []):
            texts = [item.get('text', '') for item in column.get('items', []) if item.get('type') == 'TextBlock']
            parts.append('  '.join(texts))
        return [nodes.paragraph('', '', *inline_nodes('   '.join(parts)), classes=['card-text', 'card-row'])]
    if kind == 'ActionSet':
        buttons = nodes.paragraph(classes=['card-buttons'])
        for action in element.get('actions', []):
            style = action.get('style', 'default')
            buttons.append(nodes.inline(text=action.get('title', ''), classes=['card-button', f'card-{style}']))
            buttons.append(nodes.Text(' '))
        return [buttons]
    raise ValueError(f'card element {kind!r} is not rendered by botdocs')


class CardDirective(Directive):
    """``.. bot-card::``: a card as the bot builds it."""
    required_arguments = 1
    optional_arguments = 2

    def run(self) -> list:
        from wxc_cc.commands.registry import GROUP_TITLES
        from wxc_cc.replies import newest_first
        replies, cards, registry = _english()
        kind = self.arguments[0]
        if kind == 'call':
            state = self.arguments[1] if len(self.arguments) > 1 else 'alerting'
            direction = self.arguments[2] if len(self.arguments) > 2 else 'incoming'
            if direction not in ('incoming', 'outgoing'):
                raise self.error('the direction is incoming or outgoing')
            content = cards.call_card(_example_call(state, direction), 'example-owner')
        elif kind == 'history':
            records = newest_first(_example_history())
            content = cards.history_card(records, 'example-owner', replies.history_heading(len(records), None))
        elif kind == 'people':
            people = _example_people()
            content = cards.people_card(people, 'example-owner',
                                        replies.t('dial.several', count=len(people), name='bob'))
        elif kind == 'devices':
            devices = _example_devices()
            content = cards.devices_card(devices, 'example-owner', replies.t('devices.title', count=len(devices)))
        elif kind == 'queues':
            call_queues = _example_call_queues()
            content = cards.call_queues_card(call_queues, 'example-owner', replies.t(
                'agent.title', count=len(call_queues), state=replies.t('agent.state.available')))
        elif kind == 'callerids':
            content = cards.caller_ids_card(_example_caller_ids(), 'example-owner', replies.t('callerid.card_title'))
        elif kind == 'help':
            groups = [(replies.t(GROUP_TITLES[group]), [(command.usage, command.help(replies.catalogue))
                                                     for command in members])
                      for group, members in registry.groups()]
            content = cards.help_card(groups)
        else:
            raise self.error('bot-card takes call, history, people, devices, queues, callerids or help')
        try:
            body = card_nodes(content)
        except ValueError as error:
            raise self.error(str(error)) from None
        return [nodes.container('', *body, classes=['bot-card'])]


class SayRole(SphinxRole):
    """``:say:`key name=value```: a text of the English catalogue, inline."""

    def run(self) -> tuple[list, list]:
        try:
            text = _catalogue_text(self.text)
        except ValueError as error:
            message = self.inliner.reporter.error(str(error), line=self.lineno)
            return [self.inliner.problematic(self.rawtext, self.rawtext, message)], [message]
        return [nodes.inline('', '', *inline_nodes(text), classes=['bot-says'])], []


# --- checks

def project_modules() -> list[str]:
    """Every module that the API reference must document."""
    names = list(TOP_LEVEL_MODULES)
    for package in PACKAGES:
        module = importlib.import_module(package)
        names.append(package)
        names += [info.name for info in pkgutil.walk_packages(module.__path__, f'{package}.')]
    return names


def check(app, env) -> None:
    from wxc_cc.config import OPTIONAL, REQUIRED

    page = Path(env.doc2path(CONFIGURATION_PAGE))
    text = page.read_text(encoding='utf-8') if page.exists() else ''
    for variable in (*REQUIRED, *OPTIONAL):
        if not re.search(rf'(?<![A-Z_]){variable}(?![A-Z_])', text):
            log.warning(f'environment variable {variable} is not documented in {CONFIGURATION_PAGE}.rst',
                        type='botdocs', subtype='variable')

    examples = set().union(*_examples(env).values()) if _examples(env) else set()
    for name in _english()[2].names():
        if name not in examples:
            log.warning(f'command {name} has no example exchange (a "you: {name} ..." line in a chat directive)',
                        type='botdocs', subtype='example')

    documented = set(env.get_domain('py').modules)
    for module in project_modules():
        if module not in documented:
            log.warning(f'module {module} is missing from the API reference (add ".. automodule:: {module}")',
                        type='botdocs', subtype='module')


#: packages that re-export names documented in their submodules (``wxc_cc.stores.TokenManager`` is
#: ``wxc_cc.stores.tokens.TokenManager``); the API reference documents each object once, where it is defined
REEXPORTERS = ('user_context', 'wxc_cc.stores', 'wxc_cc.commands', 'sandbox', 'fakewebex')


def resolve_reexport(app, env, node, contnode):
    """
    ``missing-reference``: resolve a Python cross-reference to a re-exported name (``:class:`UserContext```
    in :mod:`user_context`, ``:meth:`fakewebex.FakeWebex.mark```) to the object where it is defined.
    """
    if node.get('refdomain') != 'py':
        return None
    target, module = node['reftarget'], node.get('py:module')
    candidates = [target] + ([f'{module}.{target}'] if module in REEXPORTERS else [])
    for candidate in candidates:
        package = next((name for name in REEXPORTERS if candidate.startswith(f'{name}.')), None)
        if package is None:
            continue
        first, _, rest = candidate[len(package) + 1:].partition('.')
        obj = getattr(importlib.import_module(package), first, None)
        home = getattr(obj, '__module__', None)
        if not home or home == package:
            continue
        canonical = '.'.join(filter(None, (home, first, rest)))
        domain = env.get_domain('py')
        resolved = domain.resolve_xref(env, node['refdoc'], app.builder, node['reftype'], canonical, node, contnode)
        if resolved is not None:
            return resolved
    return None


def purge(app, env, docname: str) -> None:
    _examples(env).pop(docname, None)


def merge(app, env, docnames, other) -> None:
    _examples(env).update(_examples(other))


def settings_signature(app, what: str, name: str, obj: object, options: dict, signature: str,
                       return_annotation: str) -> Optional[tuple[str, str]]:
    """The constructor of a pydantic-settings model without BaseSettings' own ``_``-prefixed options."""
    from pydantic_settings import BaseSettings

    if what != 'class' or not (isinstance(obj, type) and issubclass(obj, BaseSettings)):
        return None
    full = inspect.signature(obj)
    fields = [parameter for name, parameter in full.parameters.items() if not name.startswith('_')]
    return str(full.replace(parameters=fields, return_annotation=inspect.Signature.empty)), return_annotation


def setup(app):
    app.add_directive('chat', ChatDirective)
    app.add_directive('bot-commands', CommandsDirective)
    app.add_directive('bot-card', CardDirective)
    app.add_role('say', SayRole())
    app.connect('env-purge-doc', purge)
    app.connect('env-merge-info', merge)
    app.connect('env-check-consistency', check)
    app.connect('missing-reference', resolve_reexport)
    app.connect('autodoc-process-signature', settings_signature)
    return {'version': '1', 'parallel_read_safe': True, 'parallel_write_safe': True,
            'env_version': 1}
