"""
The project's own files agree with each other: pyproject.toml's dependencies and extras with the requirements files
(Heroku and the Dockerfile install requirements.txt), the package data with the files the packages hold, every test
module with a declared marker, nothing outside tests/ importing the tests, and the package's layers.
"""
import ast
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO

pytestmark = pytest.mark.unit

#: directories that are not the project's code
NOT_CODE = {'.git', '.venv', 'venv', 'build', 'dist', '__pycache__', 'node_modules', '_build'}


def pyproject() -> dict:
    return tomllib.loads((REPO / 'pyproject.toml').read_text(encoding='utf-8'))


def requirement_lines(name: str) -> tuple[list[str], list[str]]:
    """The requirements of a requirements file, and the files it includes with ``-r``."""
    requirements, included = [], []
    for line in (REPO / name).read_text(encoding='utf-8').splitlines():
        line = line.split('#', 1)[0].strip()
        if line.startswith(('-r ', '--requirement ')):
            included.append(line.split(None, 1)[1])
        elif line:
            assert not line.startswith('-'), f'{name}: pip options have no place in pyproject.toml: {line}'
            requirements.append(line)
    return requirements, included


def by_name(lines: list[str]) -> dict[str, tuple]:
    """Requirements by canonical name: (version specifiers, extras, marker); a name given twice is an error."""
    parsed: dict[str, tuple] = {}
    for line in lines:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name not in parsed, f'{requirement.name} is required twice'
        parsed[name] = (requirement.specifier, frozenset(requirement.extras), str(requirement.marker or ''))
    return parsed


def test_the_dependencies_are_those_of_requirements_txt():
    requirements, included = requirement_lines('requirements.txt')
    assert included == []
    assert by_name(pyproject()['project']['dependencies']) == by_name(requirements)


@pytest.mark.parametrize('extra, file', [('dev', 'requirements-dev.txt'), ('docs', 'requirements-docs.txt')])
def test_the_extras_are_those_of_the_requirements_files(extra: str, file: str):
    requirements, _ = requirement_lines(file)
    assert by_name(pyproject()['project']['optional-dependencies'][extra]) == by_name(requirements)


def test_the_test_requirements_include_the_runtime_and_the_docs():
    assert requirement_lines('requirements-dev.txt')[1] == ['requirements.txt', 'requirements-docs.txt']
    assert requirement_lines('requirements-docs.txt')[1] == []


def test_a_disagreement_is_found():
    """The comparison sees a changed version range, a missing requirement and a renamed one."""
    requirements, _ = requirement_lines('requirements.txt')
    assert by_name(['Flask>=3.0,<4']) == by_name(['flask<4,>=3.0'])
    assert by_name(['flask>=3.0,<5']) != by_name(['flask>=3.0,<4'])
    assert by_name(requirements[1:]) != by_name(requirements)
    assert by_name(['flask-x>=3.0,<4']) != by_name(['flask>=3.0,<4'])


def test_the_console_script_is_main_of_wxc_cc_bot():
    import wxc_cc_bot
    assert pyproject()['project']['scripts'] == {'wxc-cc-bot': 'wxc_cc_bot:main'}
    assert callable(wxc_cc_bot.main)


def test_every_data_file_of_the_packages_is_package_data():
    """A file the packages hold besides their code (catalogues, OpenAPI documents, the sandbox's page) is installed."""
    setuptools = pyproject()['tool']['setuptools']
    assert setuptools['py-modules'] == ['wxc_cc_bot', 'user_context', 'ngrokhelper']
    patterns = setuptools['package-data']
    for top in ('wxc_cc', 'fakewebex', 'sandbox'):
        assert {top, f'{top}.*'} <= set(setuptools['packages']['find']['include'])
        for path in (REPO / top).rglob('*'):
            # compiled files are not the project's (the bot compiles its .po catalogues when it loads them)
            if not path.is_file() or path.suffix in ('.py', '.pyc', '.mo') or path.name.startswith('.') \
                    or '__pycache__' in path.parts:
                continue
            relative = path.relative_to(REPO)
            # the package a data file belongs to: the nearest directory with an __init__.py
            package = next(parent for parent in relative.parents if (REPO / parent / '__init__.py').is_file())
            inside = relative.relative_to(package).as_posix()
            globs = patterns.get('.'.join(package.parts), [])
            assert any(fnmatch.fnmatch(inside, glob) for glob in globs), f'{relative} is not package data'


def project_modules() -> list[Path]:
    """Every Python file of the project outside tests/."""
    return [path for path in REPO.rglob('*.py')
            if not NOT_CODE.intersection(path.relative_to(REPO).parts) and path.relative_to(REPO).parts[0] != 'tests'
            and not any(part.startswith('.') for part in path.relative_to(REPO).parts[:-1])]


def imports_of_tests(source: str) -> list[int]:
    """The lines of ``source`` that import the package ``tests`` (or a module of it)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ''] if node.level == 0 else []
        elif isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)) and \
                getattr(node.func, 'id', getattr(node.func, 'attr', None)) in ('import_module', '__import__'):
            names = [arg.value for arg in node.args[:1] if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
        else:
            continue
        if any(re.fullmatch(r'tests(\..*)?', name) for name in names):
            lines.append(node.lineno)
    return lines


def test_nothing_outside_the_tests_imports_them():
    """The emulator, the sandbox and the benchmark stand on their own: the tests import them, never the reverse."""
    modules = project_modules()
    assert {'wxc_cc_bot.py', 'bench/run.py', 'fakewebex/harness.py', 'sandbox/app.py', 'docs/conf.py'} <= {
        path.relative_to(REPO).as_posix() for path in modules}
    found = {path.relative_to(REPO).as_posix(): lines for path in modules
             if (lines := imports_of_tests(path.read_text(encoding='utf-8')))}
    assert found == {}, f'imports of tests outside tests/ (file: lines): {found}'


def test_the_import_scan_sees_every_form():
    assert imports_of_tests('import tests\nimport tests.e2e as e\nfrom tests.e2e import bot_env\n'
                            'from tests import conftest\nimportlib.import_module("tests.botprocess")\n') == [
        1, 2, 3, 4, 5]
    assert imports_of_tests('import testsuite\nfrom .tests import x\nfrom fakewebex import harness\n') == []


def test_every_test_module_declares_one_marker():
    declared = {line.split(':', 1)[0] for line in pyproject()['tool']['pytest']['ini_options']['markers']}
    assert declared == {'unit', 'e2e', 'browser', 'docs', 'deploy'}
    unmarked = {}
    for path in sorted((REPO / 'tests').glob('test_*.py')):
        marks = re.findall(r'^pytestmark = pytest\.mark\.(\w+)$', path.read_text(encoding='utf-8'), re.MULTILINE)
        if len(marks) != 1 or marks[0] not in declared:
            unmarked[path.name] = marks
    assert unmarked == {}, 'each test module needs exactly one "pytestmark = pytest.mark.<marker>" line'


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` of the virtualenv, on the checkout at ``root`` with its pyproject.toml's contracts."""
    return subprocess.run([str(Path(sys.executable).with_name('lint-imports')), '--no-cache'], cwd=root,
                          env={**os.environ, 'PYTHONPATH': str(root)}, capture_output=True, text=True, timeout=120)


def test_each_layer_imports_only_the_layers_below_it():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'Contracts: 1 kept, 0 broken.' in result.stdout


def test_an_import_up_the_layers_is_found(tmp_path: Path):
    """The stores importing the task (a layer above them) breaks the contract."""
    shutil.copytree(REPO / 'wxc_cc', tmp_path / 'wxc_cc', ignore=shutil.ignore_patterns('__pycache__'))
    shutil.copy(REPO / 'pyproject.toml', tmp_path)
    with (tmp_path / 'wxc_cc' / 'stores' / 'queue.py').open('a') as queue:
        queue.write('\nfrom ..task import Task  # noqa\n')
    result = lint_imports(tmp_path)
    assert result.returncode == 1
    assert 'wxc_cc.stores is not allowed to import wxc_cc.task' in result.stdout
