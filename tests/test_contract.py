"""
Webex's published OpenAPI documents as the contract (:mod:`fakewebex.contract`): the vendored copies, what the
check finds, the recorded exceptions, and the unit tests' mock holding requests to it (the emulator holding its
requests and responses to it: tests/test_fakewebex.py).
"""
import json

import pytest
import requests
import yaml

from fakewebex.contract import DOCUMENTS, UNDOCUMENTED, WRONG_METHOD, contract
from fakewebex.contract_exceptions import EXTRA_OPERATIONS, PATCHES, apply
from tests.conftest import API, REPO

pytestmark = pytest.mark.unit

#: where the project keeps the documents it received (absent where only the repository was cloned)
SHARED = REPO.parent / 'shared' / 'webex-openapi'

CARD = {'contentType': 'application/vnd.microsoft.card.adaptive',
        'content': {'type': 'AdaptiveCard', 'version': '1.3', 'body': [{'type': 'TextBlock', 'text': 'Call'}]}}


def check(method: str, path: str, body=None, query=(), content_type: str = 'application/json') -> list[str]:
    raw = json.dumps(body).encode() if body is not None else None
    return contract().check_request(method, path, query, content_type if raw else '', raw)


def answer(method: str, path: str, status: int, body=None) -> list[str]:
    raw = json.dumps(body).encode() if body is not None else None
    return contract().check_response(method, path, status, 'application/json' if raw else '', raw)


# --- the vendored documents

def test_vendored_documents_are_the_published_ones() -> None:
    if not SHARED.is_dir():
        pytest.skip(f'{SHARED} is not here (a clone without shared/); nothing to compare with')
    assert sorted(p.name for p in DOCUMENTS.glob('*.yml')) == sorted(p.name for p in SHARED.glob('*.yml'))
    changed = [p.name for p in SHARED.glob('*.yml') if (DOCUMENTS / p.name).read_bytes() != p.read_bytes()]
    assert changed == [], 'fakewebex/openapi/ must hold unchanged copies of shared/webex-openapi/'


def test_the_contract_is_loaded_once_per_process() -> None:
    assert contract() is contract()
    assert set(contract().documents) == {p.name for p in DOCUMENTS.glob('*.yml')} | {'contract_exceptions'}


# --- requests

def test_operations_are_routed_to_their_documents() -> None:
    me = contract().operation('GET', '/telephony/config/people/me')
    assert (me.document, me.template) == ('call-settings-for-me.yml', '/telephony/config/people/me'), \
        'the literal path wins over user-call-settings-2-2.yml\'s /telephony/config/people/{personId}'
    assert contract().operation('POST', '/telephony/calls/history') is None
    listed = contract().operation('GET', '/telephony/calls/history')
    assert (listed.template, listed.query) == ('/telephony/calls/history', frozenset({'type'}))
    assert check('POST', '/telephony/calls/teleport', {}) == [WRONG_METHOD]
    assert check('GET', '/telephony/phones') == [UNDOCUMENTED]


def test_query_parameters_must_be_documented_and_valid() -> None:
    assert check('GET', '/people', query={'email': 'a@example.com', 'callingData': 'true'}) == []
    assert check('GET', '/people', query=[('email', 'a@example.com'), ('page', '2')]) == [
        'query parameter page: not documented']
    assert check('GET', '/messages', query={'roomId': 'R', 'max': 'ten'}) == [
        'query parameter max: Failed to cast value to number type: ten']
    assert check('GET', '/messages') == ['query parameter roomId: Missing required query parameter: roomId']


def test_every_body_field_must_be_declared() -> None:
    assert check('POST', '/telephony/calls/dial', {'destination': '1234'}) == []
    assert check('POST', '/telephony/calls/dial', {'destination': '1234', 'priority': 'high'}) == [
        "body: Additional properties are not allowed ('priority' was unexpected)"]
    assert check('POST', '/messages', {'roomId': 'R', 'attachments': [{**CARD, 'name': 'x'}]}) == [
        "body.attachments.0: Additional properties are not allowed ('name' was unexpected)"]
    assert check('POST', '/telephony/calls/dial', {'destination': 1234}) == [
        "body.destination: 1234 is not of type 'string'"]
    assert check('GET', '/people/me', {'callingData': True}) == ['body: not documented for this operation']


def test_form_fields_must_be_declared() -> None:
    form = 'grant_type=refresh_token&client_id=c&client_secret=s&refresh_token=r'
    assert contract().check_request('POST', '/access_token', {}, 'application/x-www-form-urlencoded',
                                    form.encode()) == []
    assert contract().check_request('POST', '/access_token', {}, 'application/x-www-form-urlencoded',
                                    f'{form}&code_verifier=v'.encode()) == ['body.code_verifier: not documented']
    assert check('POST', '/access_token', {'grant_type': 'refresh_token'}) == [
        "body: Content for the following mimetype not found: application/json. "
        "Valid mimetypes: ['application/x-www-form-urlencoded']"]


def test_a_violation_never_shows_a_secret() -> None:
    details = check('POST', '/webhooks', {'name': 'n', 'targetUrl': 'https://bot.test/', 'resource': 'messages',
                                          'event': 'created', 'secret': 987654321})
    assert details == ['body.secret: invalid value (type)']


# --- responses

def test_responses_must_be_documented() -> None:
    me = {'id': 'P', 'emails': ['a@example.com'], 'displayName': 'A', 'type': 'person',
          'created': '2026-01-01T00:00:00Z'}
    assert answer('GET', '/people/me', 200, me) == []
    assert answer('GET', '/people/me', 200, {**me, 'mood': 'happy'}) == [
        "body: Additional properties are not allowed ('mood' was unexpected)"]
    assert answer('POST', '/telephony/calls/dial', 200, {'callId': 'C', 'callSessionId': 'S'}) == [
        'status 200: not documented']
    assert answer('POST', '/telephony/calls/dial', 201, {'callId': 'C', 'callSessionId': 'S'}) == []
    assert answer('POST', '/telephony/calls/hangup', 204) == []
    assert answer('POST', '/telephony/calls/hangup', 204, {}) == ['status 204: documented without a body']
    assert answer('POST', '/telephony/calls/hangup', 404, {'message': 'Call not found'}) == [], \
        'Webex documents its errors in prose: their bodies are not checked'
    assert answer('GET', '/telephony/phones', 200, {}) == [], 'the request was the violation'


# --- the recorded exceptions

def test_card_attachments_are_an_exception() -> None:
    assert check('POST', '/messages', {'toPersonEmail': 'a@example.com', 'markdown': 'm', 'attachments': [CARD]}) == []
    assert check('POST', '/messages', {'roomId': 'R', 'attachments': [{**CARD, 'contentType': 'text/html'}]}) == [
        "body.attachments.0.contentType: 'text/html' is not one of ['application/vnd.microsoft.card.adaptive']"]
    assert check('POST', '/messages', {'roomId': 'R', 'attachments': [{'content': CARD['content']}]}) == [
        "body.attachments.0: 'contentType' is a required property"]


def test_webhook_event_all_is_an_exception_and_nothing_more() -> None:
    hook = {'name': 'n', 'targetUrl': 'https://bot.test/', 'resource': 'telephony_calls', 'event': 'all'}
    assert check('POST', '/webhooks', hook) == []
    assert check('POST', '/webhooks', {**hook, 'event': 'sometimes'})[0].startswith(
        "body.event: 'sometimes' is not one of ['created', ")
    assert check('POST', '/webhooks', {**hook, 'resource': 'all'})[0].startswith("body.resource: 'all' is not one")


def test_card_inputs_are_an_exception() -> None:
    submit = {'type': 'submit', 'messageId': 'M', 'inputs': {'action': 'hold', 'callId': 'C'}}
    assert check('POST', '/attachment/actions', submit) == []
    assert answer('GET', '/attachment/actions/A', 200, {**submit, 'id': 'A', 'personId': 'P', 'roomId': 'R',
                                                         'created': '2026-01-01T00:00:00.000Z'}) == []


def test_the_preferred_answer_endpoint_is_an_exception_and_nothing_more() -> None:
    put = '/telephony/config/people/me/settings/preferredAnswerEndpoint'
    bearer = 'Bearer t'
    assert contract().check_request('PUT', put, {}, 'application/json', b'{"id": "E1"}', bearer) == []
    assert contract().check_request('PUT', put, {}, 'application/json', b'{"id": null}', bearer) == []
    assert contract().check_request('PUT', put, {}, 'application/json', b'{"id": "E1", "name": "x"}', bearer) == [
        "body: Additional properties are not allowed ('name' was unexpected)"]
    assert contract().check_request('PUT', put, {}, 'application/json', b'{"id": "E1"}') == [
        "body: Security not found. Schemes not valid for any requirement: [['bearer-key']]"], \
        'the operation declares a bearer token'
    endpoint = {'id': 'E1', 'type': 'DEVICE', 'name': 'Cisco 8865 (Desk)', 'isPreferredAnswerEndpoint': True}
    listed = '/telephony/config/people/me/settings/availablePreferredAnswerEndpoints'
    assert answer('GET', listed, 200, {'endpoints': [endpoint]}) == []
    assert answer('GET', listed, 200, {'endpoints': [{**endpoint, 'isPreferredAnswerEndpoint': 'yes'}]}) == [
        "body.endpoints.0.isPreferredAnswerEndpoint: 'yes' is not of type 'boolean'"]
    assert answer('GET', listed, 200, {'endpoints': [{**endpoint, 'type': 'CALLING_DEVICE'}]}) == [
        "body.endpoints.0.type: 'CALLING_DEVICE' is not one of ['DEVICE', 'APPLICATION']"]


def test_oauth_and_file_downloads_are_exceptions_described_strictly() -> None:
    query = {'client_id': 'c', 'response_type': 'code', 'redirect_uri': 'https://bot.test/redirect', 'scope': 's',
             'state': 'x'}
    assert check('GET', '/authorize', query=query) == []
    assert check('GET', '/authorize', query={**query, 'response_type': 'token', 'prompt': 'login'}) == [
        'query parameter prompt: not documented', "query parameter response_type: 'token' is not one of ['code']"]
    tokens = {'access_token': 'a', 'expires_in': 1209600, 'refresh_token': 'r', 'refresh_token_expires_in': 7776000,
              'token_type': 'Bearer', 'scope': 's'}
    assert answer('POST', '/access_token', 200, tokens) == []
    assert answer('POST', '/access_token', 200, {**tokens, 'id_token': 'i'}) == [
        "body: Additional properties are not allowed ('id_token' was unexpected)"]
    assert check('GET', '/contents/FILE1') == []
    assert check('DELETE', '/contents/FILE1') == [WRONG_METHOD]


def test_every_exception_has_evidence_and_a_target() -> None:
    assert all(exception.what and len(exception.evidence) > 40 for exception in (*PATCHES, *EXTRA_OPERATIONS))
    documents = {p.name: yaml.safe_load(p.read_text()) for p in DOCUMENTS.glob('*.yml')}
    del documents['webhooks.yml']['components']['schemas']['Webhook']['properties']['event']
    with pytest.raises(KeyError, match='webhooks.yml components/schemas/Webhook/properties/event: .* still needed'):
        apply(documents)


# --- the mock

def test_the_mock_reports_undocumented_requests_of_the_bot(webex) -> None:
    webex.add('GET', '/telephony/calls', json_body={'items': []})
    webex.add('POST', '/telephony/calls/answer', status=204)
    requests.get(f'{API}/telephony/calls', params={'max': '5'}, timeout=5)
    requests.post(f'{API}/telephony/calls/answer', json={'callId': 'C', 'video': True}, timeout=5)
    requests.post(f'{API}/telephony/calls/answer', json={'callId': 'C'}, timeout=5)
    assert [(v.method, v.path, v.detail) for v in webex.contract_violations()] == [
        ('GET', '/telephony/calls', 'query parameter max: not documented'),
        ('POST', '/telephony/calls/answer', "body: Additional properties are not allowed ('video' was unexpected)")]
    webex.reset()  # the fixture fails a test whose requests leave the documents
