"""
Helpers of tests/test_deploy.py: the deployment files read as Docker, Compose and Heroku read them, and run as far as
this machine allows without a Docker engine or the internet.

- :func:`compose` and :func:`compose_schema`: docker-compose.yml and the vendored Compose Specification schema
  (``compose-spec.json`` beside this file; README.md says where it comes from).
- :class:`Dockerfile`: the parsed Dockerfile (``dockerfile-parse``) and :meth:`Dockerfile.stage`, which lays out the
  image's files in a directory standing for ``/``: the build context as ``.dockerignore`` leaves it (``docker``'s
  own matcher), the files each ``COPY`` takes from it, the ``WORKDIR`` directories, and the ``ENV`` with image paths
  mapped into that directory. The ``RUN`` steps are not run: ``pip install`` is this virtualenv.
- :class:`Served`: a command (the image's ``CMD``, the Procfile's web line) in a child process, ready when
  ``/ready`` answers 200.
- :class:`TLSRedis`: a redis-server speaking TLS only, with a self-signed certificate, as Heroku Redis does.
"""
import datetime
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import yaml

from fakewebex.harness import wait_bot_ready
from fakewebex.servers import on_fixed_port, stop, wait_ready

REPO = Path(__file__).resolve().parent.parent.parent
HERE = Path(__file__).resolve().parent
#: the directory of this Python's console scripts (gunicorn, hadolint): the image's /usr/local/bin
BIN = str(Path(sys.executable).parent)


def compose() -> dict:
    """docker-compose.yml as YAML."""
    return yaml.safe_load((REPO / 'docker-compose.yml').read_text())


def compose_schema() -> dict:
    """The Compose Specification JSON schema (draft-07) Docker Compose v2 validates with."""
    return json.loads((HERE / 'compose-spec.json').read_text())


def environment_of(service: dict) -> dict[str, Optional[str]]:
    """A service's ``environment``, list or mapping form, as a mapping."""
    environment = service.get('environment') or {}
    if isinstance(environment, list):
        return dict((item.split('=', 1) + [None])[:2] for item in environment)
    return {key: None if value is None else str(value) for key, value in environment.items()}


def env_files_of(service: dict) -> list[str]:
    """A service's ``env_file`` paths (string, list of strings or list of ``{path: ...}``)."""
    files = service.get('env_file') or []
    files = [files] if isinstance(files, str) else files
    return [item if isinstance(item, str) else item['path'] for item in files]


def dockerignore_patterns() -> list[str]:
    """The patterns of .dockerignore."""
    return [line.strip() for line in (REPO / '.dockerignore').read_text().splitlines()
            if line.strip() and not line.lstrip().startswith('#')]


def build_context(root: Path = REPO) -> set[str]:
    """
    What ``docker build`` sends from ``root``: every path (files and directories, relative, ``/``-separated) that
    .dockerignore does not exclude, as Docker's own matcher (the ``docker`` package) decides.
    """
    from docker.utils.build import exclude_paths
    return set(exclude_paths(str(root), dockerignore_patterns()))


def _words(value: str) -> list[str]:
    """The arguments of an instruction, JSON or shell form."""
    value = value.strip()
    return json.loads(value) if value.startswith('[') else shlex.split(value)


def _flags(words: list[str]) -> tuple[dict[str, str], list[str]]:
    flags = {}
    while words and words[0].startswith('--'):
        name, _, value = words.pop(0)[2:].partition('=')
        flags[name] = value
    return flags, words


@dataclass
class Healthcheck:
    options: dict[str, str]
    #: exec form: the argument list; shell form: ``['/bin/sh', '-c', command]``
    command: list[str]
    exec_form: bool


@dataclass
class Image:
    """The image's files laid out below :attr:`root` (standing for ``/``), and how a container of it starts."""
    root: Path
    #: ENV of the image, image paths mapped below root
    env: dict[str, str]
    #: the final WORKDIR, below root
    workdir: Path
    cmd: list[str]
    healthcheck: Healthcheck

    def path(self, image_path: str) -> Path:
        """Where an absolute image path lies here."""
        return self.root / image_path.lstrip('/')

    def container_env(self, **runtime: str) -> dict[str, str]:
        """
        The environment of a container of this image: its ENV, PATH with this virtualenv's scripts first (the
        image's /usr/local/bin), HOME of the user, and what ``docker run -e``/``--env-file`` adds.
        """
        home = self.path('/home/bot')
        home.mkdir(parents=True, exist_ok=True)
        return {**self.env, 'PATH': f'{BIN}{os.pathsep}{os.environ["PATH"]}', 'HOME': str(home), **runtime}


class Dockerfile:
    """The Dockerfile, parsed."""

    def __init__(self, path: Path = REPO / 'Dockerfile'):
        from dockerfile_parse import DockerfileParser
        self.path = path
        self.parser = DockerfileParser(path=str(path), env_replace=True)

    @property
    def instructions(self) -> list[tuple[str, str]]:
        """(INSTRUCTION, value) in order, comments left out."""
        return [(item['instruction'], item['value']) for item in self.parser.structure
                if item['instruction'] != 'COMMENT']

    def values(self, instruction: str) -> list[str]:
        return [value for name, value in self.instructions if name == instruction]

    @property
    def env(self) -> dict[str, str]:
        return dict(self.parser.envs)

    @property
    def copies(self) -> list[tuple[dict[str, str], list[str], str]]:
        """(flags, sources, destination) of each COPY."""
        result = []
        for value in self.values('COPY'):
            flags, words = _flags(_words(value))
            result.append((flags, words[:-1], words[-1]))
        return result

    @property
    def cmd(self) -> list[str]:
        [value] = self.values('CMD')
        words = value.strip()
        return json.loads(words) if words.startswith('[') else ['/bin/sh', '-c', words]

    @property
    def healthcheck(self) -> Healthcheck:
        [value] = self.values('HEALTHCHECK')
        match = re.fullmatch(r'(?s)\s*(?P<options>.*?)\s*\bCMD\s+(?P<command>.*?)\s*', value)
        options, rest = _flags(shlex.split(match['options']))
        assert not rest, f'unexpected HEALTHCHECK words {rest}'
        command = match['command']
        exec_form = command.startswith('[')
        return Healthcheck(options, json.loads(command) if exec_form else ['/bin/sh', '-c', command], exec_form)

    def stage(self, root: Path, context: Path = REPO) -> Image:
        """
        Lay out the image below ``root``: WORKDIR directories and the files each COPY takes from the build context
        (after .dockerignore; a missing source fails as ``docker build`` does).
        """
        included = build_context(context)
        workdir = '/'
        for name, value in self.instructions:
            if name == 'WORKDIR':
                workdir = os.path.normpath(os.path.join(workdir, value))
                (root / workdir.lstrip('/')).mkdir(parents=True, exist_ok=True)
            elif name == 'ADD':
                raise AssertionError('ADD is not emulated (and not wanted: COPY says what it does)')
            elif name == 'COPY':
                flags, words = _flags(_words(value))
                sources, destination = words[:-1], words[-1]
                assert 'from' not in flags, 'multi-stage COPY is not emulated'
                target = root / os.path.normpath(os.path.join(workdir, destination)).lstrip('/')
                into_directory = destination.endswith('/') or len(sources) > 1
                for source in sources:
                    relative = os.path.normpath(source)
                    assert relative in included, f'COPY {source}: not in the build context (missing or .dockerignored)'
                    if (context / relative).is_dir():
                        for path in sorted(included):
                            if path.startswith(relative + '/') and (context / path).is_file():
                                _copy(context / path, target / path[len(relative) + 1:])
                    else:
                        _copy(context / relative, target / Path(relative).name if into_directory else target)
        env = {key: _map_paths(value, root) for key, value in self.env.items()}
        return Image(root=root, env=env, workdir=root / workdir.lstrip('/'), cmd=self.cmd,
                     healthcheck=self.healthcheck)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def _map_paths(value: str, root: Path) -> str:
    """``/app`` -> ``{root}/app`` for absolute paths that exist below root (PYTHONPATH and the like)."""
    parts = []
    for part in value.split(os.pathsep):
        mapped = root / part.lstrip('/')
        parts.append(str(mapped) if part.startswith('/') and part != '/' and mapped.exists() else part)
    return os.pathsep.join(parts)


def procfile() -> dict[str, str]:
    """Process types of the Procfile: name -> command."""
    processes = {}
    for line in (REPO / 'Procfile').read_text().splitlines():
        if line.strip() and not line.startswith('#'):
            name, _, command = line.partition(':')
            processes[name.strip()] = command.strip()
    return processes


def slug(target: Path) -> Path:
    """
    What ``git push heroku`` deploys: the files git tracks (as they are in the work tree), copied to ``target``;
    outside a git checkout, the work tree less what .gitignore names.
    """
    try:
        listed = subprocess.run(['git', 'ls-files', '-z'], cwd=REPO, capture_output=True, check=True).stdout
        names = [name for name in listed.decode().split('\0') if name]
    except (OSError, subprocess.CalledProcessError):
        ignored = {'.git', '.venv', '__pycache__', '.pytest_cache', '.hypothesis', '.ruff_cache', '.env',
                   'wxc_cc_bot.yml', 'wxc_cc_bot.yml.lock'}
        names = [str(path.relative_to(REPO)) for path in REPO.rglob('*')
                 if path.is_file() and not ignored & set(path.relative_to(REPO).parts)]
    for name in names:
        if (REPO / name).is_file():
            _copy(REPO / name, target / name)
    return target


@dataclass
class Served:
    """A server command in a child process (own process group), its output in ``log_path``."""
    command: list[str]
    env: dict[str, str]
    cwd: Path
    #: where it answers, e.g. http://127.0.0.1:PORT
    url: str
    log_path: Path
    process: Optional[subprocess.Popen] = field(default=None, repr=False)

    def start(self, timeout: float = 30.0) -> 'Served':
        """Start; return once GET /ready answers 200."""
        with open(self.log_path, 'ab') as log:
            self.process = subprocess.Popen(self.command, env=self.env, cwd=self.cwd, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_bot_ready(self.url, self.process, timeout, self.log)
        except RuntimeError:
            self.stop()
            raise
        return self

    def stop(self) -> Optional[int]:
        """SIGTERM (as ``docker stop`` and Heroku do), wait; the exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        return self.process.returncode

    def log(self) -> str:
        return self.log_path.read_text(errors='replace') if self.log_path.exists() else ''


def self_signed_certificate(directory: Path, common_name: str = 'heroku-redis.invalid') -> tuple[Path, Path]:
    """A self-signed certificate (for a name that is not 127.0.0.1) and its key: (cert file, key file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    cert_file, key_file = directory / 'redis.crt', directory / 'redis.key'
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@dataclass
class TLSRedis:
    """
    redis-server on 127.0.0.1 that speaks TLS only, with a self-signed certificate and a password, like Heroku
    Redis behind ``REDIS_TLS_URL``.
    """
    port: int
    password: str
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f'rediss://:{self.password}@127.0.0.1:{self.port}'

    def client(self):
        import redis
        return redis.Redis(host='127.0.0.1', port=self.port, password=self.password, ssl=True, ssl_cert_reqs=None,
                           decode_responses=True, socket_timeout=5)

    @classmethod
    def start(cls, directory: Path, password: str = 'heroku-redis-password') -> 'TLSRedis':
        """A started server (on a port chosen as :func:`tests.servers.fixed_port` says), its files in ``directory``."""
        cert_file, key_file = self_signed_certificate(directory)

        def start(port: int) -> 'TLSRedis':
            process = subprocess.Popen(
                ['redis-server', '--port', '0', '--tls-port', str(port), '--bind', '127.0.0.1',
                 '--tls-cert-file', str(cert_file), '--tls-key-file', str(key_file), '--tls-auth-clients', 'no',
                 '--requirepass', password, '--save', '', '--appendonly', 'no', '--dir', str(directory)],
                stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
            server = cls(port, password, process)
            wait_ready(process, server.ping, f'TLS redis-server on port {port}')
            return server

        return on_fixed_port(start)

    def ping(self) -> bool:
        """Whether it answers."""
        import redis
        try:
            return self.client().ping()
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        stop(self.process)
