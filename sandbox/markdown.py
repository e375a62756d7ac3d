"""
Webex-flavoured markdown to safe HTML, for the bot's replies in the chat pane.

The subset the bot writes: ``**bold**``, ``*italics*`` (and ``_italics_``), inline code in single backticks,
fenced code blocks, ``[links](https://…)`` (opening in a new tab; only http, https and mailto), lists (``-``, ``*``,
``1.``), line breaks (every newline is one, as in Webex) and backslash escapes (``\\*`` shows ``*``).

Safety: the whole text is HTML-escaped first; markup is only added afterwards, by this module, around text that
is already escaped. Nothing in the input can produce a tag or an attribute.
"""
import html
import logging
import re
from collections.abc import Callable

__all__ = ['render_markdown', 'render_plain']

log = logging.getLogger(__name__)

#: an escaped ASCII punctuation character after a backslash (``<`` is ``&lt;`` here), or a code span
_ESCAPE_OR_CODE = re.compile(r'\\(&amp;|&lt;|&gt;|&quot;|&#x27;|[!#$%()*+,\-./:;=?@\[\\\]^_`{|}~])|`([^`]+)`')
_LINK = re.compile(r'\[([^\]\n]*)\]\(([^)\s]+)\)')
_BOLD = re.compile(r'\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)')
_ITALIC = re.compile(r'\*(?=\S)(.+?)(?<=\S)\*|(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)')
_BULLET = re.compile(r'^\s{0,3}[-*+]\s+(.*)$')
_NUMBERED = re.compile(r'^\s{0,3}(\d{1,9})\.\s+(.*)$')
_FENCE = re.compile(r'^\s{0,3}```')
_SAFE_URL = re.compile(r'^(https?:|mailto:)', re.IGNORECASE)
#: placeholders for finished pieces of HTML: private-use characters that html.escape leaves alone
_HOLD = re.compile('\ue000(\\d+)\ue001')


class _Pieces:
    """Finished HTML pieces parked behind placeholders while the rest of a line is processed."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def park(self, piece: str) -> str:
        self.items.append(piece)
        return f'\ue000{len(self.items) - 1}\ue001'

    def restore(self, text: str) -> str:
        while _HOLD.search(text):
            text = _HOLD.sub(lambda m: self.items[int(m.group(1))], text)
        return text


def _link(pieces: _Pieces, match: re.Match) -> str:
    label, url = match.group(1), pieces.restore(match.group(2))
    # the URL is escaped already (& is &amp;, quotes are entities): safe inside a quoted attribute
    bare = html.unescape(url)
    if not _SAFE_URL.match(bare.strip()):
        return label or url
    return pieces.park(f'<a href="{url}" target="_blank" rel="noopener noreferrer">') + (label or url) + \
        pieces.park('</a>')


def _inline(escaped: str) -> str:
    """
    Inline markup of one line that is HTML-escaped already.
    """
    pieces = _Pieces()

    def escape_or_code(match: re.Match) -> str:
        if match.group(1) is not None:
            return pieces.park(match.group(1))
        return pieces.park(f'<code>{match.group(2)}</code>')

    text = _ESCAPE_OR_CODE.sub(escape_or_code, escaped)
    text = _LINK.sub(lambda m: _link(pieces, m), text)
    for pattern, tag in ((_BOLD, 'strong'), (_ITALIC, 'em')):
        text = pattern.sub(lambda m, t=tag: f'<{t}>{m.group(1) or m.group(2)}</{t}>', text)
    return pieces.restore(text)


def _blocks(lines: list[str], inline: Callable[[str], str]) -> str:
    out: list[str] = []
    paragraph: list[str] = []
    list_tag, items = '', []

    def flush_paragraph() -> None:
        if paragraph:
            out.append('<p>' + '<br>'.join(inline(line) for line in paragraph) + '</p>')
            paragraph.clear()

    def flush_list() -> None:
        nonlocal list_tag
        if items:
            out.append(f'<{list_tag}>' + ''.join(f'<li>{inline(item)}</li>' for item in items) + f'</{list_tag}>')
            items.clear()
        list_tag = ''

    index = 0
    while index < len(lines):
        line = lines[index]
        if _FENCE.match(line):
            flush_paragraph()
            flush_list()
            end = next((j for j in range(index + 1, len(lines)) if _FENCE.match(lines[j])), len(lines))
            out.append('<pre><code>' + '\n'.join(lines[index + 1:end]) + '</code></pre>')
            index = end + 1
            continue
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        if bullet or numbered:
            flush_paragraph()
            tag = 'ul' if bullet else 'ol'
            if tag != list_tag:
                flush_list()
                list_tag = tag
            items.append(bullet.group(1) if bullet else numbered.group(2))
        elif not line.strip():
            flush_paragraph()
            flush_list()
        else:
            flush_list()
            paragraph.append(line.rstrip())
        index += 1
    flush_paragraph()
    flush_list()
    return ''.join(out)


def _escape(text: str) -> str:
    # the placeholder characters cannot come from the input
    return html.escape((text or '').replace('\ue000', '\ufffd').replace('\ue001', '\ufffd'),
                       quote=True).replace('\r\n', '\n')


def render_markdown(markdown: str) -> str:
    """
    :param markdown: a message's markdown
    :return: HTML to show it; every character of the input is escaped, markup comes only from the syntax above
    """
    return _blocks(_escape(markdown).split('\n'), _inline)


def render_plain(text: str) -> str:
    """
    :param text: plain text (what a person typed)
    :return: HTML showing it literally, line breaks kept
    """
    escaped = _escape(text).strip('\n')
    return f'<p>{escaped.replace(chr(10), "<br>")}</p>' if escaped else ''
