"""
The browser's side of OAuth, ``/v1/authorize``. By default the person :attr:`FakeWebex.consent_as` decides at
once and the browser is redirected. With ``FakeWebex.consent_page = True`` a real browser gets an emulated
consent page instead: "Sign in to Webex as … — the app asks for … — Allow / Deny"; the form posts back to
``/v1/authorize``, which redirects to the integration's ``redirect_uri`` with ``code`` and ``state`` (or
``error=access_denied``), as Webex does after a person consents.
"""
import html
import logging
from typing import Mapping, Optional

from flask import Response, redirect, request

from .auth import AuthorizeError, Integration
from .models import Person
from .routes import bp, current_world, html_page

__all__ = ['SCOPE_TEXTS', 'FORWARDED', 'consent_page']

log = logging.getLogger(__name__)

#: what the consent page says a scope allows
SCOPE_TEXTS = {
    'spark:calls_write': 'Control your calls (dial, answer, hang up, hold, transfer …)',
    'spark:calls_read': 'See your calls, call history and voice messages',
    'spark:kms': 'Access your encrypted content',
    'spark-admin:telephony_config_read': 'Read the Webex Calling configuration',
    'spark:people_read': 'Read your and your colleagues\' profiles',
    'spark:telephony_config_read': 'Read your calling settings (Do Not Disturb, call forwarding, your numbers)',
    'spark:telephony_config_write': 'Change your calling settings (Do Not Disturb, call forwarding)',
}

#: authorize request parameters the form carries back
FORWARDED = ('client_id', 'response_type', 'redirect_uri', 'scope', 'state')

_STYLE = ('body{font-family:system-ui,sans-serif;background:#f3f5f7;margin:0}'
          'main{max-width:30em;margin:3em auto;background:#fff;border-radius:12px;padding:2em;'
          'box-shadow:0 2px 12px #0002}h1{font-size:1.3em;margin-top:0}.note{color:#666;font-size:.85em}'
          'select,button{font-size:1em;padding:.4em .8em}button{border-radius:6px;border:1px solid #999;'
          'cursor:pointer;margin-right:.5em}button[value=allow]{background:#0a7f3f;color:#fff;border-color:#0a7f3f}'
          'li{margin:.3em 0}code{font-size:.85em;color:#555}')


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def consent_page(params: Mapping[str, str], integration: Integration, people: list[Person],
                 signed_in: Optional[Person]) -> str:
    """
    The consent page.

    :param params: the authorize request's parameters (validated)
    :param integration: the integration asking
    :param people: who may sign in (persons, no bots)
    :param signed_in: preselected person, if any
    :return: HTML, every value escaped
    """
    app = integration.name or f'The integration {integration.client_id}'
    scopes = (params.get('scope') or integration.scopes).split()
    options = ''.join(
        f'<option value="{_e(p.id)}"{" selected" if signed_in is not None and p.id == signed_in.id else ""}>'
        f'{_e(p.display_name)} ({_e(p.email)})</option>' for p in people)
    items = ''.join(f'<li>{_e(SCOPE_TEXTS.get(s, s))} <code>{_e(s)}</code></li>' for s in scopes)
    hidden = ''.join(f'<input type="hidden" name="{name}" value="{_e(params[name])}">'
                     for name in FORWARDED if name in params)
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width"><title>Webex: sign in and allow access</title><style>{_STYLE}</style>'
            f'</head><body><main><form method="post" action="authorize">{hidden}'
            f'<h1>Sign in to Webex</h1><p><label>Sign in as <select name="person" id="person">{options}</select>'
            f'</label></p><p><strong>{_e(app)}</strong> asks for permission to:</p><ul>{items}</ul>'
            '<p><button type="submit" name="decision" value="allow">Allow</button>'
            '<button type="submit" name="decision" value="deny">Deny</button></p>'
            '<p class="note">This is the local Webex emulator: no real account is used and nothing leaves '
            'this machine.</p></form></main></body></html>')


@bp.get('/authorize')
def authorize() -> Response:
    """The authorize URL: redirect at once, or show the consent page; an error page for invalid requests."""
    world = current_world()
    params = request.args.to_dict()
    try:
        if not world.auth.consent_page:
            return redirect(world.auth.authorize(params), 302)
        integration = world.auth.check(params)
        people = [p for p in world.people() if not p.is_bot]
        if not people:
            raise AuthorizeError('Nobody can sign in: the fake Webex has no people.')
    except AuthorizeError as e:
        return html_page(400, str(e))
    return Response(consent_page(params, integration, people, world.auth.consent_as), mimetype='text/html',
                    headers={'Cache-Control': 'no-store'})


@bp.post('/authorize')
def authorize_decision() -> Response:
    """The consent form: the person chosen allows or denies; redirect to the integration."""
    world = current_world()
    form = request.form.to_dict()
    params = {name: form[name] for name in FORWARDED if name in form}
    person = world.find_person(form.get('person', ''))
    try:
        if person is None or person.is_bot:
            raise AuthorizeError('Choose a person to sign in as.')
        location = world.auth.decide(params, person, form.get('decision', ''))
    except AuthorizeError as e:
        return html_page(400, str(e))
    log.info('consent page: %s chose %s for %s', person.email, form.get('decision'), params.get('client_id'))
    return redirect(location, 303)
