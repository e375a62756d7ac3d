"""
The Webex Calling routes under ``/v1/telephony``: call control and voice messages (user tokens only).
"""
import logging

from flask import Response, jsonify, request

from .callcontrol import ACTIONS
from .errors import WebexError, optional_str
from .routes import bp, calling_user, current_world, items, json_body, no_content
from .telephony import API_ACTIONS

__all__ = []

log = logging.getLogger(__name__)


# --- calls

@bp.get('/telephony/calls')
def calls_list() -> Response:
    return items(current_world().telephony.calls(calling_user(write=False)))


@bp.get('/telephony/calls/history')
def calls_history() -> Response:
    return items(current_world().telephony.history(calling_user(write=False), request.args.get('type')))


@bp.get('/telephony/calls/<call_id>')
def calls_get(call_id: str) -> Response:
    return jsonify(current_world().telephony.get(calling_user(write=False), call_id))


@bp.post('/telephony/calls/dial')
def calls_dial() -> Response:
    person, body = calling_user(write=True), json_body()
    call = current_world().telephony.dial(person, body.get('destination'), optional_str(body, 'endpointId'))
    return jsonify({'callId': call.id, 'callSessionId': call.session_id}), 201


@bp.post('/telephony/calls/answer')
def calls_answer() -> Response:
    person, body = calling_user(write=True), json_body()
    current_world().telephony.answer(person, body.get('callId'), optional_str(body, 'endpointId'))
    return no_content()


@bp.post('/telephony/calls/<action>')
def calls_action(action: str) -> Response:
    if action in API_ACTIONS:
        current_world().telephony.act(calling_user(write=True), action, json_body().get('callId'))
        return no_content()
    if action not in ACTIONS:
        raise WebexError(404, description=f'Unknown call control action {action!r}')
    status, body = current_world().call_control.perform(calling_user(write=True), action, json_body(optional=True))
    return no_content() if body is None else (jsonify(body), status)


# --- voice messages

@bp.get('/telephony/voiceMessages/summary')
def voice_messages_summary() -> Response:
    return jsonify(current_world().voicemail.summary(calling_user(write=False)))


@bp.get('/telephony/voiceMessages')
def voice_messages_list() -> Response:
    return items(current_world().voicemail.list(calling_user(write=False)))


@bp.delete('/telephony/voiceMessages/<message_id>')
def voice_messages_delete(message_id: str) -> Response:
    current_world().voicemail.delete(calling_user(write=True), message_id)
    return no_content()


@bp.post('/telephony/voiceMessages/<mark>')
def voice_messages_mark(mark: str) -> Response:
    if mark not in ('markAsRead', 'markAsUnread'):
        raise WebexError(404, description=f'Unknown voice message action {mark!r}')
    person = calling_user(write=True)
    message_id = json_body(optional=True).get('messageId')
    if message_id is not None and not isinstance(message_id, str):
        raise WebexError(400, description='messageId must be a string')
    current_world().voicemail.mark(person, message_id or None, read=mark == 'markAsRead')
    return no_content()
