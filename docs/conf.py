"""
Sphinx configuration. Build: ``make docs``, or ``sphinx-build -W --keep-going -b html docs docs/_build/html``.

The diagrams are Graphviz (``sphinx.ext.graphviz``): the build needs the ``dot`` program (Debian: ``graphviz``).
The command tables, example replies and cards come from the bot's code through ``_ext/botdocs.py``.
"""
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))
sys.path.insert(0, str(DOCS / '_ext'))

project = 'wxc_cc_bot'
author = 'wxc_cc_bot developers'
copyright = 'wxc_cc_bot developers'

extensions = [
    'sphinx.ext.autodoc',
    'sphinx.ext.graphviz',
    'botdocs',
]

exclude_patterns = ['_build']
# the bot's texts are shown exactly as it sends them: no typographic quotes
smartquotes = False

# --- autodoc: every module is listed explicitly in api/*.rst; botdocs warns when one is missing
autodoc_member_order = 'bysource'
# pydantic's model_config is the same boilerplate on every model: the fields and validators say what matters
autodoc_default_options = {'members': True, 'show-inheritance': True, 'exclude-members': 'model_config'}
# the bot's settings are read at start, not at import: importing the modules needs no environment

# --- diagrams
graphviz_output_format = 'svg'
graphviz_dot_args = ['-Gfontname=sans-serif', '-Nfontname=sans-serif', '-Efontname=sans-serif', '-Gfontsize=11',
                     '-Nfontsize=11', '-Efontsize=10']

# --- HTML
html_theme = 'furo'
html_title = 'wxc_cc_bot'
html_static_path = ['_static']
html_css_files = ['botdocs.css']
html_show_sourcelink = False
