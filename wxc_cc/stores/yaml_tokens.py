"""
Token records in a local YAML file (default ``wxc_cc_bot.yml`` in the working directory): the users and their
tokens, as the original bot kept them.

Every change rewrites the file atomically (temporary file with mode 0600, then rename), under an exclusive
``flock`` on a lock file beside it so that processes on one host sharing the file do not lose each other's
changes. Reads are served from memory until the file changes on disk.
"""
import fcntl
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional, Union

import yaml

from ..errors import StoreUnavailable
from .coordination import Locks
from .file_locks import locks_beside
from .sealing import Stored
from .tokens import TokenManager, TokenRecords

__all__ = ['YAMLTokenRecords', 'YAMLTokenManager']

_Loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
_Dumper = getattr(yaml, 'CSafeDumper', yaml.SafeDumper)


class YAMLTokenRecords(TokenRecords):
    """
    Token records in a YAML file, below ``users``.

    :param path: the file; created on first write
    """
    kind = 'yaml'

    def __init__(self, path: Union[str, Path] = 'wxc_cc_bot.yml'):
        self.path = Path(path).absolute()
        self._lock_path = self.path.with_name(self.path.name + '.lock')
        self._thread_lock = threading.RLock()
        self._cache: dict = {}
        self._cache_key: Optional[tuple] = None

    # --- file access

    def _read(self) -> dict:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {'users': {}}
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
        Read, change and write back the users, all under the lock. What else an older file holds (flows, notes
        and claims of earlier versions, which now live in the database beside it) is dropped.
        """
        with self._locked():
            data = {'users': dict(self._read()['users'])}
            result = change(data)
            self._write(data)
            return result

    # --- records

    def get(self, owner: str) -> Optional[Stored]:
        return self._read()['users'].get(owner)

    def put(self, owner: str, record: Stored) -> None:
        self._update(lambda data: data['users'].__setitem__(owner, record))

    def delete(self, owner: str) -> bool:
        return self._update(lambda data: data['users'].pop(owner, None) is not None)

    def items(self) -> list[tuple[str, Stored]]:
        return list(self._read()['users'].items())

    def clear(self) -> int:
        def remove_all(data: dict) -> int:
            count = len(data['users'])
            data['users'].clear()
            return count

        return self._update(remove_all)

    def replace(self, owner: str, expected: Stored, record: Stored) -> bool:
        with self._locked():
            data = {'users': dict(self._read()['users'])}
            if data['users'].get(owner) != expected:
                return False
            data['users'][owner] = record
            self._write(data)
            return True

    def sample(self) -> Optional[Stored]:
        return next(iter(self._read()['users'].values()), None)

    def check(self) -> None:
        self._read()


class YAMLTokenManager(TokenManager):
    """
    The token store in a YAML file.

    :param path: the file; created on first write
    :param locks: locks shared by the processes of the host; default: ``flock`` on ``<file>.locks`` beside it
    :param kwargs: see :class:`~wxc_cc.stores.tokens.TokenManager`
    """
    records: YAMLTokenRecords

    def __init__(self, path: Union[str, Path] = 'wxc_cc_bot.yml', *, locks: Optional[Locks] = None, **kwargs: Any):
        records = YAMLTokenRecords(path)
        super().__init__(records, locks=locks or locks_beside(records.path), **kwargs)

    @property
    def path(self) -> Path:
        """The file."""
        return self.records.path
