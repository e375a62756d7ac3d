"""
The project as a package: ``pip install .`` into a fresh virtualenv (from a copy of the checkout, so that the
build's ``build/`` and ``*.egg-info`` stay out of it), then, from a directory outside the repository and without
``PYTHONPATH``: every module imports from the virtualenv, the installed package finds its reply catalogues, Webex's
OpenAPI documents and the sandbox's page, and the ``wxc-cc-bot`` script serves the bot against the emulator.

The dependencies come from the package index pip is configured with, so this takes about 15 s with pip's cache
warm (the first run on a machine downloads them).
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.conftest import PUBLIC_URL, REPO
from tests.e2e import SelfBound, bot_env, running_fake

pytestmark = pytest.mark.deploy

MODULES = ('wxc_cc_bot', 'user_context', 'ngrokhelper', 'wxc_cc', 'fakewebex', 'sandbox')


@pytest.fixture(scope='module')
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with ``pip install .`` done in it."""
    root = tmp_path_factory.mktemp('packaging')
    source = root / 'source'
    # without what other tests write into the checkout meanwhile (they run in parallel): Hypothesis's examples
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns('.git', '.venv', '__pycache__', '_build', 'build',
                                                                '*.egg-info', '.pytest_cache', '.hypothesis'))
    venv = root / 'venv'
    # the base interpreter, not this virtualenv: nothing installed here leaks into the new one
    subprocess.run([sys.executable, '-m', 'venv', venv], check=True, timeout=120, env=clean_env())
    install = subprocess.run([venv / 'bin' / 'python', '-m', 'pip', 'install', '--quiet', source],
                             capture_output=True, text=True, timeout=280, env=clean_env())
    assert install.returncode == 0, install.stdout + install.stderr
    return venv


def clean_env() -> dict[str, str]:
    """This process's environment without what would let the checkout or this virtualenv in."""
    return {name: value for name, value in os.environ.items()
            if name not in ('PYTHONPATH', 'VIRTUAL_ENV', 'PYTHONHOME', 'PYTHONSTARTUP')}


def run_python(venv: Path, code: str, cwd: Path) -> str:
    """``code`` in the virtualenv's Python, in ``cwd``; its standard output."""
    result = subprocess.run([venv / 'bin' / 'python', '-c', code], cwd=cwd, capture_output=True, text=True,
                            timeout=60, env=clean_env())
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_every_module_imports_from_the_virtualenv(venv: Path, tmp_path: Path):
    files = json.loads(run_python(venv, f'import importlib, json; print(json.dumps({{name: importlib.import_module('
                                        f'name).__file__ for name in {MODULES!r}}}))', tmp_path))
    site_packages = run_python(venv, 'import sysconfig; print(sysconfig.get_paths()["purelib"])', tmp_path).strip()
    assert set(files) == set(MODULES)
    assert all(Path(file).is_relative_to(site_packages) for file in files.values()), files


def test_the_installed_package_finds_its_files(venv: Path, tmp_path: Path):
    """The catalogues (wxc_cc.locales), the OpenAPI documents (fakewebex.contract), the page (sandbox.app)."""
    out = run_python(venv, '\n'.join([
        'import json',
        'from wxc_cc.locales import Catalogue, locales',
        'from fakewebex.contract import DOCUMENTS, contract',
        'from sandbox.app import STATIC',
        'german, english = Catalogue("de_DE"), Catalogue("en_US")',
        'checker = contract()',
        'print(json.dumps({',
        '    "locales": locales(), "de": len(german.texts), "en": len(english.texts),',
        '    "help": [german.t("help./answer"), english.t("help./answer")],',
        '    "documents": sorted(path.name for path in DOCUMENTS.glob("*.yml")),',
        '    "kept": checker.check_request("POST", "/telephony/calls/dial", {}, "application/json",',
        '                                  b\'{"destination": "1234"}\'),',
        '    "broken": checker.check_request("POST", "/telephony/calls/dial", {}, "application/json",',
        '                                    b\'{"destination": "1234", "video": true}\'),',
        '    "page": sorted(path.name for path in STATIC.iterdir())}))']), tmp_path)
    found = json.loads(out)
    assert found['locales'] == ['de_DE', 'en_US']
    assert found['de'] >= 100 and found['en'] >= found['de']
    assert found['help'][0] != found['help'][1], 'the German text, not the English fallback'
    assert found['documents'] == sorted(path.name for path in (REPO / 'fakewebex' / 'openapi').glob('*.yml'))
    assert found['kept'] == [] and found['broken'], 'the documents are read and checked against'
    assert found['page'] == sorted(path.name for path in (REPO / 'sandbox' / 'static').iterdir())


def test_the_console_script_serves_the_bot(venv: Path, tmp_path: Path):
    """``wxc-cc-bot`` does what ``python wxc_cc_bot.py`` does: the bot on ``$PORT``, here against the emulator."""
    script = venv / 'bin' / 'wxc-cc-bot'
    assert script.is_file() and os.access(script, os.X_OK)
    with running_fake() as fake:
        bot = fake.add_bot('ccbot@webex.bot', 'CC Bot')
        env = {'PATH': '/usr/bin:/bin', **bot_env(fake, bot, WXC_CC_BOT_URL=PUBLIC_URL)}
        process = SelfBound([str(script)], env, tmp_path)
        try:
            url = process.url()
            assert requests.get(f'{url}/health', timeout=5).json() == {'status': 'ok', 'store': 'yaml'}
            assert {hook['resource'] for hook in fake.webhooks(owner=bot)} == {
                'messages', 'attachmentActions', 'memberships'}
        finally:
            status = process.stop()
    assert status == 0 and 'stopped' in process.output, process.output
    assert 'Traceback' not in process.output


def test_without_settings_the_script_stops_with_one_line(venv: Path, tmp_path: Path):
    result = subprocess.run([venv / 'bin' / 'wxc-cc-bot'], cwd=tmp_path, env={'PATH': '/usr/bin:/bin'},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert result.stderr.startswith('wxc_cc_bot cannot start: missing required setting(s): WXC_CC_BOT_EMAIL')
