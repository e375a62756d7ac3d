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

__all__ = ['FileLocks', 'locks_beside']


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
