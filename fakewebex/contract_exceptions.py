"""
Where Webex's published OpenAPI documents are narrower than Webex itself: every exception to
:mod:`fakewebex.contract`, with its evidence, in this one place.

Two kinds, both applied when the contract is loaded (:func:`apply`), nothing else loosened:

- :data:`PATCHES`: a schema of a document replaced, or an enum extended, where Webex accepts or sends more than
  the document says;
- :data:`EXTRA_OPERATIONS`: operations Webex serves that no document describes (OAuth, file downloads), described
  here as strictly as the documents describe theirs, in a document of their own named :data:`DOCUMENT`.

The exceptions, each with its evidence below:

- a message attachment is a card, ``{contentType, content}`` with the Adaptive Card as ``content`` (messages.yml's
  ``Attachment`` describes an ECM file), in requests and answers;
- the message ``POST /messages`` answers has ``parentId`` when it is a reply;
- ``POST /messages`` with a local file is ``multipart/form-data``;
- a webhook's ``event`` can be ``all``;
- an attachment action's ``inputs`` are named after the card's inputs;
- a number of ``GET /telephony/config/people/me`` has only the fields that apply to it (no direct number, no
  extension), as the fields' own descriptions say;
- ``PUT /telephony/config/people/me/settings/preferredAnswerEndpoint`` takes ``{"id": ...}`` (``null`` clears it),
  as the operation's own example and description say (its schema is the admin API's);
- an endpoint of ``GET .../settings/availablePreferredAnswerEndpoints`` says whether it is the preferred one
  (``isPreferredAnswerEndpoint``), as the operation's own example shows;
- operations in no document: ``GET /authorize`` and ``POST /access_token`` (OAuth), ``POST /authorize`` (the
  emulator's consent page), ``GET /contents/{contentId}`` (a message's file).

A patch whose target is missing from the documents fails loudly: a newer copy of the documents may have closed the
gap, and then the exception has to go.
"""
import logging
from dataclasses import dataclass, field
from typing import Any, Optional

__all__ = ['DOCUMENT', 'Patch', 'ExtraOperation', 'PATCHES', 'EXTRA_OPERATIONS', 'apply']

log = logging.getLogger(__name__)

#: name of the document holding :data:`EXTRA_OPERATIONS`
DOCUMENT = 'contract_exceptions'


@dataclass(frozen=True)
class Patch:
    """
    A schema of a document replaced (:attr:`schema`) or an enum extended (:attr:`add_enum`).
    """
    #: file name of the document
    document: str
    #: keys from the document's root to the schema, e.g. ``('components', 'schemas', 'Attachment')``
    pointer: tuple[str, ...]
    #: what Webex does that the document does not say
    what: str
    #: where that is seen
    evidence: str
    #: the schema that replaces the one at :attr:`pointer` (its parent must exist)
    schema: Optional[dict[str, Any]] = None
    #: values added to the ``enum`` of the schema at :attr:`pointer`
    add_enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExtraOperation:
    """
    An operation Webex serves that is in none of its documents.
    """
    method: str
    path: str
    what: str
    evidence: str
    #: the OpenAPI operation object
    operation: dict[str, Any] = field(default_factory=dict)


def _form(properties: dict[str, dict], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {'required': True, 'content': {'application/x-www-form-urlencoded': {'schema': {
        'type': 'object', 'required': list(required), 'properties': properties}}}}


def _query(name: str, required: bool = False, **schema: Any) -> dict[str, Any]:
    return {'name': name, 'in': 'query', 'required': required, 'schema': {'type': 'string', **schema}}


_STRING = {'type': 'string'}
#: the path of the person's own settings
_ME = '/telephony/config/people/me'
_HTML = {'content': {'text/html': {}}}
_ERRORS = {str(status): {'description': 'the Webex error shape'} for status in (400, 401, 403, 404, 429, 500, 503)}

#: the card a message carries: ``{contentType, content}`` with the Adaptive Card itself as ``content``
_CARD_ATTACHMENT = {
    'type': 'object', 'required': ['contentType', 'content'],
    'properties': {'contentType': {'type': 'string', 'enum': ['application/vnd.microsoft.card.adaptive']},
                   'content': {'type': 'object', 'additionalProperties': True,
                               'description': 'The Adaptive Card (exception, see fakewebex.contract_exceptions)'}}}

#: card inputs: keyed by the ids of the card's inputs and the keys of its actions' data
_CARD_INPUTS = {'type': 'object', 'additionalProperties': True,
                'description': "The card's input values (exception, see fakewebex.contract_exceptions)"}

_CARDS_EVIDENCE = ("Webex's guide 'Buttons and Cards' (developer.webex.com/docs/api/guides/cards): a card is posted "
                   "as attachments [{contentType: 'application/vnd.microsoft.card.adaptive', content: <the Adaptive "
                   "Card>}]; messages.yml's own examples of POST /messages (request and 200) show exactly that; "
                   "wxc_sdk.messages.MessageAttachment has content_type and content: AdaptiveCard; "
                   "shared/webex-openapi/README.md lists it as a known gap.")

_INPUTS_EVIDENCE = ("Webex's guide 'Buttons and Cards': a submit's inputs are the values of the card's Input.* "
                    "elements by id, merged with the Action.Submit's data; the document's four properties (Name, "
                    "Url, Email, Tel) are the inputs of its example card; wxc_sdk.attachment_actions."
                    "AttachmentAction.inputs is dict[str, Any].")

_EVENT_ALL_EVIDENCE = ("Webex's guide 'Webhooks' (developer.webex.com/docs/api/guides/webhooks) registers event all "
                       "for every event of a resource; wxc_sdk.webhook.WebhookEventType.all; "
                       "shared/webex-openapi/README.md lists it as a known gap.")

PATCHES: tuple[Patch, ...] = (
    Patch('messages.yml', ('components', 'schemas', 'Attachment'), schema=_CARD_ATTACHMENT,
          what="a message attachment is {contentType, content} with the Adaptive Card as content (the document's "
               "schema describes an ECM file)",
          evidence=_CARDS_EVIDENCE),
    Patch('messages.yml', ('components', 'schemas', 'Message', 'properties', 'parentId'),
          schema={'type': 'string', 'description': 'The parent message (exception, see fakewebex.contract_exceptions)'},
          what='the message POST /messages answers with has parentId when it is a reply',
          evidence="messages.yml's own example of the 200 answer of POST /messages has parentId, as has its "
                   "ListMessage schema (GET /messages/{messageId}); wxc_sdk.messages.Message.parent_id."),
    Patch('messages.yml', ('paths', '/messages', 'post', 'requestBody', 'content', 'multipart/form-data'),
          schema={'schema': {'type': 'object', 'properties': {
              **{name: _STRING for name in ('roomId', 'parentId', 'toPersonId', 'toPersonEmail', 'text',
                                            'markdown')},
              'files': {'type': 'string', 'format': 'binary'}}}},
          what='POST /messages with a local file is multipart/form-data, the file in the part files',
          evidence="Webex's 'REST API Basics', section 'Message Attachments' (developer.webex.com/docs/basics), "
                   "which messages.yml's description of files links to: local files are uploaded as "
                   "multipart/form-data; wxc_sdk.messages.MessagesApi.create sends a MultipartEncoder for a local "
                   "file."),
    Patch('webhooks.yml', ('components', 'schemas', 'Webhook', 'properties', 'event'), add_enum=('all',),
          what="a webhook's event can be all", evidence=_EVENT_ALL_EVIDENCE),
    Patch('webhooks.yml', ('paths', '/webhooks', 'post', 'requestBody', 'content', 'application/json', 'schema',
                           'properties', 'event'), add_enum=('all',),
          what='POST /webhooks accepts event all', evidence=_EVENT_ALL_EVIDENCE),
    Patch('attachment-actions.yml', ('components', 'schemas', 'SubmitCardAction', 'properties', 'inputs'),
          schema=_CARD_INPUTS, what="a submit's inputs are whatever the card's inputs are named",
          evidence=_INPUTS_EVIDENCE),
    Patch('attachment-actions.yml', ('components', 'schemas', 'AttachmentActivity', 'properties', 'inputs'),
          schema=_CARD_INPUTS, what="an attachment action's inputs are whatever the card's inputs are named",
          evidence=_INPUTS_EVIDENCE),
    Patch('call-settings-for-me.yml', ('components', 'schemas', 'UserNumber'), schema={
        'type': 'object', 'required': ['primary'],
        'description': "A number of the user; fields that do not apply are absent (exception, see "
                       "fakewebex.contract_exceptions)",
        'properties': {**{name: _STRING for name in ('directNumber', 'enterprise', 'extension', 'routingPrefix',
                                                     'esn')}, 'primary': {'type': 'boolean'}}},
          what='a number of the user has only the fields that apply to it: no directNumber without a direct '
               'number, no extension, enterprise or esn without an extension, no enterprise or routingPrefix '
               'without a routing prefix (the document lists all six as required)',
          evidence="call-settings-for-me.yml's own descriptions of UserNumber's fields: extension is 'only present "
                   "if the user has an extension', enterprise 'is only present when both are present' (routing "
                   "prefix and extension), esn 'is not present' if the extension is not set; people.yml's Person "
                   "has phoneNumbers and extension as optional for the same people; wxc_sdk.me.MeNumber makes every "
                   "field optional."),
    Patch('call-settings-for-me.yml', ('paths', f'{_ME}/settings/preferredAnswerEndpoint', 'put', 'requestBody',
                                       'content', 'application/json', 'schema'), schema={
        'type': 'object', 'required': ['id'],
        'description': 'The preferred answer endpoint (exception, see fakewebex.contract_exceptions)',
        'properties': {'id': {'type': 'string', 'nullable': True,
                              'description': "The endpoint's id from availablePreferredAnswerEndpoints; null clears "
                                             "it"}}},
          what='PUT .../settings/preferredAnswerEndpoint takes {"id": ...}, null clearing it (the document\'s schema, '
               'EndpointIdType with preferredAnswerEndpointId, is the admin API\'s)',
          evidence="call-settings-for-me.yml's own example of this request body is {id: Y2lzY29z...} and its "
                   "description says 'To clear the preferred answer endpoint the `id` attribute must be set to "
                   "null'; wxc_sdk.me.endpoints.MeEndpointsApi.modify_preferred_answer_endpoint sends {'id': id}; "
                   "shared/webex-openapi/README.md lists it as a known gap."),
    Patch('call-settings-for-me.yml', ('components', 'schemas', 'endpoints', 'properties',
                                       'isPreferredAnswerEndpoint'),
          schema={'type': 'boolean', 'description': 'Whether this endpoint is the preferred answer endpoint '
                                                    '(exception, see fakewebex.contract_exceptions)'},
          what='an endpoint of GET .../settings/availablePreferredAnswerEndpoints has isPreferredAnswerEndpoint, '
               'true for the preferred one (the schema `endpoints` declares only id, type and name)',
          evidence="call-settings-for-me.yml's own example of the 200 answer of GET .../settings/"
                   "availablePreferredAnswerEndpoints gives every endpoint isPreferredAnswerEndpoint, and the "
                   "operation's description says it gets 'the person's preferred answer endpoint and the list of "
                   "endpoints available'; wxc_sdk.me.endpoints.MeEndpoint.is_preferred_answer_endpoint."),
)

_OAUTH_EVIDENCE = ("Webex's guide 'Integrations and Authorization' (developer.webex.com/docs/integrations): the "
                   "browser opens https://webexapis.com/v1/authorize?client_id&response_type=code&redirect_uri&scope"
                   "&state; the integration POSTs application/x-www-form-urlencoded grant_type=authorization_code, "
                   "client_id, client_secret, code, redirect_uri (or grant_type=refresh_token with refresh_token) to "
                   "https://webexapis.com/v1/access_token; the answer's fields are those wxc_sdk.tokens.Tokens "
                   "reads (access_token, expires_in, refresh_token, refresh_token_expires_in, token_type, scope).")

EXTRA_OPERATIONS: tuple[ExtraOperation, ...] = (
    ExtraOperation('get', '/authorize', what='the start of the OAuth authorization code flow, in the browser',
                   evidence=_OAUTH_EVIDENCE, operation={
                       'parameters': [_query('client_id', True), _query('response_type', True, enum=['code']),
                                      _query('redirect_uri', True), _query('scope'), _query('state')],
                       # 200: the sign-in and consent page; 302: to redirect_uri with code or error
                       'responses': {'200': _HTML, '302': _HTML, '400': _HTML}}),
    ExtraOperation('post', '/authorize', what="the answer of the emulator's consent page (not Webex's API)",
                   evidence="Webex's sign-in and consent pages are web pages, not API; the emulator's stand-in for "
                            "them (fakewebex.consent) posts its form back to /authorize and redirects as Webex does "
                            "after a person consents (guide 'Integrations and Authorization').",
                   operation={'requestBody': _form({name: _STRING for name in (
                       'client_id', 'response_type', 'redirect_uri', 'scope', 'state', 'person', 'decision')}),
                       'responses': {'303': _HTML, '400': _HTML}}),
    ExtraOperation('post', '/access_token', what='the OAuth token endpoint', evidence=_OAUTH_EVIDENCE, operation={
        'requestBody': _form({'grant_type': {'type': 'string', 'enum': ['authorization_code', 'refresh_token']},
                              **{name: _STRING for name in ('client_id', 'client_secret', 'code', 'redirect_uri',
                                                            'refresh_token')}},
                             required=('grant_type', 'client_id', 'client_secret')),
        'responses': {'200': {'content': {'application/json': {'schema': {
            'type': 'object', 'required': ['access_token', 'expires_in', 'refresh_token', 'refresh_token_expires_in'],
            'properties': {'access_token': _STRING, 'expires_in': {'type': 'integer'}, 'refresh_token': _STRING,
                           'refresh_token_expires_in': {'type': 'integer'},
                           'token_type': {'type': 'string', 'enum': ['Bearer']}, 'scope': _STRING}}}}},
            **_ERRORS}}),
    ExtraOperation('get', '/contents/{contentId}', what="a file of a message, downloaded with the reader's token",
                   evidence="Webex's 'REST API Basics', section 'Message Attachments' (developer.webex.com/docs/"
                            "basics): a message's files are URLs https://webexapis.com/v1/contents/{contentId} that a "
                            "member of the space GETs with its access token; messages.yml's description of files "
                            "links there.",
                   operation={'parameters': [{'name': 'contentId', 'in': 'path', 'required': True,
                                              'schema': _STRING}],
                              'responses': {'200': {'content': {'*/*': {}}}, **_ERRORS}}),
)


def _target(documents: dict[str, dict], patch: Patch) -> tuple[dict, str]:
    """The parent of the patched schema and its key; KeyError if the document does not have it."""
    node = documents[patch.document]
    for key in patch.pointer[:-1]:
        node = node[key]
    if patch.schema is None and patch.pointer[-1] not in node:
        raise KeyError(patch.pointer[-1])
    return node, patch.pointer[-1]


def apply(documents: dict[str, dict]) -> dict[str, dict]:
    """
    Apply :data:`PATCHES` to the documents (changed in place) and add :data:`EXTRA_OPERATIONS` as one more
    document.

    :param documents: the parsed documents by file name
    :return: the documents plus :data:`DOCUMENT`
    :raises KeyError: if a patch's target is not in the documents (the exception may be obsolete)
    """
    for patch in PATCHES:
        try:
            parent, key = _target(documents, patch)
        except KeyError as e:
            raise KeyError(f'contract exception for {patch.document} {"/".join(patch.pointer)}: {e} is not in the '
                           'documents; is the exception still needed?') from e
        if patch.schema is not None:
            parent[key] = patch.schema
        else:
            parent[key]['enum'] = [*parent[key]['enum'], *patch.add_enum]
    paths: dict[str, dict] = {}
    for extra in EXTRA_OPERATIONS:
        paths.setdefault(extra.path, {})[extra.method] = {'description': extra.what, **extra.operation}
    return {**documents, DOCUMENT: {'openapi': '3.0.0', 'info': {'title': 'Exceptions', 'version': '1'},
                                    'paths': paths}}
