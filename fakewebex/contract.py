"""
Webex's REST contract: its published OpenAPI 3 documents (the files in ``fakewebex/openapi/``), loaded once per
process, checking requests and responses with openapi-core.

What counts as a violation:

- a request whose method and path are not an operation of a document (:data:`UNDOCUMENTED`);
- a query parameter the operation does not declare, or a declared parameter of the wrong type or value;
- a request body (JSON, or a form's fields) that does not match the operation's schema, including any property the
  schema does not declare: Webex's documents list every field, so every object schema without
  ``additionalProperties`` is closed (openapi-core's ``forbid_unspecified_additional_properties``), also one that
  declares no properties at all, unless a recorded exception opens it;
- a body sent to an operation that documents none;
- a response whose status the operation does not document, or whose JSON body does not match the documented
  schema (the same closed objects). Webex documents its error statuses without a body schema, so an error body is
  not checked beyond its status.

Where the documents are narrower than Webex itself, :mod:`fakewebex.contract_exceptions` says so, with evidence;
its patches and extra operations are applied here at load time and nowhere else.
"""
import email.policy
import functools
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional
from urllib.parse import parse_qsl

import yaml
from jsonschema_path import SchemaPath
from openapi_core import V30RequestValidator, V30ResponseValidator
from openapi_core.casting.schemas import oas30_types_caster
from openapi_core.casting.schemas.factories import SchemaCastersFactory
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.finders import APICallPathFinder
from openapi_core.templating.paths.iterators import SimpleServersIterator
from openapi_core.validation.schemas import (oas30_read_schema_validators_factory,
                                             oas30_write_schema_validators_factory)
from openapi_core.validation.schemas.factories import SchemaValidatorsFactory
from werkzeug.datastructures import Headers, ImmutableMultiDict

from . import contract_exceptions
from .inspection import MASKED_FIELDS

__all__ = ['DOCUMENTS', 'UNDOCUMENTED', 'WRONG_METHOD', 'Operation', 'Contract', 'contract']

log = logging.getLogger(__name__)

#: the folder of the vendored documents
DOCUMENTS = Path(__file__).with_name('openapi')

#: detail of a request whose path no document has
UNDOCUMENTED = 'undocumented operation'
#: detail of a request whose path is documented, but not with this method
WRONG_METHOD = 'method not documented for this path'

_METHODS = frozenset({'get', 'put', 'post', 'delete', 'patch', 'head', 'options'})
_LOADER = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
_FORMS = frozenset({'application/x-www-form-urlencoded', 'multipart/form-data'})


@dataclass(frozen=True)
class Operation:
    """
    A documented operation a request was routed to.
    """
    #: file name of the document, or ``contract_exceptions`` for an operation recorded there
    document: str
    #: the path template, e.g. ``/telephony/calls/{callId}``
    template: str
    method: str
    #: names of the documented query parameters
    query: frozenset[str] = frozenset()
    #: documented statuses and the media types of their bodies (none: no body)
    responses: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: whether a request body is documented
    body: bool = False
    #: the documented fields of form bodies (urlencoded and multipart) by media type: openapi-core reads only those
    #: and would not see any other
    form_fields: Mapping[str, frozenset[str]] = field(default_factory=dict)


class _CachedSchemaValidators(SchemaValidatorsFactory):
    """
    openapi-core builds a new jsonschema validator for every value it checks or casts (and, with properties
    forbidden by default, a new validator class): about 2 ms a time. jsonschema validators are reusable and
    thread-safe, so this keeps one per schema.
    """

    def __init__(self, base: SchemaValidatorsFactory):
        super().__init__(base.schema_validator_cls, base.format_checker)
        self._made: dict[tuple, Any] = {}
        self._lock = threading.Lock()

    def create(self, spec: SchemaPath, schema: SchemaPath, *args: Any, **kwargs: Any) -> Any:
        key = (schema, args, tuple(sorted(kwargs.items())))
        made = self._made.get(key)
        if made is None:
            made = super().create(spec, schema, *args, **kwargs)
            with self._lock:
                self._made[key] = made
        return made


class _PathFinder(APICallPathFinder):
    """openapi-core's path finder without matching the request's URL to servers: the documents name none."""
    servers_iterator = SimpleServersIterator()


@dataclass
class _Request:
    """A request as openapi-core reads it."""
    method: str
    path: str
    content_type: str
    body: Optional[bytes]
    parameters: RequestParameters
    host_url: str = 'https://webexapis.com'


@dataclass
class _Response:
    """A response as openapi-core reads it."""
    status_code: int
    content_type: str
    data: Optional[bytes]
    headers: Headers = field(default_factory=Headers)


def _inline(node: Any, data: dict, memo: dict[str, Any], stack: tuple[str, ...] = ()) -> Any:
    """
    ``node`` with every local ``$ref`` replaced by what it points to (siblings of a ``$ref`` are ignored, as in
    OpenAPI 3.0), except a ``$ref`` inside its own target, which openapi-core resolves: checking a value then
    resolves no references.
    """
    if isinstance(node, list):
        return [_inline(item, data, memo, stack) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get('$ref')
    if isinstance(ref, str) and ref.startswith('#/'):
        if ref in stack:
            return node
        if ref not in memo:
            keys = [key.replace('~1', '/').replace('~0', '~') for key in ref[2:].split('/')]
            memo[ref] = _inline(functools.reduce(lambda parent, key: parent[key], keys, data), data, memo,
                                (*stack, ref))
        return memo[ref]
    return {key: _inline(value, data, memo, stack) for key, value in node.items()}


class _Path:
    """
    One path of a document: its operations, and openapi-core validators of its own, built on first use (openapi-core
    then looks for a request's path among one path, not among a document's hundred).
    """

    def __init__(self, document: str, template: str, item: dict, components: dict):
        self.template = template
        self.pattern = re.compile(''.join('/[^/]+' if part.startswith('{') else '/' + re.escape(part)
                                          for part in template.split('/')[1:]) + '$')
        #: the number of literal segments: the most literal template that matches wins
        self.literal = sum(1 for part in template.split('/') if not part.startswith('{'))
        shared = item.get('parameters', [])
        self.operations = {method: Operation(
            document, template, method,
            frozenset(p['name'] for p in [*shared, *operation.get('parameters', [])] if p.get('in') == 'query'),
            {status: frozenset(answer.get('content') or ()) for status, answer in operation['responses'].items()},
            'requestBody' in operation, _form_fields(operation))
            for method, operation in item.items() if method in _METHODS}
        self._spec = {'openapi': '3.0.0', 'info': {'title': document, 'version': '1'}, 'paths': {template: item},
                      'components': components}

    @functools.cached_property
    def requests(self) -> V30RequestValidator:
        """The request validator."""
        return self._validator(V30RequestValidator, oas30_write_schema_validators_factory)

    @functools.cached_property
    def responses(self) -> V30ResponseValidator:
        """The response validator."""
        return self._validator(V30ResponseValidator, oas30_read_schema_validators_factory)

    def _validator(self, cls: type, schemas: SchemaValidatorsFactory) -> Any:
        validators = _CachedSchemaValidators(schemas)
        return cls(SchemaPath.from_dict(self._spec), schema_validators_factory=validators,
                   schema_casters_factory=SchemaCastersFactory(validators, oas30_types_caster),
                   path_finder_cls=_PathFinder, forbid_unspecified_additional_properties=True)


def _form_fields(operation: dict) -> dict[str, frozenset[str]]:
    return {media_type: frozenset(content.get('schema', {}).get('properties', ()))
            for media_type, content in operation.get('requestBody', {}).get('content', {}).items()
            if media_type in _FORMS}


def _form_names(content_type: str, body: bytes) -> list[str]:
    """The field names of a form body."""
    if content_type.startswith('application/x-www-form-urlencoded'):
        return [name for name, _ in parse_qsl(body.decode('utf-8', 'replace'), keep_blank_values=True)]
    message = BytesParser(policy=email.policy.HTTP).parsebytes(f'Content-Type: {content_type}\r\n\r\n'.encode()
                                                                + body)
    return [part.get_param('name', header='content-disposition') for part in message.iter_parts()]


def _where(error: Any) -> str:
    path = [str(p) for p in error.absolute_path]
    return '.'.join(path) if path else ''


def _schema_errors(prefix: str, error: BaseException) -> list[str]:
    cause = error.__cause__
    found = getattr(cause, 'schema_errors', None) or getattr(error, 'schema_errors', None)
    if not found:
        return [f'{prefix}: {cause or error}']
    details = []
    for schema_error in found:
        secret = any(str(p) in MASKED_FIELDS for p in schema_error.absolute_path)
        message = f'invalid value ({schema_error.validator})' if secret else schema_error.message
        where = _where(schema_error)
        details.append(f'{prefix}{"." + where if where else ""}: {message}')
    return details


def _request_detail(error: BaseException) -> list[str]:
    name = getattr(error, 'name', None)
    location = getattr(error, 'location', None)
    if name and location:
        return _schema_errors(f'{location} parameter {name}', error)
    return _schema_errors('body', error)


class Contract:
    """
    The documents, with the recorded exceptions applied, ready to check requests and responses.

    Thread-safe; build it once (:func:`contract`): loading takes a few hundred milliseconds.

    :param folder: where the ``*.yml`` documents are
    """

    def __init__(self, folder: Path = DOCUMENTS):
        started = time.perf_counter()
        documents = {}
        for path in sorted(folder.glob('*.yml')):
            with path.open(encoding='utf-8') as stream:
                documents[path.name] = yaml.load(stream, Loader=_LOADER)
        documents = contract_exceptions.apply(documents)
        #: names of the documents, :data:`fakewebex.contract_exceptions.DOCUMENT` included
        self.documents = tuple(documents)
        self._paths: list[_Path] = []
        for name, data in documents.items():
            data = _inline(data, data, {})
            components = data.get('components', {})
            self._paths.extend(_Path(name, template, item, components) for template, item in data['paths'].items())
        #: seconds it took to load and prepare the documents
        self.load_seconds = time.perf_counter() - started
        log.debug('Webex contract: %d documents loaded in %.0f ms', len(documents), self.load_seconds * 1000)

    def operation(self, method: str, path: str) -> Optional[Operation]:
        """
        The documented operation of a request: of the path templates that match, the most literal one that has the
        method (``/telephony/config/people/me`` rather than ``/telephony/config/people/{personId}``).

        :param method: HTTP method
        :param path: path below the API base
        :return: the operation; None if there is none
        """
        return self._route(method, path)[0]

    def _route(self, method: str, path: str) -> tuple[Optional[Operation], Optional[_Path]]:
        """The operation and its path; (None, a path) if the path is documented without this method."""
        method = method.lower()
        found: Optional[_Path] = None
        matched: Optional[_Path] = None
        for candidate in self._paths:
            if candidate.pattern.match(path):
                matched = matched or candidate
                if method in candidate.operations and (found is None or candidate.literal > found.literal):
                    found = candidate
        return (found.operations[method], found) if found is not None else (None, matched)

    def check_request(self, method: str, path: str, query: Mapping[str, Any] | Iterable[tuple[str, str]],
                      content_type: str = '', body: Optional[bytes] = None, authorization: str = '') -> list[str]:
        """
        Check a request against the documents.

        :param method: HTTP method
        :param path: path below the API base, e.g. ``/messages``
        :param query: query parameters (a multi-dict, a mapping or ``(name, value)`` pairs)
        :param content_type: the Content-Type header
        :param body: the raw body
        :param authorization: the Authorization header, for the operations that declare ``security`` (a bearer
            token); only its presence and scheme are checked, and it is kept nowhere
        :return: what is wrong; empty if the request keeps the contract
        """
        operation, documented = self._route(method, path)
        if operation is None:
            return [WRONG_METHOD if documented is not None else UNDOCUMENTED]
        query = ImmutableMultiDict(query)
        details = [f'query parameter {name}: not documented' for name in query if name not in operation.query]
        if body and not operation.body:
            details.append('body: not documented for this operation')
        media_type = content_type.partition(';')[0].strip().lower()
        if body and media_type in operation.form_fields:
            details.extend(f'body.{name}: not documented' for name in dict.fromkeys(_form_names(content_type, body))
                           if name not in operation.form_fields[media_type])
        headers = Headers({'Authorization': authorization} if authorization else {})
        request = _Request(method.lower(), path, content_type.lower(), body or None,
                           RequestParameters(query=query, header=headers))
        for error in documented.requests.iter_errors(request):
            details.extend(_request_detail(error))
        return details

    def check_response(self, method: str, path: str, status: int, content_type: str = '',
                       body: Optional[bytes] = None) -> list[str]:
        """
        Check a response to a documented request.

        :param method: HTTP method of the request
        :param path: path of the request below the API base
        :param status: HTTP status of the response
        :param content_type: its Content-Type header
        :param body: its raw body
        :return: what is wrong; empty if the response keeps the contract (or the request was not documented: that
            is the request's violation)
        """
        operation, documented = self._route(method, path)
        if operation is None:
            return []
        media_types = operation.responses.get(str(status))
        if media_types is None:
            return [f'status {status}: not documented']
        if not media_types:
            # documented without a body; Webex's errors have one it documents in prose only
            return [f'status {status}: documented without a body'] if body and status < 400 else []
        request = _Request(method.lower(), path, '', None, RequestParameters())
        response = _Response(status, content_type.lower(), body or None)
        details = []
        for error in documented.responses.iter_errors(request, response):
            details.extend(_schema_errors('body', error))
        return details


@functools.cache
def contract() -> Contract:
    """
    :return: the process's one :class:`Contract` of the vendored documents, loaded on first use
    """
    return Contract()

