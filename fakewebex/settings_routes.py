"""
The routes of Webex's "call settings for me" API under ``/v1/telephony/config/people/me``: the person's calling
details, Do Not Disturb and call forwarding (:mod:`fakewebex.callsettings`), the devices and the preferred answer
device (:mod:`fakewebex.devices`), the call queues of an agent (:mod:`fakewebex.callqueues`) and the caller IDs
(:mod:`fakewebex.callerids`). User tokens with ``spark:telephony_config_read`` or ``_write``; a person without
Webex Calling gets 404.
"""
import logging

from flask import Response, jsonify

from .models import Person
from .routes import bp, current_world, json_body, no_content, scoped_user

__all__ = ['ME', 'config_user']

log = logging.getLogger(__name__)

#: the path of the person's own settings
ME = '/telephony/config/people/me'


def config_user(write: bool) -> Person:
    """
    :param write: True for changes (``spark:telephony_config_write``), False for reading
        (``spark:telephony_config_read``)
    :return: the caller, a Webex Calling user with a token allowed to read (or change) their settings
    :raises WebexError: 401 without token, 403 for bots or tokens without the scope, 404 without Webex Calling
    """
    person = scoped_user('spark:telephony_config_write' if write else 'spark:telephony_config_read')
    return current_world().call_settings.require_calling(person)


@bp.get(ME)
def my_details() -> Response:
    return jsonify(current_world().call_settings.details(config_user(write=False)))


@bp.get(f'{ME}/settings/doNotDisturb')
def my_dnd() -> Response:
    return jsonify(current_world().call_settings.dnd(config_user(write=False)))


@bp.put(f'{ME}/settings/doNotDisturb')
def my_dnd_update() -> Response:
    current_world().call_settings.set_dnd(config_user(write=True), json_body())
    return no_content()


@bp.get(f'{ME}/settings/callForwarding')
def my_forwarding() -> Response:
    return jsonify(current_world().call_settings.forwarding(config_user(write=False)))


@bp.put(f'{ME}/settings/callForwarding')
def my_forwarding_update() -> Response:
    current_world().call_settings.set_forwarding(config_user(write=True), json_body())
    return no_content()


@bp.get(f'{ME}/settings/availablePreferredAnswerEndpoints')
def my_devices() -> Response:
    return jsonify(current_world().devices.available(config_user(write=False)))


@bp.put(f'{ME}/settings/preferredAnswerEndpoint')
def my_preferred_device_update() -> Response:
    current_world().devices.prefer(config_user(write=True), json_body())
    return no_content()


@bp.get(f'{ME}/settings/queues')
def my_call_queues() -> Response:
    return jsonify(current_world().call_queues.settings(config_user(write=False)))


@bp.put(f'{ME}/settings/queues')
def my_call_queues_update() -> Response:
    current_world().call_queues.change(config_user(write=True), json_body())
    return no_content()


@bp.get(f'{ME}/settings/availableCallerIds')
def my_caller_ids() -> Response:
    return jsonify(current_world().caller_ids.available(config_user(write=False)))


@bp.get(f'{ME}/settings/selectedCallerId')
def my_selected_caller_id() -> Response:
    return jsonify(current_world().caller_ids.selected(config_user(write=False)))


@bp.put(f'{ME}/settings/selectedCallerId')
def my_selected_caller_id_update() -> Response:
    current_world().caller_ids.select(config_user(write=True), json_body())
    return no_content()
