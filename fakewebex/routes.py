"""
The REST routes under ``/v1``: parse the request, call the world, answer JSON.
"""
import html
import logging
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, redirect, request

from .auth import AuthorizeError
from .errors import WebexError
from .models import Person
from .telephony import API_ACTIONS
from .world import World

__all__ = ['bp', 'WORLD_KEY']

log = logging.getLogger(__name__)

#: key of the world in ``app.extensions``
WORLD_KEY = 'fakewebex.world'

bp = Blueprint('webex_v1', __name__, url_prefix='/v1')


# --- request helpers

def _world() -> World:
    return current_app.extensions[WORLD_KEY]


def _caller() -> Person:
    """
    :return: owner of the request's valid bearer token
    :raises WebexError: 401 without one
    """
    person = g.get('person')
    if person is None:
        raise WebexError(401)
    return person


def _calling_user(write: bool) -> Person:
    """
    :param write: True for call control actions, False for reading calls
    :return: the caller, a user with a token allowed to use call control
    :raises WebexError: 401 without token, 403 for bots or tokens without the calling scope
    """
    person = _caller()
    if person.is_bot:
        raise WebexError(403, description='Call control is not available with a bot token')
    scope = 'spark:calls_write' if write else 'spark:calls_read'
    granted = g.token.scope.split()
    if granted and scope not in granted:
        raise WebexError(403, description=f'The access token is missing the scope {scope}')
    return person


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise WebexError(400, description='The request body must be a JSON object')
    return body


def _items(items: list) -> Response:
    return jsonify({'items': items})


def _no_content() -> Response:
    return Response(status=204)


def _html_page(status: int, text: str) -> Response:
    page = f'<!doctype html><html><head><title>Webex</title></head><body><h1>Error</h1><p>{html.escape(text)}</p>' \
           f'</body></html>'
    return Response(page, status=status, mimetype='text/html')


# --- OAuth

@bp.get('/authorize')
def authorize() -> Response:
    try:
        return redirect(_world().auth.authorize(request.args.to_dict()), 302)
    except AuthorizeError as e:
        return _html_page(400, str(e))


@bp.post('/access_token')
def access_token() -> Response:
    form = request.form.to_dict() or request.get_json(silent=True)
    return jsonify(_world().auth.grant(form if isinstance(form, dict) else {}))


# --- people

@bp.get('/people/me')
def people_me() -> Response:
    return jsonify(World.person_json(_caller(), request.args.get('callingData') == 'true'))


@bp.get('/people/<person_id>')
def people_get(person_id: str) -> Response:
    _caller()
    return jsonify(World.person_json(_world().person(person_id), request.args.get('callingData') == 'true'))


@bp.get('/people')
def people_list() -> Response:
    _caller()
    email, name, ids = request.args.get('email'), request.args.get('displayName'), request.args.get('id')
    if not (email or name or ids):
        raise WebexError(400, description='One of email, displayName or id is required')
    found = [p for p in _world().people()
             if (not email or p.email.lower() == email.lower())
             and (not name or p.display_name.lower().startswith(name.lower()))
             and (not ids or p.id in ids.split(','))]
    return _items([World.person_json(p) for p in found])


# --- messages

@bp.get('/messages')
def messages_list() -> Response:
    room_id = request.args.get('roomId')
    if not room_id:
        raise WebexError(400, description='roomId is required')
    max_items = request.args.get('max', type=int)
    return _items(_world().messaging.list_room(_caller(), room_id, max_items))


@bp.post('/messages')
def messages_create() -> Response:
    return jsonify(_world().messaging.post(_caller(), _json_body()))


@bp.get('/messages/<message_id>')
def messages_get(message_id: str) -> Response:
    return jsonify(_world().messaging.get(_caller(), message_id))


@bp.delete('/messages/<message_id>')
def messages_delete(message_id: str) -> Response:
    _world().messaging.delete(_caller(), message_id)
    return _no_content()


# --- webhooks

@bp.get('/webhooks')
def webhooks_list() -> Response:
    return _items(_world().hooks.list(_caller()))


@bp.post('/webhooks')
def webhooks_create() -> Response:
    return jsonify(_world().hooks.create(_caller(), g.token.app_id, _json_body()))


@bp.get('/webhooks/<webhook_id>')
def webhooks_get(webhook_id: str) -> Response:
    return jsonify(_world().hooks.get(_caller(), webhook_id))


@bp.put('/webhooks/<webhook_id>')
def webhooks_update(webhook_id: str) -> Response:
    return jsonify(_world().hooks.update(_caller(), webhook_id, _json_body()))


@bp.delete('/webhooks/<webhook_id>')
def webhooks_delete(webhook_id: str) -> Response:
    _world().hooks.delete(_caller(), webhook_id)
    return _no_content()


# --- telephony

@bp.get('/telephony/calls')
def calls_list() -> Response:
    return _items(_world().telephony.calls(_calling_user(write=False)))


@bp.get('/telephony/calls/history')
def calls_history() -> Response:
    return _items(_world().telephony.history(_calling_user(write=False), request.args.get('type')))


@bp.get('/telephony/calls/<call_id>')
def calls_get(call_id: str) -> Response:
    return jsonify(_world().telephony.get(_calling_user(write=False), call_id))


@bp.post('/telephony/calls/dial')
def calls_dial() -> Response:
    call = _world().telephony.dial(_calling_user(write=True), _json_body().get('destination'))
    return jsonify({'callId': call.id, 'callSessionId': call.session_id}), 201


@bp.post('/telephony/calls/<action>')
def calls_action(action: str) -> Response:
    if action not in API_ACTIONS:
        raise WebexError(404, description=f'Unknown call control action {action!r}')
    _world().telephony.act(_calling_user(write=True), action, _json_body().get('callId'))
    return _no_content()
