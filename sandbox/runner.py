"""
Start the sandbox: the local Webex emulator on its own 127.0.0.1 port, and on one port a threaded server
(cheroot) for the real bot and the sandbox page, split by path: ``/sandbox…`` goes to the sandbox, everything
else (``/``, ``/redirect``, ``/callevent/…``, ``/health``, ``/ready``) to the bot.

The bot is built exactly as in production, by ``wxc_cc_bot.create_app(config)``, with configuration only:
``WEBEX_API_BASE_URL`` pointing at the emulator, ``WXC_CC_BOT_URL`` at the local address, and the YAML token
store in a sandbox working directory.
"""
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from fakewebex import FakeWebex
from fakewebex.httpserver import ServerThread

from .app import PREFIX, create_sandbox_app
from .cast import CLIENT_ID, Cast, populate

__all__ = ['DEFAULT_PORT', 'BOT_WEBHOOK_NAME', 'PathDispatcher', 'bot_config', 'Sandbox', 'start_sandbox']

log = logging.getLogger(__name__)

DEFAULT_PORT = 6001
#: the bot's name in the configuration: prefix of its webhooks' names
BOT_WEBHOOK_NAME = 'sandbox-ccbot'

#: bot settings that must not come from the developer's environment or .env (Redis, ngrok, Heroku, ...)
_ISOLATED = ('WXC_CC_INTEGRATION_CLIENT_SCOPES', 'WXC_CC_INTEGRATION_REDIRECT_URL', 'HEROKU_NAME', 'NGROK_HOST',
             'REDIS_HOST', 'REDIS_URL', 'REDIS_TLS_URL', 'WXC_CC_WEBHOOK_SECRET', 'WXC_CC_NGROK_TIMEOUT',
             'WXC_CC_WORKER_THREADS', 'WXC_CC_DRAIN_TIMEOUT', 'WXC_CC_WEBHOOK_CHECK_INTERVAL')


class PathDispatcher:
    """
    WSGI: requests for ``prefix`` and below go to :attr:`sandbox`, all others to :attr:`bot` (503 until each is
    set: the sandbox's page is made from the bot, which needs the server's port first).
    """

    def __init__(self, prefix: str = PREFIX):
        self.prefix = prefix
        #: the sandbox's WSGI app, once created
        self.sandbox: Optional[Callable] = None
        #: the bot's WSGI app, once created
        self.bot: Optional[Callable] = None

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get('PATH_INFO', '')
        app = self.sandbox if path == self.prefix or path.startswith(self.prefix + '/') else self.bot
        if app is None:
            start_response('503 Service Unavailable', [('Content-Type', 'text/plain'), ('Retry-After', '1')])
            return [b'the sandbox is starting']
        return app(environ, start_response)


def _bot_variables() -> set[str]:
    """Every environment variable the bot reads, as far as its configuration module says."""
    try:
        from wxc_cc import config
        return set(getattr(config, 'REQUIRED', {})) | set(getattr(config, 'OPTIONAL', {})) | set(_ISOLATED)
    except ImportError:  # pragma: no cover - the bot is part of this repository
        return set(_ISOLATED)


def bot_config(fake: FakeWebex, cast: Cast, public_url: str, port: int, token_file: Path,
               log_level: str) -> dict[str, Any]:
    """
    The bot's configuration in the sandbox. Every other setting of the bot is blanked, so that nothing of the
    developer's environment or ``.env`` (a Redis URL, an ngrok host, a real Webex) reaches the sandbox.

    :param fake: the running emulator
    :param cast: who is in it
    :param public_url: where the emulator delivers webhooks and the browser ends the OAuth flow
    :param port: the port the bot is served on
    :param token_file: the YAML token store
    :param log_level: the bot's log level
    :return: for ``wxc_cc_bot.create_app(config)``
    """
    config: dict[str, Any] = {name: '' for name in _bot_variables()}
    config.update({
        'WXC_CC_BOT_EMAIL': cast.bot.email, 'WXC_CC_BOT_ACCESS_TOKEN': cast.bot.token,
        'WXC_CC_BOT_NAME': BOT_WEBHOOK_NAME, 'WXC_CC_INTEGRATION_CLIENT_ID': CLIENT_ID,
        'WXC_CC_INTEGRATION_CLIENT_SECRET': cast.client_secret, 'WEBEX_API_BASE_URL': fake.base_url,
        'WXC_CC_BOT_URL': public_url, 'PORT': port, 'WXC_CC_TOKEN_FILE': str(token_file), 'LOG_LEVEL': log_level})
    return config


class Sandbox:
    """
    The whole sandbox in this process. :meth:`start` it, open :attr:`url`, :meth:`stop` it.

    :param port: port of the page and the bot; 0: a free one
    :param host: interface to bind
    :param workdir: working directory (token file); default: a new temporary directory, removed on stop
    :param log_level: the bot's log level
    """

    def __init__(self, port: int = DEFAULT_PORT, host: str = '127.0.0.1', workdir: Optional[Path] = None,
                 log_level: str = 'INFO'):
        self.host, self.log_level = host, log_level
        self._own_workdir = workdir is None
        self.workdir = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix='wxc-cc-sandbox-'))
        self.fake = FakeWebex()
        self.cast: Optional[Cast] = None
        self.dispatcher: Optional[PathDispatcher] = None
        self.bot: Any = None
        self._server: Optional[ServerThread] = None
        self._port = port

    @property
    def port(self) -> int:
        """The bound port of the page and the bot."""
        if self._server is None:
            raise RuntimeError('the sandbox is not running')
        return self._server.port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``: the bot's address (webhooks, OAuth redirect)."""
        return f'http://{self.host}:{self.port}'

    @property
    def url(self) -> str:
        """``http://localhost:PORT/sandbox``: the page."""
        return f'http://localhost:{self.port}{PREFIX}'

    def start(self) -> 'Sandbox':
        """
        Start the emulator, the server and the bot; return when the bot is serving.

        :raises SystemExit: if the bot cannot start (it says why on stderr)
        :raises OSError: if the port is taken
        """
        from wxc_cc_bot import create_app

        self.fake.start()
        try:
            self.fake.consent_page = True
            self.cast = populate(self.fake)
            token_file = self.workdir / 'wxc_cc_bot.yml'
            self.dispatcher = PathDispatcher()
            self._server = ServerThread(self.dispatcher, host=self.host, name='sandbox-http', port=self._port)
            self._server.start()
            self.bot = create_app(bot_config(self.fake, self.cast, self.base_url, self.port, token_file,
                                             self.log_level))
            self.dispatcher.bot = self.bot
            # the pending ends as the bot keeps them, worded as the bot words them
            services = self.bot.core.services
            self.dispatcher.sandbox = create_sandbox_app(self.fake, self.cast, services.ends, services.replies)
        except BaseException:
            self.stop()
            raise
        log.info('sandbox at %s (bot at %s, Webex emulator at %s, working directory %s)', self.url,
                 self.base_url, self.fake.base_url, self.workdir)
        return self

    def stop(self) -> None:
        """Stop the bot's work, the server and the emulator; remove a temporary working directory."""
        core = getattr(self.bot, 'core', None)
        if core is not None:
            core.shutdown(5)
        if self._server is not None:
            self._server.stop()
            self._server = None
        self.fake.stop()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> 'Sandbox':
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def start_sandbox(port: int = DEFAULT_PORT, **kwargs: Any) -> Sandbox:
    """
    :param port: port of the page and the bot; 0: a free one
    :param kwargs: more parameters of :class:`Sandbox`
    :return: a running sandbox
    """
    return Sandbox(port, **kwargs).start()
