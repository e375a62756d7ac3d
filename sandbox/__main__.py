"""
``python -m sandbox [--port 6001]``: run the sandbox until Ctrl-C; prints the page's URL and opens nothing.
"""
import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Optional

from .runner import DEFAULT_PORT, Sandbox

log = logging.getLogger(__name__)


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    """
    :param argv: command line arguments; default ``sys.argv[1:]``
    """
    parser = argparse.ArgumentParser(prog='python -m sandbox',
                                     description='The call-control bot against a local Webex emulator, offline.')
    parser.add_argument('--port', type=int, default=int(os.environ.get('SANDBOX_PORT') or DEFAULT_PORT),
                        help=f'port of the page and the bot (default {DEFAULT_PORT})')
    parser.add_argument('--host', default='127.0.0.1', help='interface to bind (default 127.0.0.1)')
    parser.add_argument('--workdir', type=Path, default=None,
                        help='working directory for the token file (default: a temporary one, removed at the end)')
    parser.add_argument('--log-level', default='WARNING', help='log level of the bot and the emulator')
    return parser.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> int:
    """
    Start the sandbox, print its URL, serve until SIGINT or SIGTERM.

    :return: exit status
    """
    args = parse_args(argv)
    if args.workdir is not None:
        args.workdir = args.workdir.resolve()
        args.workdir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(format='%(asctime)s %(levelname)s %(name)s: %(message)s', level=args.log_level.upper())
    sandbox = Sandbox(args.port, host=args.host, workdir=args.workdir, log_level=args.log_level.upper())
    # the bot loads .env from the working directory: the sandbox's, never the developer's real settings
    os.chdir(sandbox.workdir)
    try:
        sandbox.start()
    except OSError as error:
        print(f'The sandbox cannot listen on port {args.port}: {error.strerror or error}. '
              f'Try another one: make demo PORT=7000', file=sys.stderr)
        return 2
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    print(sandbox.url, flush=True)
    try:
        while not stopping.wait(3600):
            pass
    finally:
        sandbox.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
