"""
A Webex bot to control your Webex Calling phone from a 1:1 chat: authorize once (``/auth``), then ``/dial``,
``/answer``, ``/hangup``, ``/history`` and watch your calls live (``/monitor on``).

:class:`CallControlBot` is the bot: a :class:`webexteamsbot.TeamsBot` (and so a :class:`flask.Flask` app)
whose views hand the raw requests to :class:`wxc_cc.core.BotCore`. :func:`create_app` builds it from the
environment; ``python wxc_cc_bot.py`` serves it on ``$PORT``; ``gunicorn 'wxc_cc_bot:create_app()'`` too.

Routes: ``POST /`` (notifications of the bot's webhooks), ``GET /redirect`` (end of the OAuth flow),
``POST /callevent/<user_id>`` (call events of a monitored user), ``GET /health`` (alive), ``GET /ready`` (the
stores answer), ``GET /metrics``. The framework's ``GET /config`` answers 404.
"""
import atexit
import logging
import signal
import sys
import threading
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import NoReturn, Optional, Union

import requests
from dotenv import load_dotenv
from flask import Response, request
from webexteamsbot import TeamsBot
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.serving import WSGIRequestHandler, make_server
from wxc_sdk.rest import RestError

import ngrokhelper
from wxc_cc.commands import Request
from wxc_cc.config import ConfigError, Settings, load_settings
from wxc_cc.core import Outcome, build_core
from wxc_cc.errors import webex_reason
from wxc_cc.logsetup import configure_logging
from wxc_cc.redaction import protect_logs
from wxc_cc.replies import Reply
from wxc_cc.stores import Stores, UnsupportedStore

__all__ = ['CallControlBot', 'create_app', 'main', 'EXIT_CANNOT_START']

log = logging.getLogger(__name__)

#: largest notification body accepted; Webex's are a few kB
MAX_BODY_BYTES = 1 << 20


def _response(outcome: Outcome) -> Response:
    return Response(outcome.body, status=outcome.status, content_type=outcome.content_type,
                    headers={'Cache-Control': 'no-store'})


class CallControlBot(TeamsBot):
    """
    The call-control bot.

    The parameters are those of the original bot; ``settings`` (from :func:`~wxc_cc.config.load_settings`)
    carries the rest of the configuration and wins when given. Constructing the bot learns its identity and
    registers its webhooks (the ``teams_setup`` step of :class:`~webexteamsbot.TeamsBot`), and registers every
    command with :meth:`~webexteamsbot.TeamsBot.add_command`: a chat message reaches its command through the
    callback registered there.

    :param teams_bot_name: the bot's name; prefix of its webhooks' names
    :param teams_bot_token: the bot's access token
    :param teams_bot_email: the bot's email
    :param teams_bot_url: the bot's public base URL (webhook target)
    :param client_id: client id of the integration used to act for users
    :param client_secret: its client secret
    :param client_scopes: its scopes, space separated
    :param client_redirect_url: its redirect URL, ``{teams_bot_url}/redirect`` or a localhost URL
    :param debug: debug mode
    :param settings: complete settings; the other parameters are then ignored
    :param stores: where the bot keeps state; default: the stores the settings select
    """

    def __init__(self, *, teams_bot_name: str = '', teams_bot_token: str = '', teams_bot_email: str = '',
                 teams_bot_url: str = '', client_id: str = '', client_secret: str = '', client_scopes: str = '',
                 client_redirect_url: str = '', debug: bool = False, settings: Optional[Settings] = None,
                 stores: Optional[Stores] = None):
        if settings is None:
            settings = load_settings({'WXC_CC_BOT_NAME': teams_bot_name, 'WXC_CC_BOT_ACCESS_TOKEN': teams_bot_token,
                                      'WXC_CC_BOT_EMAIL': teams_bot_email, 'WXC_CC_BOT_URL': teams_bot_url,
                                      'WXC_CC_INTEGRATION_CLIENT_ID': client_id,
                                      'WXC_CC_INTEGRATION_CLIENT_SECRET': client_secret,
                                      'WXC_CC_INTEGRATION_CLIENT_SCOPES': client_scopes,
                                      'WXC_CC_INTEGRATION_REDIRECT_URL': client_redirect_url}, environ={})
        protect_logs(*settings.secrets)
        self.core = build_core(settings, stores=stores, route=self.route_command)
        # TeamsBot.__init__ registers "/", "/health" and "/config" with our overrides and calls teams_setup()
        super().__init__(settings.bot_name, teams_bot_token=settings.bot_token,
                         teams_api_url=f'{settings.api_base}/', teams_bot_email=settings.bot_email,
                         teams_bot_url=settings.public_url, debug=debug)
        self.config['MAX_CONTENT_LENGTH'] = MAX_BODY_BYTES
        self.remove_command('/echo')
        conversation = self.core.conversation
        for command in self.core.commands:
            self.add_command(command.name, command.help(self.core.catalogue), partial(conversation.run, command))
        self.add_url_rule('/redirect', 'redirect', self.oauth_redirect, methods=['GET'])
        self.add_url_rule('/callevent/<user_id>', 'callevent', self.call_event, methods=['POST'])
        self.add_url_rule('/metrics', 'metrics', self.metrics, methods=['GET'])
        self.add_url_rule('/ready', 'ready', self.ready, methods=['GET'])
        self.register_error_handler(HTTPException, self._http_error)
        self.register_error_handler(Exception, self._unexpected_error)

    @property
    def settings(self) -> Settings:
        """The bot's settings."""
        return self.core.settings

    def teams_setup(self) -> None:
        """
        Register the bot's webhooks, each with a secret.
        """
        self.core.setup()

    def route_command(self, request: Request) -> Union[str, Reply]:
        """
        Run a request the way :class:`~webexteamsbot.TeamsBot` does: through the callback registered for its
        command with :meth:`add_command`; what the bot does not know gets the help.

        :param request: a command as the person sent it
        :return: the reply
        """
        registered = self.commands.get(request.command)
        if registered is None:
            return self.core.conversation.unknown(request)
        return registered['callback'](request)

    def call_event_url(self, user_id: str) -> str:
        """
        User specific call event URL: ``{public URL}/callevent/{user_id}``.

        :param user_id: person id of the monitored user
        """
        return self.core.call_webhooks.target_url(user_id)

    # --- views: translate the request, hand it to the core

    def process_incoming_message(self) -> Response:
        """
        ``POST /``: a notification of one of the bot's webhooks.
        """
        return _response(self.core.handle_bot_notification(request.get_data(cache=False),
                                                           request.headers.get('X-Spark-Signature')))

    def call_event(self, user_id: str) -> Response:
        """
        ``POST /callevent/<user_id>``: a ``telephony_calls`` notification for a monitored user.

        :param user_id: person id from the URL
        """
        return _response(self.core.handle_call_event(user_id, request.get_data(cache=False),
                                                     request.headers.get('X-Spark-Signature')))

    def oauth_redirect(self) -> Response:
        """
        ``GET /redirect``: the end of the OAuth flow.
        """
        response = _response(self.core.handle_redirect(code=request.args.get('code'),
                                                       state=request.args.get('state'),
                                                       error=request.args.get('error')))
        response.headers['Referrer-Policy'] = 'no-referrer'
        return response

    def metrics(self) -> Response:
        """
        ``GET /metrics``: Prometheus' text, with ``WXC_CC_METRICS_TOKEN`` set and presented as a bearer token.
        """
        return _response(self.core.metrics_page(request.headers.get('Authorization')))

    def health(self) -> Response:
        """
        ``GET /health``, liveness: 200 while the process takes tasks, else 503; asks no store.
        """
        return _response(self.core.health())

    def ready(self) -> Response:
        """
        ``GET /ready``, readiness: 200 when the stores answer and the stored tokens can be read, else 503 with a
        generic reason.
        """
        return _response(self.core.ready())

    def config_bot(self) -> NoReturn:
        """
        ``/config``: :class:`~webexteamsbot.TeamsBot` registers this view to tell anyone the bot's email, name and
        URL. This bot answers it 404, as any path it does not have, whatever the method.
        """
        raise NotFound()

    # what Flask reads from a view when TeamsBot registers it: every method, none answered automatically
    config_bot.methods = ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE')
    config_bot.provide_automatic_options = False

    def _http_error(self, error: HTTPException) -> Response:
        return Response(f'{error.code} {error.name}', status=error.code, content_type='text/plain')

    def _unexpected_error(self, error: Exception) -> Response:
        log.exception('unexpected error serving %s %s', request.method, request.path)
        return Response('500 Internal Server Error', status=500, content_type='text/plain')


#: exit status when the bot cannot start; gunicorn takes it as "worker failed to boot" and stops instead of
#: starting the worker again and again
EXIT_CANNOT_START = 3


def _cannot_start(reason: str) -> SystemExit:
    print(f'wxc_cc_bot cannot start: {reason}', file=sys.stderr, flush=True)
    return SystemExit(EXIT_CANNOT_START)


def create_app(config: Optional[Mapping[str, object]] = None) -> CallControlBot:
    """
    Create the bot from the environment (``.env`` in the working directory is loaded first).

    :param config: explicit settings by environment variable name; they win over the environment
    :return: the bot, a Flask app
    :raises SystemExit: with status :data:`EXIT_CANNOT_START` after one clear line on stderr, when settings are
        missing or invalid, no public URL can be found, or Webex refuses the bot
    """
    load_dotenv(Path.cwd() / '.env')
    try:
        settings = load_settings(config)
    except ConfigError as error:
        raise _cannot_start(str(error)) from None
    configure_logging(settings.log_level, settings.log_format)
    try:
        if not settings.public_url:
            settings = settings.with_public_url(
                ngrokhelper.get_public_url(settings.port, ngrok_host=settings.ngrok_host,
                                           timeout=settings.ngrok_timeout))
        app = CallControlBot(settings=settings)
    except (ngrokhelper.NgrokError, ConfigError, UnsupportedStore) as error:
        raise _cannot_start(str(error)) from None
    except (RestError, requests.RequestException) as error:
        raise _cannot_start(f'Webex at {settings.api_base} refused the bot or could not be reached '
                            f'({webex_reason(error)}); check WXC_CC_BOT_ACCESS_TOKEN') from None
    _stop_taking_on_sigterm(app)
    # a stopping process lets the commands in flight finish first: gunicorn's worker_exit (wxc_cc.gunicorn_conf) or
    # main() drain before this; a plain gunicorn worker drains here, when its interpreter exits
    atexit.register(app.core.shutdown)
    return app


def _stop_taking_on_sigterm(app: CallControlBot) -> None:
    """
    Under gunicorn: its worker handles SIGTERM by ending its request loop and exiting; the bot also stops taking
    tasks at that moment, before the drain. Nothing is done where SIGTERM has no handler of Python's (``main()``
    installs its own).
    """
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)
    if not callable(previous):
        return

    def stop(signum: int, frame: object) -> None:
        # a signal handler may interrupt the main thread while it holds a lock the queue takes: not here
        threading.Thread(target=app.core.stop_taking, name='wxc-cc-stop', daemon=True).start()
        previous(signum, frame)

    signal.signal(signal.SIGTERM, stop)


class _RequestHandler(WSGIRequestHandler):
    """
    Access log lines without query strings: the OAuth redirect carries the authorization code there.
    """

    def log_request(self, code: object = '-', size: object = '-') -> None:
        self.log('info', '"%s %s" %s %s', self.command, self.path.split('?', 1)[0], code, size)


def main() -> None:
    """
    Serve the bot on ``$PORT`` (default 6001) on all interfaces.
    """
    app = create_app()
    server = make_server('0.0.0.0', app.settings.port, app, threaded=True, request_handler=_RequestHandler)

    def stop(signum: int, frame: object) -> None:
        log.info('signal %d: stopping', signum)
        for work in (app.core.stop_taking, server.shutdown):
            threading.Thread(target=work, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info('serving on port %d', server.port)
    server.serve_forever()
    server.server_close()
    app.core.shutdown()
    log.info('stopped')


if __name__ == '__main__':
    sys.exit(main())
