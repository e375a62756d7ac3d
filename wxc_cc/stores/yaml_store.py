"""
Token store in a local YAML file (default ``wxc_cc_bot.yml`` in the working directory).

Every change rewrites the file atomically (temporary file with mode 0600, then rename), under an exclusive
``flock`` on a lock file beside it so that processes on one host sharing the file do not lose each other's
changes. Reads are served from memory until the file changes on disk. Which notifications were already acted on
is kept in a SQLite database beside the file (:mod:`~wxc_cc.stores.sqlite_coordination`), shared by every
process on the host.
"""
import fcntl
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional, Union

import yaml

from ..errors import StoreUnavailable
from .base import TokenManager, UserContext
from .sqlite_coordination import SQLiteCoordination, database_beside

__all__ = ['YAMLTokenManager']

log = logging.getLogger(__name__)

_Loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
_Dumper = getattr(yaml, 'CSafeDumper', yaml.SafeDumper)


class YAMLTokenManager(TokenManager):
    """
    Token store backed by a YAML file.

    :param path: the file; created on first write
    :param kwargs: see :class:`~wxc_cc.stores.base.TokenManager`
    """
    kind = 'yaml'

    def __init__(self, path: Union[str, Path] = 'wxc_cc_bot.yml', **kwargs: Any):
        super().__init__(**kwargs)
        self.path = Path(path).absolute()
        self._lock_path = self.path.with_name(self.path.name + '.lock')
        self._named_lock_path = self.path.with_name(self.path.name + '.locks')
        self._thread_lock = threading.RLock()
        self._cache: dict = {}
        self._cache_key: Optional[tuple] = None
        #: claims shared by every process on the host (see :mod:`~wxc_cc.stores.sqlite_coordination`)
        self.coordination = SQLiteCoordination(database_beside(self.path))

    # --- file access

    def _read(self) -> dict:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {'users': {}, 'flows': {}}
        except OSError as error:
            raise StoreUnavailable(f'cannot stat {self.path}: {error}') from error
        key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if key != self._cache_key:
            try:
                data = yaml.load(self.path.read_text(encoding='utf-8'), Loader=_Loader) or {}
            except (OSError, yaml.YAMLError) as error:
                # never overwrite a file we could not read: that would lose every user's tokens
                raise StoreUnavailable(f'cannot read {self.path}: {type(error).__name__}') from error
            if not isinstance(data, dict):
                raise StoreUnavailable(f'{self.path} does not hold a mapping')
            data.setdefault('users', {})
            data.setdefault('flows', {})
            self._cache, self._cache_key = data, key
        return self._cache

    def _write(self, data: dict) -> None:
        text = yaml.dump(data, Dumper=_Dumper, sort_keys=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f'.{self.path.name}.', suffix='.tmp')
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, 'w', encoding='utf-8') as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._cache_key = None

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._thread_lock:
            fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)

    def _update(self, change: Callable[[dict], Any]) -> Any:
        """
        Read, change and write back the data, all under the lock.
        """
        with self._locked():
            data = self._read()
            data = {**data, 'users': dict(data['users']), 'flows': dict(data['flows'])}
            result = change(data)
            self._write(data)
            return result

    # --- users

    def get_user_context(self, user_id: str) -> Optional[UserContext]:
        return self._context(user_id, self._read()['users'].get(user_id))

    def set_user_context(self, user_context: UserContext) -> None:
        packed = self._pack(user_context)
        self._update(lambda data: data['users'].__setitem__(user_context.user_id, packed))

    def clear_user_context(self, user_id: str) -> bool:
        return self._update(lambda data: data['users'].pop(user_id, None) is not None)

    def user_contexts(self) -> list[UserContext]:
        contexts = (self._context(owner, stored) for owner, stored in list(self._read()['users'].items()))
        return [context for context in contexts if context is not None]

    # --- flows

    def _save_flow(self, flow_id: str, user_id: str, expires_at: float) -> None:
        def replace(data: dict) -> None:
            now = time.time()
            data['flows'] = {key: flow for key, flow in data['flows'].items()
                             if flow['expires_at'] >= now and flow['user_id'] != user_id}
            data['flows'][flow_id] = {'user_id': user_id, 'expires_at': expires_at}

        self._update(replace)

    def take_flow(self, flow_id: str) -> Optional[str]:
        if flow_id not in self._read()['flows']:
            return None
        flow = self._update(lambda data: data['flows'].pop(flow_id, None))
        if flow is None or flow['expires_at'] < time.time():
            return None
        return flow['user_id']

    def flow_maintenance(self) -> int:
        def expire(data: dict) -> int:
            now = time.time()
            expired = [flow_id for flow_id, flow in data['flows'].items() if flow['expires_at'] < now]
            for flow_id in expired:
                del data['flows'][flow_id]
            return len(expired)

        return self._update(expire)

    def pending_flows(self) -> int:
        now = time.time()
        return sum(1 for flow in self._read()['flows'].values() if flow['expires_at'] >= now)

    # --- notes: in the file, so that every process on this host sees them

    def set_note(self, key: str, value: str, ttl: float) -> None:
        def put(data: dict) -> None:
            now = time.time()
            notes = {k: note for k, note in data.get('notes', {}).items() if note['expires_at'] > now}
            notes[key] = {'value': value, 'expires_at': now + ttl}
            data['notes'] = notes

        self._update(put)

    def get_note(self, key: str) -> Optional[str]:
        note = self._read().get('notes', {}).get(key)
        return note['value'] if note and note['expires_at'] > time.time() else None

    def delete_note(self, key: str) -> None:
        if key in self._read().get('notes', {}):
            self._update(lambda data: data.get('notes', {}).pop(key, None))

    # --- housekeeping

    def clear(self) -> int:
        def remove_all(data: dict) -> int:
            count = len(data['users']) + len(data['flows'])
            data['users'].clear()
            data['flows'].clear()
            data.pop('notes', None)
            return count

        return self._update(remove_all)

    @contextmanager
    def lock(self, name: str, timeout: float = 20.0) -> Iterator[None]:
        # one lock file for every name: these locks are rare and short, and flock excludes other processes and
        # other threads alike
        fd = os.open(self._named_lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StoreUnavailable(f'lock {name} not acquired in {timeout} s') from None
                    time.sleep(0.01)
            yield
        finally:
            os.close(fd)

    def first_time(self, key: str, ttl: float) -> bool:
        return self.coordination.first_time(key, ttl)

    def forget(self, key: str) -> None:
        self.coordination.forget(key)

    def _sample_record(self) -> Union[str, dict, None]:
        return next(iter(self._read()['users'].values()), None)
