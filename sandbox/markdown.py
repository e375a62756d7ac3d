"""
Webex-flavoured markdown to safe HTML, for the bot's replies in the chat pane, by markdown-it-py.

CommonMark as Webex shows it: every newline is a line break, links (only http, https and mailto) open in a new tab,
and no HTML in the text passes through: it shows as text, as Webex shows it. Images are not shown (Webex shows no
pictures from a message's markdown); ``![alt](url)`` stays a link.
"""
import html
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

__all__ = ['render_markdown', 'render_plain', 'LINK_SCHEMES']

#: the schemes a link may have; any other link shows as its text
LINK_SCHEMES = ('http:', 'https:', 'mailto:')


def _link_allowed(url: str) -> bool:
    return url.strip().lower().startswith(LINK_SCHEMES)


def _link_open(renderer: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict,
               env: EnvType) -> str:
    tokens[index].attrs.update({'target': '_blank', 'rel': 'noopener noreferrer'})
    return renderer.renderToken(tokens, index, options, env)


def _parser() -> MarkdownIt:
    parser = MarkdownIt('commonmark', {'html': False, 'breaks': True, 'xhtmlOut': False}).disable('image')
    parser.validateLink = _link_allowed
    parser.add_render_rule('link_open', _link_open)
    return parser


_MARKDOWN = _parser()


def render_markdown(markdown: str) -> str:
    """
    :param markdown: a message's markdown
    :return: HTML to show it: the text escaped, markup only from the markdown
    """
    return _MARKDOWN.render(markdown or '')


def render_plain(text: str) -> str:
    """
    :param text: plain text (what a person typed)
    :return: HTML showing it literally, line breaks kept
    """
    escaped = html.escape((text or '').replace('\r\n', '\n'), quote=True).strip('\n')
    return f'<p>{escaped.replace(chr(10), "<br>")}</p>' if escaped else ''
