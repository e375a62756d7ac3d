"""
The bot's settings, read once from the environment.

:func:`load_settings` is the only place that reads environment variables. Explicit values passed to it win
over the environment; a missing required value raises :class:`ConfigError` naming every missing variable.
"""
import hashlib
import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Optional
from urllib.parse import urlparse

from cryptography.fernet import Fernet

from .locales import LOCALES

__all__ = ['ConfigError', 'Settings', 'load_settings', 'DEFAULT_SCOPES', 'DEFAULT_API_BASE', 'DEFAULT_PORT']

log = logging.getLogger(__name__)

DEFAULT_SCOPES = 'spark:calls_write spark:kms spark:calls_read spark-admin:telephony_config_read spark:people_read'
DEFAULT_API_BASE = 'https://webexapis.com/v1'
DEFAULT_PORT = 6001
DEFAULT_TOKEN_FILE = 'wxc_cc_bot.yml'

#: environment variable -> settings field, for the values that must be present
REQUIRED = {
    'WXC_CC_BOT_EMAIL': 'bot_email',
    'WXC_CC_BOT_ACCESS_TOKEN': 'bot_token',
    'WXC_CC_BOT_NAME': 'bot_name',
    'WXC_CC_INTEGRATION_CLIENT_ID': 'client_id',
    'WXC_CC_INTEGRATION_CLIENT_SECRET': 'client_secret',
}

#: environment variable -> settings field, for the optional values
OPTIONAL = {
    'WXC_CC_INTEGRATION_CLIENT_SCOPES': 'client_scopes',
    'WXC_CC_INTEGRATION_REDIRECT_URL': 'redirect_url_setting',
    'WXC_CC_BOT_URL': 'bot_url',
    'HEROKU_NAME': 'heroku_name',
    'NGROK_HOST': 'ngrok_host',
    'REDIS_HOST': 'redis_host',
    'REDIS_URL': 'redis_url',
    'REDIS_TLS_URL': 'redis_tls_url',
    'PORT': 'port',
    'WEBEX_API_BASE_URL': 'api_base',
    'WXC_CC_WEBHOOK_SECRET': 'webhook_secret_setting',
    'LOG_LEVEL': 'log_level',
    'WXC_CC_TOKEN_FILE': 'token_file',
    'WXC_CC_NGROK_TIMEOUT': 'ngrok_timeout',
    'WXC_CC_WORKER_THREADS': 'worker_threads',
    'WXC_CC_DRAIN_TIMEOUT': 'drain_timeout',
    'WXC_CC_WEBHOOK_CHECK_INTERVAL': 'webhook_check_interval',
    'WXC_CC_CONFIG_FILE': 'config_file',
    'WXC_CC_TOKEN_KEY': 'token_key',
    'LOCALE': 'locale',
    'WXC_CC_MAX_COMMAND_AGE': 'max_command_age',
}

#: numeric settings: field -> (type, smallest, largest)
NUMBERS = {'port': (int, 0, 65535), 'ngrok_timeout': (float, 0, 3600), 'worker_threads': (int, 1, 256),
           'drain_timeout': (float, 0, 3600), 'webhook_check_interval': (float, 0, 86400),
           'max_command_age': (float, 1, 86400)}


class ConfigError(Exception):
    """
    The settings are incomplete or invalid. The message is meant for the operator, one line, no secrets.
    """


@dataclass(frozen=True)
class Settings:
    """
    Everything the bot is configured with. Build it with :func:`load_settings`.
    """
    bot_email: str
    bot_token: str = field(repr=False)
    bot_name: str
    client_id: str
    client_secret: str = field(repr=False)
    client_scopes: str = DEFAULT_SCOPES
    #: explicit WXC_CC_INTEGRATION_REDIRECT_URL, see :attr:`redirect_url` for the effective value
    redirect_url_setting: Optional[str] = None
    bot_url: Optional[str] = None
    heroku_name: Optional[str] = None
    ngrok_host: Optional[str] = None
    redis_host: Optional[str] = None
    redis_url: Optional[str] = field(default=None, repr=False)
    redis_tls_url: Optional[str] = field(default=None, repr=False)
    port: int = DEFAULT_PORT
    api_base: str = DEFAULT_API_BASE
    webhook_secret_setting: Optional[str] = field(default=None, repr=False)
    log_level: str = 'INFO'
    token_file: str = DEFAULT_TOKEN_FILE
    #: seconds to wait for an ngrok tunnel
    ngrok_timeout: float = 30.0
    #: threads per process that serve commands after the webhook is answered
    worker_threads: int = 8
    #: seconds a stopping process waits for commands in flight
    drain_timeout: float = 20.0
    #: seconds between checks of the bot's webhooks (re-activate, re-point); 0: only at start
    webhook_check_interval: float = 300.0
    #: the access policy file (see :mod:`wxc_cc.policy`); None: ``wxc_cc_config.json`` if present
    config_file: Optional[str] = None
    #: Fernet key: when set, tokens are stored encrypted
    token_key: Optional[str] = field(default=None, repr=False)
    #: language of the replies
    locale: str = 'en_US'
    #: seconds after which a message or card press (by Webex's ``created``) is too old to act on
    max_command_age: float = 300.0
    #: the public base URL once it is known (configured, or found via ngrok by the entry point)
    public_url: Optional[str] = None

    @property
    def configured_public_url(self) -> Optional[str]:
        """
        The public URL given by configuration alone: ``WXC_CC_BOT_URL``, else the Heroku app URL; ``None`` when
        it has to be discovered (ngrok).
        """
        if self.bot_url:
            return self.bot_url.rstrip('/')
        if self.heroku_name:
            return f'https://{self.heroku_name}.herokuapp.com'
        return None

    @property
    def redirect_url(self) -> str:
        """
        The OAuth redirect URL: explicit setting, else ``{public URL}/redirect`` when a public URL is configured,
        else ``http://localhost:{PORT}/redirect``.
        """
        if self.redirect_url_setting:
            return self.redirect_url_setting
        if public := self.configured_public_url:
            return f'{public}/redirect'
        return f'http://localhost:{self.port}/redirect'

    @property
    def uses_redis(self) -> bool:
        """
        True if any Redis variable is set, which selects the Redis token store.
        """
        return bool(self.redis_host or self.redis_url or self.redis_tls_url)

    @property
    def webhook_secret(self) -> str:
        """
        Secret of the bot's own webhooks: the configured one, else one derived from the bot token so that all
        workers and instances agree on it without sharing anything else.
        """
        if self.webhook_secret_setting:
            return self.webhook_secret_setting
        return hmac.new(self.bot_token.encode(), b'wxc_cc_bot webhook secret', hashlib.sha256).hexdigest()[:48]

    @property
    def government(self) -> bool:
        """
        True when the API base is Webex for Government (FedRAMP), where Webex offers no call control.
        """
        return 'usgov' in (urlparse(self.api_base).hostname or '')

    def with_public_url(self, public_url: str) -> 'Settings':
        """
        A copy with the public URL set.

        :param public_url: base URL under which Webex reaches the bot
        """
        return replace(self, public_url=public_url.rstrip('/'))


def _validate(values: dict) -> list[str]:
    problems = []
    variables = {attr: name for name, attr in {**REQUIRED, **OPTIONAL}.items()}
    for attr, (kind, smallest, largest) in NUMBERS.items():
        if attr not in values:
            continue
        try:
            values[attr] = kind(values[attr])
            if not smallest <= values[attr] <= largest:
                raise ValueError
        except ValueError:
            problems.append(f'{variables[attr]} must be a number ({kind.__name__}) from {smallest} to {largest}, '
                            f'not {values[attr]!r}')
    base = values.get('api_base', DEFAULT_API_BASE).rstrip('/')
    if urlparse(base).scheme not in ('http', 'https') or not urlparse(base).netloc:
        problems.append(f'WEBEX_API_BASE_URL must be an http(s) URL, not {base!r}')
    values['api_base'] = base
    for name, key in (('WXC_CC_BOT_URL', 'bot_url'), ('WXC_CC_INTEGRATION_REDIRECT_URL', 'redirect_url_setting')):
        url = values.get(key)
        if url and urlparse(url).scheme not in ('http', 'https'):
            problems.append(f'{name} must be an http(s) URL, not {url!r}')
    if values.get('token_key'):
        try:
            Fernet(values['token_key'].encode())
        except ValueError:
            problems.append('WXC_CC_TOKEN_KEY must be a Fernet key (32 url-safe base64-encoded bytes); '
                            'make one with: python -c "from cryptography.fernet import Fernet; '
                            'print(Fernet.generate_key().decode())"')
    if values.get('locale', 'en_US') not in LOCALES:
        problems.append(f'LOCALE must be one of {", ".join(sorted(LOCALES))}, not {values["locale"]!r}')
    values['log_level'] = values.get('log_level', 'INFO').upper()
    if logging.getLevelName(values['log_level']) == f'Level {values["log_level"]}':
        problems.append(f'LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, not {values["log_level"]!r}')
    return problems


def load_settings(overrides: Optional[Mapping[str, object]] = None,
                  environ: Optional[Mapping[str, str]] = None) -> Settings:
    """
    Read the settings from the environment.

    :param overrides: explicit values by environment variable name (e.g. ``{'PORT': 0}``); they win over
        ``environ``. Keys that are not environment variables of the bot are taken as :class:`Settings` field
        names (e.g. ``token_file``).
    :param environ: the environment to read; default: :data:`os.environ`
    :return: the settings
    :raises ConfigError: when required values are missing or values are invalid
    """
    if environ is None:
        import os
        environ = os.environ
    merged: dict[str, object] = {**environ, **(overrides or {})}
    names = {**REQUIRED, **OPTIONAL}
    values = {}
    for key, value in merged.items():
        attr = names.get(key) or (key if key in Settings.__dataclass_fields__ else None)
        if attr and value is not None and str(value).strip() != '':
            values[attr] = value if attr in NUMBERS else str(value).strip()
    missing = [name for name, attr in REQUIRED.items() if attr not in values]
    problems = _validate(values)
    if missing:
        problems.insert(0, f'missing required setting(s): {", ".join(missing)} '
                           f'(set them in the environment or in .env)')
    if problems:
        raise ConfigError('; '.join(problems))
    settings = Settings(**values)
    if public := settings.configured_public_url:
        settings = settings.with_public_url(public)
    return settings
