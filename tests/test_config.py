"""
Settings: required values, defaults, precedence, derived values, and what an operator is told when something is
wrong.
"""
import pydantic
import pytest
from cryptography.fernet import Fernet

from tests.conftest import BOT_TOKEN, CLIENT_SECRET, settings_values
from wxc_cc.config import DEFAULT_SCOPES, OPTIONAL, REQUIRED, ConfigError, load_settings

pytestmark = pytest.mark.unit


def test_missing_required_values_are_all_named():
    with pytest.raises(ConfigError) as error:
        load_settings({'WXC_CC_BOT_NAME': 'ccbot', 'WXC_CC_BOT_EMAIL': '  '}, environ={})
    message = str(error.value)
    for name in ('WXC_CC_BOT_EMAIL', 'WXC_CC_BOT_ACCESS_TOKEN', 'WXC_CC_INTEGRATION_CLIENT_ID',
                 'WXC_CC_INTEGRATION_CLIENT_SECRET'):
        assert name in message
    assert 'WXC_CC_BOT_NAME' not in message


def test_defaults():
    values = settings_values()
    del values['WEBEX_API_BASE_URL'], values['WXC_CC_BOT_URL']
    settings = load_settings(values, environ={})
    assert settings.client_scopes == DEFAULT_SCOPES
    assert settings.api_base == 'https://webexapis.com/v1'
    assert settings.port == 6001 and settings.log_level == 'INFO'
    assert settings.public_url is None
    assert settings.redirect_url == 'http://localhost:6001/redirect'
    assert settings.token_file == 'wxc_cc_bot.yml' and not settings.uses_redis
    assert (settings.max_command_age, settings.claim_after) == (300, 10)
    assert (settings.metrics_token, settings.log_format) == (None, 'text')
    assert (settings.redis_sentinels, settings.redis_sentinel_master) == ((), None)


def test_explicit_values_win_over_the_environment():
    environ = settings_values(PORT='7000', LOG_LEVEL='debug')
    settings = load_settings({'PORT': 0, 'WXC_CC_BOT_NAME': 'other'}, environ=environ)
    assert (settings.port, settings.bot_name, settings.log_level) == (0, 'other', 'DEBUG')


@pytest.mark.parametrize('variables, public, redirect', [
    ({'WXC_CC_BOT_URL': 'https://bot.example/'}, 'https://bot.example', 'https://bot.example/redirect'),
    ({'WXC_CC_BOT_URL': None, 'HEROKU_NAME': 'myapp'}, 'https://myapp.herokuapp.com',
     'https://myapp.herokuapp.com/redirect'),
    ({'WXC_CC_BOT_URL': 'https://a.example', 'HEROKU_NAME': 'myapp'}, 'https://a.example',
     'https://a.example/redirect'),
    ({'WXC_CC_BOT_URL': None, 'PORT': '7001'}, None, 'http://localhost:7001/redirect'),
    ({'WXC_CC_INTEGRATION_REDIRECT_URL': 'https://r.example/cb'}, 'https://bot.test', 'https://r.example/cb'),
])
def test_public_and_redirect_url(variables, public, redirect):
    settings = load_settings(settings_values(**variables), environ={})
    assert (settings.public_url, settings.redirect_url) == (public, redirect)


def test_webhook_secret_is_configured_or_derived_stably():
    derived = load_settings(settings_values(), environ={}).webhook_secret
    assert derived == load_settings(settings_values(), environ={}).webhook_secret
    assert len(derived) >= 32 and 'bot-access-token' not in derived
    other_bot = load_settings(settings_values(WXC_CC_BOT_ACCESS_TOKEN='another'), environ={}).webhook_secret
    assert other_bot != derived
    assert load_settings(settings_values(WXC_CC_WEBHOOK_SECRET='s3cret'), environ={}).webhook_secret == 's3cret'


@pytest.mark.parametrize('variable, value, message', [
    ('PORT', 'eighty', "PORT must be a whole number from 0 to 65535, not 'eighty'"),
    ('PORT', '70000', "PORT must be a whole number from 0 to 65535, not '70000'"),
    ('WXC_CC_WORKER_THREADS', 'x', "WXC_CC_WORKER_THREADS must be a whole number from 1 to 256, not 'x'"),
    ('WXC_CC_WORKER_THREADS', '2.5', "WXC_CC_WORKER_THREADS must be a whole number from 1 to 256, not '2.5'"),
    ('WXC_CC_NGROK_TIMEOUT', 'inf', "WXC_CC_NGROK_TIMEOUT must be a number from 0 to 3600, not 'inf'"),
    ('WXC_CC_DRAIN_TIMEOUT', '-1', "WXC_CC_DRAIN_TIMEOUT must be a number from 0 to 3600, not '-1'"),
    ('WXC_CC_WEBHOOK_CHECK_INTERVAL', '86401',
     "WXC_CC_WEBHOOK_CHECK_INTERVAL must be a number from 0 to 86400, not '86401'"),
    ('WXC_CC_MAX_COMMAND_AGE', '0', "WXC_CC_MAX_COMMAND_AGE must be a number from 1 to 86400, not '0'"),
    ('WXC_CC_MAX_COMMAND_AGE', 'nan', "WXC_CC_MAX_COMMAND_AGE must be a number from 1 to 86400, not 'nan'"),
    ('WXC_CC_CLAIM_AFTER', '3601', "WXC_CC_CLAIM_AFTER must be a number from 3 to 3600, not '3601'"),
    ('WXC_CC_CLAIM_AFTER', '2', "WXC_CC_CLAIM_AFTER must be a number from 3 to 3600, not '2'"),
    ('WEBEX_API_BASE_URL', 'x', "WEBEX_API_BASE_URL must be an http(s) URL, not 'x'"),
    ('WXC_CC_BOT_URL', 'ftp://x', "WXC_CC_BOT_URL must be an http(s) URL, not 'ftp://x'"),
    ('WXC_CC_INTEGRATION_REDIRECT_URL', 'https://',
     "WXC_CC_INTEGRATION_REDIRECT_URL must be an http(s) URL, not 'https://'"),
    ('LOG_LEVEL', 'LOUD', "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, not 'LOUD'"),
    ('LOG_FORMAT', 'xml', "LOG_FORMAT must be one of text, json, not 'xml'"),
    ('LOCALE', 'xx_XX', "LOCALE must be one of de_DE, en_US, not 'xx_XX'"),
    ('REDIS_SENTINELS', 's1:26379,s2:port',
     "REDIS_SENTINELS must be a comma-separated list of host:port (e.g. s1:26379,s2:26379), not 's1:26379,s2:port'"),
])
def test_invalid_values_are_reported_by_variable(variable, value, message):
    with pytest.raises(ConfigError) as error:
        load_settings(settings_values(**{variable: value}), environ={})
    assert str(error.value) == message


def test_every_problem_is_in_one_line():
    with pytest.raises(ConfigError) as error:
        load_settings({'WXC_CC_BOT_NAME': 'ccbot', 'PORT': 'eighty', 'LOG_FORMAT': 'xml'}, environ={})
    assert str(error.value) == (
        'missing required setting(s): WXC_CC_BOT_EMAIL, WXC_CC_BOT_ACCESS_TOKEN, WXC_CC_INTEGRATION_CLIENT_ID, '
        'WXC_CC_INTEGRATION_CLIENT_SECRET (set them in the environment or in .env); '
        "PORT must be a whole number from 0 to 65535, not 'eighty'; LOG_FORMAT must be one of text, json, not 'xml'")


def test_messages_never_show_a_secret():
    with pytest.raises(ConfigError) as error:
        load_settings(settings_values(WXC_CC_TOKEN_KEY='my-secret-key', PORT='x'), environ={})
    message = str(error.value)
    assert message.startswith("PORT must be a whole number from 0 to 65535, not 'x'; WXC_CC_TOKEN_KEY must be a "
                              'Fernet key (32 url-safe base64-encoded bytes), or several separated by commas, newest '
                              'first; make one with: python -c')
    assert 'my-secret-key' not in message and 'token_key' not in message


def test_token_keys_are_a_list_newest_first():
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings = load_settings(settings_values(WXC_CC_TOKEN_KEY=f' {new} , {old}'), environ={})
    assert settings.token_keys == (new, old)
    assert {new, old} <= set(settings.secrets), 'each key is masked in the log on its own'
    assert load_settings(settings_values(), environ={}).token_keys == ()
    for value, problem in ((f'{new},not-a-key', 'key 2 of 2 is not one'), (f'{new},', 'key 2 of 2 is not one'),
                           (f'{new},{new}', 'names a key twice')):
        with pytest.raises(ConfigError) as error:
            load_settings(settings_values(WXC_CC_TOKEN_KEY=value), environ={})
        assert str(error.value).startswith('WXC_CC_TOKEN_KEY ') and problem in str(error.value)
        assert new not in str(error.value) and 'not-a-key' not in str(error.value)


def test_secrets_are_neither_in_the_repr_nor_in_str():
    secrets = {'WXC_CC_WEBHOOK_SECRET': 'hook-secret', 'WXC_CC_METRICS_TOKEN': 'metrics-secret',
               'WXC_CC_TOKEN_KEY': Fernet.generate_key().decode(), 'REDIS_URL': 'redis://:redis-secret@redis:6379/0',
               'REDIS_TLS_URL': 'rediss://:tls-secret@redis:6380/0'}
    settings = load_settings(settings_values(**secrets), environ={})
    assert settings.metrics_token == 'metrics-secret' and settings.bot_token == BOT_TOKEN
    for text in (repr(settings), str(settings), repr(settings.with_public_url('https://other.test'))):
        assert 'ccbot@webex.bot' in text, 'the other settings are shown'
        for secret in (BOT_TOKEN, CLIENT_SECRET, *secrets.values()):
            assert secret not in text


def test_settings_are_read_only_from_what_load_settings_is_given(monkeypatch, tmp_path):
    monkeypatch.setenv('PORT', '7000')
    monkeypatch.setenv('LOG_FORMAT', 'json')
    (tmp_path / '.env').write_text('WXC_CC_WORKER_THREADS=3\n')
    settings = load_settings(settings_values(), environ={'port': '7001', 'public_url': 'https://env.test'})
    assert (settings.port, settings.log_format, settings.worker_threads) == (6001, 'text', 64)
    assert settings.public_url == 'https://bot.test', 'field names count only among the explicit values'
    assert load_settings(settings_values(), environ=None).port == 7000, 'default: os.environ'


def test_blank_values_count_as_unset_also_when_explicit():
    environ = settings_values(REDIS_URL='redis://redis:6379/0', WXC_CC_WORKER_THREADS='4')
    settings = load_settings({'REDIS_URL': '  ', 'WXC_CC_WORKER_THREADS': None}, environ=environ)
    assert not settings.uses_redis and settings.worker_threads == 64


def test_values_are_normalised():
    settings = load_settings(settings_values(LOG_LEVEL=' warning ', LOG_FORMAT='JSON', WXC_CC_CLAIM_AFTER=' 4.5',
                                             WEBEX_API_BASE_URL='https://webex.test/v1/', WXC_CC_MAX_COMMAND_AGE=60),
                             environ={})
    assert (settings.log_level, settings.log_format, settings.api_base) == ('WARNING', 'json', 'https://webex.test/v1')
    assert (settings.claim_after, settings.max_command_age) == (4.5, 60)


def test_settings_are_immutable():
    settings = load_settings(settings_values(), environ={})
    with pytest.raises(pydantic.ValidationError):
        settings.port = 1
    moved = settings.with_public_url('https://moved.test/')
    assert (moved.public_url, settings.public_url) == ('https://moved.test', 'https://bot.test')


def test_every_variable_is_declared_once():
    assert list(REQUIRED) == ['WXC_CC_BOT_EMAIL', 'WXC_CC_BOT_ACCESS_TOKEN', 'WXC_CC_BOT_NAME',
                              'WXC_CC_INTEGRATION_CLIENT_ID', 'WXC_CC_INTEGRATION_CLIENT_SECRET']
    assert {'WXC_CC_MAX_COMMAND_AGE', 'WXC_CC_CLAIM_AFTER', 'WXC_CC_METRICS_TOKEN', 'LOG_FORMAT', 'REDIS_SENTINELS',
            'REDIS_SENTINEL_MASTER', 'PORT', 'LOCALE'} <= set(OPTIONAL)
    assert not set(REQUIRED) & set(OPTIONAL) and 'public_url' not in {*REQUIRED.values(), *OPTIONAL.values()}


def test_redis_selection():
    assert load_settings(settings_values(REDIS_URL='redis://x'), environ={}).uses_redis
    assert load_settings(settings_values(REDIS_HOST='redis'), environ={}).uses_redis
    sentinels = load_settings(settings_values(REDIS_SENTINELS='s1:26380, 10.0.0.2 ,[::1]:26381',
                                              REDIS_SENTINEL_MASTER='mymaster'), environ={})
    assert sentinels.uses_redis and sentinels.redis_sentinel_master == 'mymaster'
    assert sentinels.redis_sentinels == (('s1', 26380), ('10.0.0.2', 26379), ('::1', 26381))


@pytest.mark.parametrize('sentinels', ['s1:0', 's1:65536', 's1:26379,,s2:26379', '::1:26379', 'two words:1', ','])
def test_malformed_sentinels_are_refused(sentinels):
    with pytest.raises(ConfigError, match='^REDIS_SENTINELS must be a comma-separated list of host:port'):
        load_settings(settings_values(REDIS_SENTINELS=sentinels, REDIS_SENTINEL_MASTER='m'), environ={})


def test_sentinels_need_the_master_name():
    with pytest.raises(ConfigError) as error:
        load_settings(settings_values(REDIS_SENTINELS='s1:26379'), environ={})
    assert str(error.value) == ('REDIS_SENTINEL_MASTER is required when REDIS_SENTINELS is set: the name of the '
                                'master they watch')
    assert not load_settings(settings_values(REDIS_SENTINEL_MASTER='mymaster'), environ={}).uses_redis
