"""
Named locks for the processes of one host: ``flock`` on a lock file, which excludes other processes and other
threads alike (each holder opens the file itself) and is released by the kernel if its holder dies.
"""
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Union

from ..errors import StoreUnavailable

__all__ = ['FileLocks', 'LifeMarks', 'locks_beside']


def locks_beside(token_file: Union[str, Path]) -> 'FileLocks':
    """The locks of a token file's host: ``wxc_cc_bot.yml`` -> ``flock`` on ``wxc_cc_bot.yml.locks`` beside it."""
    path = Path(token_file)
    return FileLocks(path.with_name(path.name + '.locks'))


class FileLocks:
    """
    Locks on one file beside the token file. Every name shares the file: these locks are rare and short
    (registering webhooks, refreshing a token), so one at a time on a host is no cost.

    :param path: the lock file; created with mode 0600
    :param poll: seconds between attempts while another holder has it
    """

    def __init__(self, path: Union[str, Path], poll: float = 0.01):
        self.path = Path(path)
        self.poll = poll

    @contextmanager
    def lock(self, name: str, timeout: float = 20.0) -> Iterator[None]:
        """
        Hold the lock.

        :param name: what is locked (for the error)
        :param timeout: seconds to wait
        :raises StoreUnavailable: not acquired in time, or the file cannot be opened
        """
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            raise StoreUnavailable(f'lock {name}: cannot open {self.path}: {error}') from error
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StoreUnavailable(f'lock {name} not acquired in {timeout} s') from None
                    time.sleep(self.poll)
            yield
        finally:
            os.close(fd)


class LifeMarks:
    """
    Which worker processes of a host are alive: each holds ``flock`` on a file of its own in a directory beside the
    token file for as long as it lives, and the kernel releases it when the process dies, however it dies. Another
    process that can lock that file knows its holder is gone, at once, without waiting for a heartbeat to lapse.

    :param directory: where the marks are; created with mode 0700
    """

    def __init__(self, directory: Union[str, Path]):
        self.directory = Path(directory)
        self._mine: dict[str, int] = {}

    def _path(self, name: str) -> Path:
        return self.directory / (''.join(c if c.isalnum() or c in '-_.' else '_' for c in name) + '.alive')

    def mark(self, name: str) -> None:
        """
        Mark this process alive under ``name`` until :meth:`unmark` or its death.

        :raises StoreUnavailable: the mark cannot be made
        """
        if name in self._mine:
            return
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self._path(name), os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            raise StoreUnavailable(f'cannot mark worker {name} alive in {self.directory}: {error}') from error
        self._mine[name] = fd

    def unmark(self, name: str) -> None:
        """This process no longer runs ``name``."""
        fd = self._mine.pop(name, None)
        if fd is not None:
            self._path(name).unlink(missing_ok=True)
            os.close(fd)

    def gone(self, name: str) -> bool:
        """
        Whether ``name``'s process is gone: it left no mark, or its mark is not held. Its mark is then removed.
        """
        if name in self._mine:
            return False
        path = self._path(name)
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return True
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        else:
            path.unlink(missing_ok=True)
            return True
        finally:
            os.close(fd)
