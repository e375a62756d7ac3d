"""
Settings: required values, defaults, precedence, derived values.
"""
import pytest

from tests.conftest import settings_values
from wxc_cc.config import DEFAULT_SCOPES, ConfigError, load_settings


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


@pytest.mark.parametrize('variable, value', [('PORT', 'eighty'), ('PORT', '70000'), ('WEBEX_API_BASE_URL', 'x'),
                                             ('WXC_CC_BOT_URL', 'ftp://x'), ('LOG_LEVEL', 'LOUD')])
def test_invalid_values_are_reported(variable, value):
    with pytest.raises(ConfigError, match=variable):
        load_settings(settings_values(**{variable: value}), environ={})


def test_secrets_are_not_in_the_repr():
    text = repr(load_settings(settings_values(WXC_CC_WEBHOOK_SECRET='hook-secret'), environ={}))
    assert 'bot-access-token' not in text and 'integration-client-secret' not in text and 'hook-secret' not in text


def test_redis_selection():
    assert load_settings(settings_values(REDIS_URL='redis://x'), environ={}).uses_redis
    assert load_settings(settings_values(REDIS_HOST='redis'), environ={}).uses_redis
