"""Sphinx configuration: the API reference is generated from the docstrings."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

project = 'wxc_cc_bot'
author = 'wxc_cc_bot developers'
extensions = ['sphinx.ext.autodoc', 'sphinx.ext.viewcode']
autodoc_member_order = 'bysource'
autodoc_default_options = {'members': True, 'show-inheritance': True}
html_theme = 'alabaster'
exclude_patterns = ['_build']
