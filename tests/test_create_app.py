"""
create_app(): settings from .env and the environment, the public URL from ngrok, and a clean stop when the
bot cannot start.
"""
from pathlib import Path

import pytest
import responses

from tests.conftest import API, BOT_TOKEN, settings_values, shut_down
from tests.test_ngrokhelper import TUNNELS, Agent
from wxc_cc_bot import EXIT_CANNOT_START, create_app

pytestmark = pytest.mark.unit


def mock_webex(rsps: responses.RequestsMock) -> None:
    rsps.get(f'{API}/people/me', json={'id': 'BOT', 'emails': ['ccbot@webex.bot'], 'displayName': 'CC Bot'})
    rsps.get(f'{API}/webhooks', json={'items': []})
    rsps.post(f'{API}/webhooks', json={'id': 'W', 'name': 'n', 'targetUrl': 't', 'status': 'active',
                                       'created': '2026-01-01T00:00:00Z'})


def test_settings_come_from_dot_env_in_the_working_directory(tmp_path: Path, monkeypatch):
    (tmp_path / '.env').write_text('\n'.join(f'{k}={v}' for k, v in settings_values().items()))
    monkeypatch.setenv('WXC_CC_BOT_NAME', 'from-environment')
    with responses.RequestsMock() as rsps:
        mock_webex(rsps)
        app = create_app()
        shut_down(app)
    assert app.settings.bot_token == BOT_TOKEN and app.settings.api_base == API
    assert app.settings.bot_name == 'from-environment', 'the environment wins over .env'
    assert app.core.stores.kind == 'yaml'


def test_public_url_from_ngrok(tmp_path: Path):
    agent = Agent(TUNNELS)
    values = settings_values(NGROK_HOST=agent.host, WXC_CC_BOT_URL=None)
    try:
        with responses.RequestsMock() as rsps:
            rsps.add_passthru(f'http://{agent.host}')
            mock_webex(rsps)
            app = create_app(values)
            shut_down(app)
            created = [c.request.body for c in rsps.calls if c.request.method == 'POST']
    finally:
        agent.stop()
    assert app.settings.public_url == 'https://abc.ngrok.example'
    assert b'"targetUrl": "https://abc.ngrok.example/"' in created[0]
    assert app.settings.redirect_url == 'http://localhost:6001/redirect', 'ngrok URLs change; localhost does not'
    assert app.call_event_url('P1') == 'https://abc.ngrok.example/callevent/P1'


def test_refused_bot_token_stops_with_one_line(capsys):
    with responses.RequestsMock() as rsps:
        rsps.get(f'{API}/people/me', status=401, json={'message': 'The request requires a valid access token.',
                                                       'errors': [{'description': 'Invalid token'}]})
        with pytest.raises(SystemExit) as stop:
            create_app(settings_values())
    assert stop.value.code == EXIT_CANNOT_START
    assert capsys.readouterr().err == (f'wxc_cc_bot cannot start: Webex at {API} refused the bot or could not be '
                                       'reached (401 Invalid token); check WXC_CC_BOT_ACCESS_TOKEN\n')


def test_invalid_policy_stops_with_one_line(capsys, tmp_path):
    (tmp_path / 'policy.json').write_text('{"admins": "me"}')
    with responses.RequestsMock() as rsps:  # nothing is asked of Webex before the policy is read
        with pytest.raises(SystemExit):
            create_app(settings_values(WXC_CC_CONFIG_FILE=str(tmp_path / 'policy.json')))
        assert len(rsps.calls) == 0
    assert capsys.readouterr().err == (f'wxc_cc_bot cannot start: policy file {tmp_path}/policy.json: admins must be '
                                       'a list of strings, not "me"\n')


def test_no_tunnel_stops_with_one_line(capsys, refused: int):
    with pytest.raises(SystemExit):
        create_app(settings_values(WXC_CC_BOT_URL=None, NGROK_HOST=f'127.0.0.1:{refused}',
                                   WXC_CC_NGROK_TIMEOUT='0.3'))
    assert 'wxc_cc_bot cannot start: no ngrok tunnel appeared' in capsys.readouterr().err
