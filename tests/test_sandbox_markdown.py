"""
The sandbox's rendering of the bot's markdown (sandbox.markdown, on markdown-it-py): what Webex shows, and never
HTML from the text: any text gives only the markup of markdown, links only to http, https and mailto, and outside
text escaped by the bot (people's names and numbers) shows literally.
"""
import datetime
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.markdown import LINK_SCHEMES, render_markdown, render_plain
from wxc_cc.replies import escape

pytestmark = pytest.mark.unit

LINK = 'target="_blank" rel="noopener noreferrer"'
#: tag -> the attributes markdown may give it
MARKUP = {'p': set(), 'br': set(), 'strong': set(), 'em': set(), 'code': {'class'}, 'pre': set(), 'ul': set(),
          'ol': {'start'}, 'li': set(), 'blockquote': set(), 'hr': set(), 'a': {'href', 'target', 'rel'},
          **{f'h{level}': set() for level in range(1, 7)}}
BOUNDED = settings(max_examples=300, deadline=datetime.timedelta(seconds=2))
#: pieces of markdown syntax, links, HTML and character references, so that the examples hit them
PIECES = ['*', '**', '_', '`', '```', '[', ']', '(', ')', '](', '<', '>', '!', '#', '- ', '1. ', '> ', '\\', '\n',
          ' ', '"', "'", '=', '&', ';', '&amp;', '&#106;', '&lt;', 'javascript:', 'tel:', 'data:', 'http://x.test/',
          'mailto:a@b.test', '<b>', '<img src=x onerror=alert(1)>', ' onclick=', 'a', 'Ann',
          '[x](javascript:alert(1))', '<javascript:alert(1)>', '[t](tel:1234)', '[d](data:text/html,x)',
          '[h](https://x.test/"a")', '<https://x.test/>']
markdownish = st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=30).map(''.join)


class Shown(HTMLParser):
    """The tags (with their attributes) and the text of a piece of HTML."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.texts: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    @property
    def text(self) -> str:
        return ''.join(self.texts)


def test_the_markdown_the_bot_writes():
    assert render_markdown('**bold** *it* _it2_ `co*de*` \\*no\\* a_b_c') == \
        '<p><strong>bold</strong> <em>it</em> <em>it2</em> <code>co*de*</code> *no* a_b_c</p>\n'
    assert render_markdown('**Calls** (2)\n1. one\n2. two\n- a\n- b\n\nend  \nnext') == \
        '<p><strong>Calls</strong> (2)</p>\n<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n<ul>\n<li>a</li>\n' \
        '<li>b</li>\n</ul>\n<p>end<br>\nnext</p>\n'
    assert render_markdown('head\n```\n<b>x</b> **y**\n```') == \
        '<p>head</p>\n<pre><code>&lt;b&gt;x&lt;/b&gt; **y**\n</code></pre>\n'
    assert render_markdown('') == render_markdown(None) == ''


def test_every_newline_is_a_line_break_as_in_webex():
    assert render_markdown('one\ntwo\r\nthree') == '<p>one<br>\ntwo<br>\nthree</p>\n'


def test_links_open_in_a_new_tab_and_only_to_http_https_and_mailto():
    assert render_markdown('see [the link](https://x.test/a?b=1&c=2)') == \
        f'<p>see <a href="https://x.test/a?b=1&amp;c=2" {LINK}>the link</a></p>\n'
    assert render_markdown('[m](mailto:a@b.test) <HTTP://X.TEST/>') == \
        f'<p><a href="mailto:a@b.test" {LINK}>m</a> <a href="HTTP://X.TEST/" {LINK}>HTTP://X.TEST/</a></p>\n'
    for refused in ('[x](javascript:alert(1))', '[y](data:text/html,z)', '[t](tel:1234)', '[r](/relative)',
                    '[v](vbscript:msgbox)', '[e](&#106;avascript:alert(1))', '<javascript:alert(1)>'):
        assert '<a' not in render_markdown(refused), refused
    assert render_markdown('[x](javascript:alert(1))') == '<p>[x](javascript:alert(1))</p>\n'


def test_html_in_the_text_shows_as_text():
    assert render_markdown('<img src=x onerror=alert(1)> <script>alert(1)</script>') == \
        '<p>&lt;img src=x onerror=alert(1)&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>\n'
    assert render_markdown('User a@b\\.com \\<script\\> \\& "q"') == \
        '<p>User a@b.com &lt;script&gt; &amp; &quot;q&quot;</p>\n'
    assert render_markdown('[<b>](https://x.test/"onclick=")') == \
        f'<p><a href="https://x.test/%22onclick=%22" {LINK}>&lt;b&gt;</a></p>\n'
    assert render_markdown('![a picture](https://x.test/p.png)') == \
        f'<p>!<a href="https://x.test/p.png" {LINK}>a picture</a></p>\n', 'no image is loaded'


def test_plain_text_shows_literally():
    assert render_plain('<i>a</i>\n*b*') == '<p>&lt;i&gt;a&lt;/i&gt;<br>*b*</p>'
    assert render_plain('\n') == render_plain('') == ''


@BOUNDED
@given(text=markdownish)
def test_any_text_gives_only_the_markup_of_markdown(text: str):
    for tag, attrs in Shown(render_markdown(text)).tags:
        assert tag in MARKUP and set(attrs) <= MARKUP[tag], (tag, attrs)
        if tag == 'a':
            assert attrs['href'].lower().startswith(LINK_SCHEMES) and attrs['target'] == '_blank', attrs


@BOUNDED
@given(outside=markdownish)
def test_outside_text_escaped_by_the_bot_shows_literally(outside: str):
    shown = Shown(render_markdown(f'Call from {escape(outside)}'))
    assert [tag for tag, _ in shown.tags] == ['p']
    assert shown.text.strip() == f'Call from {" ".join(outside.split())}'.replace('\0', '\ufffd').strip()
