"""
The bot's settings, read once from the environment.

:class:`Settings` declares every setting once: its environment variable (the field's validation alias), its
type, default and range. :func:`load_settings` is the only place that reads environment variables. Explicit
values passed to it win over the environment; anything missing or invalid raises :class:`ConfigError`, one line
naming every variable concerned and what it expects, without the values of secrets.
"""
import hashlib
import hmac
import logging
import os
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Optional, get_args, get_origin
from urllib.parse import unquote, urlparse

from cryptography.fernet import Fernet
from pydantic import BaseModel, Field, TypeAdapter, ValidationError, ValidationInfo, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from .locales import LOCALES

__all__ = ['ConfigError', 'Settings', 'load_settings', 'expectation', 'drain_timeout', 'DEFAULT_SCOPES', 'DEFAULT_API_BASE',
           'DEFAULT_PORT', 'DEFAULT_SENTINEL_PORT']

log = logging.getLogger(__name__)

DEFAULT_SCOPES = ('spark:calls_write spark:kms spark:calls_read spark-admin:telephony_config_read spark:people_read '
                  'spark:telephony_config_read spark:telephony_config_write')
DEFAULT_API_BASE = 'https://webexapis.com/v1'
DEFAULT_PORT = 6001
DEFAULT_TOKEN_FILE = 'wxc_cc_bot.yml'
#: port of a Redis Sentinel given without one in ``REDIS_SENTINELS``
DEFAULT_SENTINEL_PORT = 26379


class ConfigError(Exception):
    """
    The settings are incomplete or invalid. The message is meant for the operator, one line, no secrets.
    """


def _http_url(value: Optional[str]) -> Optional[str]:
    if value is not None:
        url = urlparse(value)
        if url.scheme not in ('http', 'https') or not url.netloc:
            raise ValueError('must be an http(s) URL')
    return value


class Settings(BaseSettings):
    """
    Everything the bot is configured with. Build it with :func:`load_settings`: the model itself reads neither
    the environment nor ``.env``. A field's validation alias is its environment variable; fields that are not
    shown in ``repr()`` are secrets.
    """
    model_config = SettingsConfigDict(frozen=True, extra='forbid')

    bot_email: str = Field(validation_alias='WXC_CC_BOT_EMAIL')
    bot_token: str = Field(validation_alias='WXC_CC_BOT_ACCESS_TOKEN', repr=False)
    bot_name: str = Field(validation_alias='WXC_CC_BOT_NAME')
    client_id: str = Field(validation_alias='WXC_CC_INTEGRATION_CLIENT_ID')
    client_secret: str = Field(validation_alias='WXC_CC_INTEGRATION_CLIENT_SECRET', repr=False)
    client_scopes: str = Field(DEFAULT_SCOPES, validation_alias='WXC_CC_INTEGRATION_CLIENT_SCOPES')
    #: explicit WXC_CC_INTEGRATION_REDIRECT_URL, see :attr:`redirect_url` for the effective value
    redirect_url_setting: Optional[str] = Field(None, validation_alias='WXC_CC_INTEGRATION_REDIRECT_URL')
    bot_url: Optional[str] = Field(None, validation_alias='WXC_CC_BOT_URL')
    heroku_name: Optional[str] = Field(None, validation_alias='HEROKU_NAME')
    ngrok_host: Optional[str] = Field(None, validation_alias='NGROK_HOST')
    redis_host: Optional[str] = Field(None, validation_alias='REDIS_HOST')
    #: Redis URLs may carry a password
    redis_url: Optional[str] = Field(None, validation_alias='REDIS_URL', repr=False)
    redis_tls_url: Optional[str] = Field(None, validation_alias='REDIS_TLS_URL', repr=False)
    #: Redis Sentinels as (host, port) pairs, from ``host:port,host:port`` (port 26379 when left out)
    redis_sentinels: tuple[tuple[str, int], ...] = Field((), validation_alias='REDIS_SENTINELS')
    #: name of the master the Sentinels watch; required with :attr:`redis_sentinels`
    redis_sentinel_master: Optional[str] = Field(None, validation_alias='REDIS_SENTINEL_MASTER')
    #: password of the Sentinels themselves (``requirepass`` in their configuration); the master's is in the URL
    redis_sentinel_password: Optional[str] = Field(None, validation_alias='REDIS_SENTINEL_PASSWORD', repr=False)
    port: int = Field(DEFAULT_PORT, validation_alias='PORT', ge=0, le=65535)
    api_base: str = Field(DEFAULT_API_BASE, validation_alias='WEBEX_API_BASE_URL')
    webhook_secret_setting: Optional[str] = Field(None, validation_alias='WXC_CC_WEBHOOK_SECRET', repr=False)
    log_level: str = Field('INFO', validation_alias='LOG_LEVEL')
    #: ``text``, or ``json``: one JSON object per line
    log_format: Literal['text', 'json'] = Field('text', validation_alias='LOG_FORMAT')
    token_file: str = Field(DEFAULT_TOKEN_FILE, validation_alias='WXC_CC_TOKEN_FILE')
    #: seconds to wait for an ngrok tunnel
    ngrok_timeout: float = Field(30.0, validation_alias='WXC_CC_NGROK_TIMEOUT', ge=0, le=3600, allow_inf_nan=False)
    #: threads per process that serve commands after the webhook is answered
    worker_threads: int = Field(64, validation_alias='WXC_CC_WORKER_THREADS', ge=1, le=256)
    #: seconds a stopping process waits for commands in flight
    drain_timeout: float = Field(20.0, validation_alias='WXC_CC_DRAIN_TIMEOUT', ge=0, le=3600, allow_inf_nan=False)
    #: seconds between checks of the bot's webhooks (re-activate, re-point); 0: only at start
    webhook_check_interval: float = Field(300.0, validation_alias='WXC_CC_WEBHOOK_CHECK_INTERVAL', ge=0, le=86400,
                                          allow_inf_nan=False)
    #: seconds after which a message or card press is too old to act on
    max_command_age: float = Field(300.0, validation_alias='WXC_CC_MAX_COMMAND_AGE', ge=1, le=86400,
                                   allow_inf_nan=False)
    #: seconds a worker process's heartbeat lives unless renewed: the tasks of a worker dead this long are taken
    #: over by another
    claim_after: float = Field(10.0, validation_alias='WXC_CC_CLAIM_AFTER', ge=3, le=3600, allow_inf_nan=False)
    #: bearer token that ``GET /metrics`` requires; unset: no metrics
    metrics_token: Optional[str] = Field(None, validation_alias='WXC_CC_METRICS_TOKEN', repr=False)
    #: the access policy file (see :mod:`wxc_cc.policy`); None: ``wxc_cc_config.json`` if present
    config_file: Optional[str] = Field(None, validation_alias='WXC_CC_CONFIG_FILE')
    #: Fernet keys, comma-separated, newest first: when set, tokens are stored encrypted with the first (see
    #: :attr:`token_keys`)
    token_key: Optional[str] = Field(None, validation_alias='WXC_CC_TOKEN_KEY', repr=False)
    #: language of the replies
    locale: str = Field('en_US', validation_alias='LOCALE')
    #: the public base URL once it is known (configured, or found via ngrok by the entry point); no variable
    public_url: Optional[str] = None

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        """
        Only the values given to the constructor: :func:`load_settings` reads the environment, once.
        """
        return (init_settings,)

    @field_validator('api_base', mode='before')
    @classmethod
    def _api_base(cls, value: str) -> str:
        return _http_url(value.rstrip('/'))

    @field_validator('bot_url', 'redirect_url_setting')
    @classmethod
    def _url(cls, value: Optional[str]) -> Optional[str]:
        return _http_url(value)

    @field_validator('redis_sentinels', mode='before')
    @classmethod
    def _sentinels(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        sentinels = []
        for entry in value.split(','):
            # host, IPv4 address or [IPv6 address], then an optional :port
            match = re.fullmatch(r'(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<host>[^\s:\[\]]+))(?::(?P<port>\d{1,5}))?',
                                 entry.strip())
            port = int(match['port'] or DEFAULT_SENTINEL_PORT) if match else 0
            if not 0 < port < 65536:
                raise ValueError('must be a comma-separated list of host:port (e.g. s1:26379,s2:26379)')
            sentinels.append((match['ipv6'] or match['host'], port))
        return tuple(sentinels)

    @field_validator('redis_sentinel_master')
    @classmethod
    def _master_with_sentinels(cls, value: Optional[str], info: ValidationInfo) -> Optional[str]:
        if info.data.get('redis_sentinels') and not value:
            raise ValueError("is required when REDIS_SENTINELS is set: the name of the master they watch")
        return value

    @field_validator('log_level', mode='before')
    @classmethod
    def _log_level(cls, value: str) -> str:
        if logging.getLevelName(value.upper()) == f'Level {value.upper()}':
            raise ValueError('must be one of DEBUG, INFO, WARNING, ERROR')
        return value.upper()

    @field_validator('log_format', mode='before')
    @classmethod
    def _log_format(cls, value: str) -> str:
        return value.lower()

    @field_validator('token_key')
    @classmethod
    def _fernet_keys(cls, value: Optional[str]) -> Optional[str]:
        if value is None:
            return None
        keys = [key.strip() for key in value.split(',')]
        for number, key in enumerate(keys, 1):
            try:
                Fernet(key.encode())
            except ValueError:
                which = f' (key {number} of {len(keys)} is not one)' if len(keys) > 1 else ''
                raise ValueError(f'must be a Fernet key (32 url-safe base64-encoded bytes), or several separated by '
                                 f'commas, newest first{which}; make one with: python -c "from cryptography.fernet '
                                 f'import Fernet; print(Fernet.generate_key().decode())"') from None
        if len(set(keys)) < len(keys):
            raise ValueError('names a key twice')
        return ','.join(keys)

    @field_validator('locale')
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in LOCALES:
            raise ValueError(f'must be one of {", ".join(sorted(LOCALES))}')
        return value

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
    def token_keys(self) -> tuple[str, ...]:
        """
        The Fernet keys of ``WXC_CC_TOKEN_KEY``, newest first: tokens are encrypted with the first and read with any
        (a key is rotated by putting a new one in front); none: tokens are stored in plain text.
        """
        return tuple(self.token_key.split(',')) if self.token_key else ()

    @property
    def uses_redis(self) -> bool:
        """
        True if any Redis variable is set (a host, a URL or Sentinels), which selects the Redis token store.
        """
        return bool(self.redis_host or self.redis_url or self.redis_tls_url or self.redis_sentinels)

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
    def secrets(self) -> tuple[str, ...]:
        """
        Every secret value, for the log's redaction: the secret settings, the webhook secret in effect, each token
        key, and the passwords of the Redis URLs (as written and decoded) rather than the URLs.
        """
        values = [getattr(self, name) for name, field in type(self).model_fields.items()
                  if not field.repr and name not in ('redis_url', 'redis_tls_url')]
        passwords = [urlparse(url).password for url in (self.redis_url, self.redis_tls_url) if url]
        return tuple(value for value in (*values, self.webhook_secret, *self.token_keys, *passwords,
                                         *(unquote(password) for password in passwords if password)) if value)

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
        return self.model_copy(update={'public_url': public_url.rstrip('/')})


#: environment variable -> settings field, for the values that must be present
REQUIRED = {field.validation_alias: name for name, field in Settings.model_fields.items()
            if field.validation_alias and field.is_required()}

#: environment variable -> settings field, for the optional values
OPTIONAL = {field.validation_alias: name for name, field in Settings.model_fields.items()
            if field.validation_alias and not field.is_required()}


def drain_timeout(dotenv: Mapping[str, Optional[str]], environ: Optional[Mapping[str, str]] = None) -> float:
    """
    ``WXC_CC_DRAIN_TIMEOUT`` alone, for gunicorn's settings (:mod:`wxc_cc.gunicorn_conf`), which are read before the
    bot's: from the environment, else ``.env``; its default when unset or invalid (the bot then refuses to start and
    says why).

    :param dotenv: the values of ``.env``
    :param environ: the environment (default: :data:`os.environ`)
    """
    environ = os.environ if environ is None else environ
    field = Settings.model_fields['drain_timeout']
    value = environ.get('WXC_CC_DRAIN_TIMEOUT', dotenv.get('WXC_CC_DRAIN_TIMEOUT'))
    if value is None:
        return field.default
    try:
        return TypeAdapter(Annotated[float, *field.metadata]).validate_python(value)
    except ValidationError:
        return field.default


def expectation(field: FieldInfo) -> Optional[str]:
    """
    What a field accepts, in words, from its type and bounds: ``a whole number from 1 to 256``,
    ``true or false``, ``one of text, json``, ``a list of strings``, ``an object``.

    :param field: a field of a pydantic model
    :return: the words, or ``None`` for types without a simple description
    """
    kind = field.annotation
    if get_origin(kind) is Literal:
        return f'one of {", ".join(map(str, get_args(kind)))}'
    if kind is bool:
        return 'true or false'
    if kind in (int, float):
        bounds = {name: getattr(rule, name) for rule in field.metadata for name in ('ge', 'gt', 'le', 'lt')
                  if hasattr(rule, name)}
        noun = 'a whole number' if kind is int else 'a number'
        if {'ge', 'le'} <= set(bounds):
            return f'{noun} from {bounds["ge"]} to {bounds["le"]}'
        words = {'ge': 'of at least', 'gt': 'greater than', 'le': 'of at most', 'lt': 'less than'}
        return ' '.join([noun, ' and '.join(f'{words[name]} {value}' for name, value in bounds.items())]).strip()
    if get_origin(kind) in (frozenset, list, tuple) and get_args(kind)[0] is str:
        return 'a list of strings'
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return 'an object'
    return None


#: the key under which :func:`load_settings` passes each field: its variable, or its name when it has none
_KEYS = {name: field.validation_alias or name for name, field in Settings.model_fields.items()}
_FIELDS = {key: name for name, key in _KEYS.items()}


def _problems(error: ValidationError) -> list[str]:
    """One phrase per invalid variable, the missing ones together first; no value of a secret."""
    missing: list[str] = []
    problems: dict[str, str] = {}
    for item in error.errors():
        # pydantic names a field by its variable when given, by its name when the default failed validation
        name = str(item['loc'][0]) if item['loc'] else ''
        name = _FIELDS.get(name, name)
        key, field = _KEYS.get(name, name or 'settings'), Settings.model_fields.get(name)
        if item['type'] == 'missing':
            missing.append(key)
        elif key in problems:
            continue
        elif field is None:
            problems[key] = f'{key}: {item["msg"]}'
        else:
            if item['type'] == 'value_error':
                what = str(item['ctx']['error'])
            else:
                what = f'must be {expectation(field)}' if expectation(field) else f'is invalid: {item["msg"]}'
            shown = field.repr and item.get('input') is not None and len(item['loc']) == 1
            problems[key] = f'{key} {what}' + (f', not {item["input"]!r}' if shown else '')
    if missing:
        return [f'missing required setting(s): {", ".join(missing)} (set them in the environment or in .env)',
                *problems.values()]
    return list(problems.values())


def load_settings(overrides: Optional[Mapping[str, object]] = None,
                  environ: Optional[Mapping[str, str]] = None) -> Settings:
    """
    Read the settings from the environment.

    :param overrides: explicit values by environment variable name (e.g. ``{'PORT': 0}``); they win over
        ``environ``. Keys that are not environment variables of the bot are taken as :class:`Settings` field
        names (e.g. ``token_file``). A blank value counts as unset, also when it overrides the environment.
    :param environ: the environment to read; default: :data:`os.environ`
    :return: the settings
    :raises ConfigError: when required values are missing or values are invalid, naming every such variable
    """
    if environ is None:
        environ = os.environ
    merged = {key: value for key, value in environ.items() if key in REQUIRED or key in OPTIONAL}
    merged.update({_KEYS.get(key, key): value for key, value in (overrides or {}).items()})
    values = {key: str(value).strip() for key, value in merged.items()
              if key in _FIELDS and value is not None and str(value).strip()}
    try:
        settings = Settings(**values)
    except ValidationError as error:
        raise ConfigError('; '.join(_problems(error))) from None
    if public := settings.configured_public_url:
        settings = settings.with_public_url(public)
    return settings
