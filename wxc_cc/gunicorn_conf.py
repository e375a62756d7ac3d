"""
gunicorn's settings for the bot: ``gunicorn -c python:wxc_cc.gunicorn_conf 'wxc_cc_bot:create_app()'``, as the
image, the Procfile and the Kubernetes manifests run it (a module of the package, so it is found whatever the working
directory).

They wire the bot's drain into gunicorn's worker life cycle. On SIGTERM (a deploy, a scale-down; gunicorn's master
passes it on to every worker) a worker stops taking tasks at once (:func:`wxc_cc_bot.create_app` chains that to
the worker's own SIGTERM handler), lets the tasks in flight finish within ``WXC_CC_DRAIN_TIMEOUT`` while its heartbeat
goes on, gives back what it took but did not start, and exits (:func:`worker_exit`). The master waits
:data:`graceful_timeout` for that, longer than the drain.

Without this module (a plain ``gunicorn 'wxc_cc_bot:create_app()'``) a worker drains too, when its interpreter exits
(``atexit``), within gunicorn's default graceful timeout of 30 s.
"""
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from wxc_cc.config import drain_timeout

__all__ = ['graceful_timeout', 'worker_exit', 'DRAIN_MARGIN']

#: seconds the master waits beyond the drain: the worker's own exit, and a task's last request
DRAIN_MARGIN = 10

#: seconds the master waits for its workers after SIGTERM, before SIGKILL
graceful_timeout = int(drain_timeout(dotenv_values(Path.cwd() / '.env'))) + DRAIN_MARGIN


def worker_exit(server: Any, worker: Any) -> None:
    """
    In the worker, once it stopped serving requests: let the tasks in flight finish, give back the rest, end the
    heartbeat (:meth:`wxc_cc.core.BotCore.shutdown`).
    """
    core = getattr(getattr(worker, 'wsgi', None), 'core', None)
    if core is not None:
        core.shutdown()
