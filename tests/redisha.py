"""
Redis as production runs it, on 127.0.0.1: :class:`SentinelSetup` is a master, a replica and three Sentinels (real
redis-server processes, Sentinels with small timeouts so that a failover takes about two seconds), optionally with
passwords and TLS; :func:`private_ca` makes the certificates for TLS.
"""
import datetime
import ipaddress
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from fakewebex.servers import fixed_port

MASTER_NAME = 'mymaster'
#: Sentinel's down-after-milliseconds and failover-timeout of these tests
DOWN_AFTER_MS, FAILOVER_TIMEOUT_MS = 500, 2000


@dataclass(frozen=True)
class TLSFiles:
    """A private CA and a certificate it signed for 127.0.0.1 and localhost, with its key."""
    ca: Path
    cert: Path
    key: Path


def private_ca(directory: Path) -> TLSFiles:
    """A CA and a server certificate for ``127.0.0.1``/``localhost``, as PEM files in ``directory``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def certificate(subject: str, key, issuer: str, issuer_key, *extensions) -> x509.Certificate:
        now = datetime.datetime.now(datetime.timezone.utc)
        builder = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
                   .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=1)))
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = certificate('test CA', ca_key, 'test CA', ca_key, (x509.BasicConstraints(ca=True, path_length=None), True),
                     (x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                    data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                    encipher_only=False, decipher_only=False), True))
    server = certificate('localhost', server_key, 'test CA', ca_key,
                         (x509.SubjectAlternativeName([x509.DNSName('localhost'),
                                                       x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), False))
    files = TLSFiles(directory / 'ca.pem', directory / 'redis.crt', directory / 'redis.key')
    files.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files.cert.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
    return files


@dataclass
class SentinelSetup:
    """
    A master, a replica and three Sentinels watching them as :data:`MASTER_NAME`.

    :param directory: where the servers keep their files (and the Sentinels their configuration, which they rewrite)
    :param password: the master's and replica's password (``requirepass``, ``masterauth``)
    :param sentinel_password: the Sentinels' own password
    :param tls: TLS only, with these files, for every server and Sentinel
    """
    directory: Path
    password: Optional[str] = None
    sentinel_password: Optional[str] = None
    tls: Optional[TLSFiles] = None
    processes: dict[int, subprocess.Popen] = field(default_factory=dict)
    sentinel_ports: list[int] = field(default_factory=list)
    server_ports: list[int] = field(default_factory=list)
    killed: set[int] = field(default_factory=set)

    # --- what the bot is given

    def env(self) -> dict[str, str]:
        """The bot's Redis variables for this setup."""
        env = {'REDIS_SENTINELS': ','.join(f'127.0.0.1:{port}' for port in self.sentinel_ports),
               'REDIS_SENTINEL_MASTER': MASTER_NAME}
        if self.password or self.tls:
            scheme, query = ('rediss', f'?ssl_cert_reqs=required&ssl_ca_certs={self.tls.ca}') if self.tls else \
                ('redis', '')
            env['REDIS_URL'] = f'{scheme}://:{self.password or ""}@{MASTER_NAME}/0{query}'
        if self.sentinel_password:
            env['REDIS_SENTINEL_PASSWORD'] = self.sentinel_password
        return env

    # --- clients of the test

    def _client(self, port: int, password: Optional[str]) -> redis.Redis:
        tls = dict(ssl=True, ssl_ca_certs=str(self.tls.ca)) if self.tls else {}
        return redis.Redis(host='127.0.0.1', port=port, password=password, decode_responses=True, socket_timeout=2,
                           socket_connect_timeout=2, retry=Retry(NoBackoff(), 0), **tls)

    def server(self, port: int) -> redis.Redis:
        """A client of one of the Redis servers."""
        return self._client(port, self.password)

    def sentinel(self, port: int) -> redis.Redis:
        """A client of one of the Sentinels."""
        return self._client(port, self.sentinel_password)

    def master_port(self) -> int:
        """The master's port, as the first Sentinel that answers says."""
        for port in self.sentinel_ports:
            try:
                return int(self.sentinel(port).sentinel_get_master_addr_by_name(MASTER_NAME)[1])
            except redis.ConnectionError:
                continue
        raise RuntimeError('no Sentinel answers')

    # --- processes

    def _tls_args(self) -> list[str]:
        if not self.tls:
            return []
        return ['--tls-cert-file', str(self.tls.cert), '--tls-key-file', str(self.tls.key), '--tls-ca-cert-file',
                str(self.tls.ca), '--tls-auth-clients', 'no', '--tls-replication', 'yes']

    def _listen(self, port: int) -> list[str]:
        return ['--port', '0', '--tls-port', str(port)] if self.tls else ['--port', str(port)]

    def _start_server(self, port: int, *extra: str) -> None:
        auth = ['--requirepass', self.password, '--masterauth', self.password] if self.password else []
        folder = self.directory / f'redis-{port}'
        folder.mkdir()
        self.processes[port] = subprocess.Popen(
            ['redis-server', *self._listen(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
             '--repl-diskless-sync-delay', '0', '--dir', str(folder), *auth, *self._tls_args(), *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def _start_sentinel(self, port: int, master_port: int) -> None:
        lines = [f'sentinel monitor {MASTER_NAME} 127.0.0.1 {master_port} 2',
                 f'sentinel down-after-milliseconds {MASTER_NAME} {DOWN_AFTER_MS}',
                 f'sentinel failover-timeout {MASTER_NAME} {FAILOVER_TIMEOUT_MS}']
        if self.password:
            lines.append(f'sentinel auth-pass {MASTER_NAME} {self.password}')
        if self.sentinel_password:
            lines += [f'requirepass {self.sentinel_password}', f'sentinel sentinel-pass {self.sentinel_password}']
        config = self.directory / f'sentinel-{port}.conf'
        config.write_text('\n'.join(lines) + '\n')
        self.processes[port] = subprocess.Popen(
            ['redis-server', str(config), '--sentinel', *self._listen(port), '--bind', '127.0.0.1', '--dir',
             str(self.directory), *self._tls_args()], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def wait_for(self, what: str, condition, timeout: float = 20.0) -> None:
        """Wait until ``condition()`` holds (Redis errors count as not yet); fail if a process died meanwhile."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if condition():
                    return
            except redis.RedisError:
                pass
            dead = [port for port, process in self.processes.items()
                    if process.poll() is not None and port not in self.killed]
            if dead or time.monotonic() > deadline:
                raise RuntimeError(f'{what}: not within {timeout} s (exited: {dead})')
            time.sleep(0.05)

    def start(self) -> 'SentinelSetup':
        """Start everything; return once every Sentinel sees the master, the replica and the other Sentinels."""
        master_port, replica_port = self.server_ports = [fixed_port(), fixed_port()]
        self._start_server(master_port)
        self._start_server(replica_port, '--replicaof', '127.0.0.1', str(master_port))
        replica = self.server(replica_port)
        self.wait_for('replication', lambda: replica.info('replication')['master_link_status'] == 'up')
        self.sentinel_ports = [fixed_port() for _ in range(3)]
        for port in self.sentinel_ports:
            self._start_sentinel(port, master_port)

        def all_see_all() -> bool:
            states = [self.sentinel(port).sentinel_master(MASTER_NAME) for port in self.sentinel_ports]
            return all(state['num-slaves'] == 1 and state['num-other-sentinels'] == 2 for state in states)

        self.wait_for('Sentinels', all_see_all)
        return self

    def kill(self, port: int) -> None:
        """SIGKILL a server."""
        self.killed.add(port)
        self.processes[port].kill()
        self.processes[port].wait(timeout=10)

    def kill_master(self) -> int:
        """SIGKILL the master; its port."""
        port = self.master_port()
        self.kill(port)
        return port

    def wait_new_master(self, old_port: int, timeout: float = 20.0) -> int:
        """Wait until the Sentinels name a master other than ``old_port`` that takes writes; its port."""
        self.wait_for('failover', lambda: self.master_port() != old_port
                   and self.server(self.master_port()).info('replication')['role'] == 'master', timeout)
        return self.master_port()

    def stop(self) -> None:
        """Stop every process still running."""
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
