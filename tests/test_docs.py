"""
The documentation (``docs/``, Sphinx): it builds with warnings as errors, and it covers every command, every
environment variable, every key of the access policy, every locale and every module.

The build needs Sphinx and the theme (``requirements-docs.txt``) and Graphviz's ``dot`` for the diagrams
(Debian: ``apt-get install graphviz``). Without them the tests fail and say what to install.
"""
import html
import importlib
import json
import pkgutil
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wxc_cc import policy
from wxc_cc.commands import build_registry
from wxc_cc.config import OPTIONAL, REQUIRED
from wxc_cc.locales import LOCALES, catalogue_for

pytestmark = pytest.mark.docs

ENGLISH = catalogue_for('en_US')

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / 'docs'
#: modules the API reference documents: the top-level ones and every module of these packages
TOP_LEVEL = ('wxc_cc_bot', 'user_context', 'ngrokhelper')
PACKAGES = ('wxc_cc', 'sandbox', 'fakewebex')


@pytest.fixture(scope='module')
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML documentation, built once for this module with ``-W`` (any warning fails)."""
    if shutil.which('dot') is None:
        pytest.fail("Graphviz's dot is missing: the diagrams need it (make docs installs it, or apt-get install -y "
                    'graphviz)')
    try:
        import furo  # noqa: F401
        import sphinx  # noqa: F401
    except ImportError as error:
        pytest.fail(f'{error.name} is missing: pip install -r requirements-docs.txt')
    out = tmp_path_factory.mktemp('docs')
    result = subprocess.run([sys.executable, '-m', 'sphinx', '-W', '--keep-going', '-q', '-b', 'html',
                             '-d', str(out / 'doctrees'), str(DOCS), str(out / 'html')],
                            cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, f'the documentation does not build cleanly:\n{result.stderr}'
    assert 'WARNING' not in result.stderr and 'ERROR' not in result.stderr, result.stderr
    return out / 'html'


def page_text(built: Path, page: str) -> str:
    """A built page as plain text: inline tags dropped, block tags as spaces, entities decoded, one space."""
    raw = (built / page).read_text(encoding='utf-8')
    raw = re.sub(r'<(script|style)\b.*?</\1>', ' ', raw, flags=re.DOTALL)
    raw = re.sub(r'</?(span|code|em|strong|a|kbd|wbr)\b[^>]*>', '', raw)
    text = html.unescape(re.sub(r'<[^>]+>', ' ', raw))
    return ' '.join(text.split())


def test_the_docs_build_without_warnings(built):
    pages = {path.relative_to(built).as_posix() for path in built.rglob('*.html')}
    assert {'index.html', 'getting-started.html', 'usage.html', 'configuration.html', 'architecture.html',
            'operations.html', 'api/index.html'} <= pages
    assert len(list((built / '_images').glob('graphviz-*.svg'))) >= 5, 'the diagrams are rendered'
    assert (built / '_static' / 'sandbox.png').exists()


def test_every_command_is_documented(built):
    text = page_text(built, 'usage.html')
    for command in build_registry():
        assert command.usage in text, f'{command.usage} is not in usage.html'
        assert command.help(ENGLISH) in text, f'the /help sentence of {command.name} is not in usage.html'
        assert re.search(rf'You {re.escape(command.name)}\b', text), f'{command.name} has no example exchange'


def test_every_environment_variable_is_documented(built):
    text = page_text(built, 'configuration.html')
    for variable in (*REQUIRED, *OPTIONAL):
        assert re.search(rf'(?<![A-Z_]){variable}(?![A-Z_])', text), f'{variable} is not in configuration.html'


def policy_keys() -> set[str]:
    """The keys of the example in :mod:`wxc_cc.policy`'s docstring, dotted: ``senders.anyone``, ``admins`` …"""
    example = policy.__doc__.split('::', 1)[1].split('\n\n*', 1)[0]
    keys = set()
    for name, value in json.loads(textwrap.dedent(example)).items():
        keys |= {f'{name}.{sub}' for sub in value} if isinstance(value, dict) else {name}
    return keys


def test_every_policy_key_and_locale_is_documented(built):
    text = page_text(built, 'configuration.html')
    assert len(policy_keys()) >= 10
    for key in policy_keys():
        assert key in text, f'policy key {key} is not in configuration.html'
    for locale in LOCALES:
        assert locale in text, f'locale {locale} is not in configuration.html'


def test_every_module_is_in_the_api_reference(built):
    modules = list(TOP_LEVEL)
    for package in PACKAGES:
        modules.append(package)
        modules += [info.name for info in pkgutil.walk_packages(importlib.import_module(package).__path__,
                                                                f'{package}.')]
    index = page_text(built, 'py-modindex.html').split()
    missing = [module for module in modules if module not in index]
    assert not missing, f'not in the API reference: {missing}'


def test_the_env_sample_is_shown(built):
    sample = (ROOT / '.env (sample)').read_text(encoding='utf-8')
    text = page_text(built, 'getting-started.html')
    for line in sample.splitlines():
        if line.strip():
            assert ' '.join(line.split()) in text, f'{line!r} of ".env (sample)" is not shown'
