"""
Validation of the Adaptive Cards the bot sends to Webex.

Webex renders Adaptive Cards of schema version 1.3 and only some of the element and action types. ``validate_card``
checks a card against all of that and raises ``AssertionError`` listing every problem it found:

a. JSON-schema validity against the official Adaptive Card 1.3 schema (``adaptive-card-1.3.json`` beside this file,
   see ``README.md`` there for where it comes from). That schema has ``additionalProperties: false`` on every element
   and action, ``required`` fields (``TextBlock.text``, ``Image.url``, ``Input.*.id``, ...) and the 1.3 enums, so
   misspelt properties, missing fields, bad enum values and every feature newer than 1.3 (``Action.Execute``,
   ``Table``, ``rtl``, ``refresh``, ...) fail here. Its enumerations are made strict in memory first (see
   ``_tighten_enums``: the official patterns let ``"style": "verygood"`` or ``"style": 5`` through).
b. ``card['type'] == 'AdaptiveCard'`` and ``card['version'] == '1.3'`` exactly (the schema requires neither).
c. only the element and action types Webex supports, anywhere in the tree (``body``, ``items``, ``columns``,
   ``actions`` of the card and of ActionSets, cards inside ``Action.ShowCard``, ``selectAction``, ``inlineAction``,
   ``fallback``, ``images``, ``inlines``).
d. no version newer than 1.3 on cards nested in ``Action.ShowCard``.
"""
import json
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator
from jsonschema.exceptions import ValidationError

__all__ = [
    'SCHEMA_PATH', 'WEBEX_ACTIONS', 'WEBEX_ELEMENTS', 'WEBEX_VERSION', 'card_problems', 'load_schema', 'validate_card',
]

#: the official Adaptive Card schema, version 1.3
SCHEMA_PATH = Path(__file__).with_name('adaptive-card-1.3.json')

#: the schema version Webex renders; every card the bot sends declares exactly this
WEBEX_VERSION = '1.3'

#: element types Webex renders (everything in Adaptive Cards 1.3 except Media)
WEBEX_ELEMENTS = frozenset({
    'TextBlock', 'Image', 'ImageSet', 'ColumnSet', 'Column', 'Container', 'FactSet', 'ActionSet', 'RichTextBlock',
    'TextRun', 'Input.Text', 'Input.Number', 'Input.Date', 'Input.Time', 'Input.Toggle', 'Input.ChoiceSet',
})

#: action types Webex supports
WEBEX_ACTIONS = frozenset({'Action.Submit', 'Action.OpenUrl', 'Action.ShowCard', 'Action.ToggleVisibility'})

#: validators whose failure, at the very place an anyOf alternative is tried, means "this alternative is another
#: kind of value altogether" (a string where an object was given, ...): such alternatives explain nothing
_SHAPE_VALIDATORS = frozenset({'type', 'enum', 'const', 'pattern', 'format'})


def _tighten_enums(node: Any) -> int:
    """
    Make the schema's enumerations mean what they say; returns how many were changed.

    The official schema writes each enumeration (spacing, colours, styles, ``fallback: "drop"``, ...) as
    ``anyOf: [{"enum": [...]}, {"pattern": "^(a)|(b)|(c)$"}]`` so that any letter case is accepted. Two flaws let
    wrong values through: ``pattern`` ignores non-strings (so ``"style": 5`` or an object ``fallback`` of an unknown
    element type passed), and ``^`` and ``$`` anchor only the first and last alternatives (so ``"style": "verygood"``
    passed). The pattern alternative is replaced by a string that is one of the enum values in any letter case.
    """
    changed = 0
    if isinstance(node, dict):
        branches = node.get('anyOf')
        if (isinstance(branches, list) and len(branches) == 2
                and isinstance(branches[0], dict) and set(branches[0]) == {'enum'}
                and isinstance(branches[1], dict) and set(branches[1]) == {'pattern'}
                and all(isinstance(value, str) for value in branches[0]['enum'])):
            values = branches[0]['enum']
            official = re.compile(branches[1]['pattern'])
            assert all(official.fullmatch(value.upper()) for value in values), f'unexpected enum pattern in {node}'
            node['anyOf'] = [branches[0], {
                'type': 'string',
                'pattern': '^(?i:' + '|'.join(re.escape(value) for value in values) + ')$',
            }]
            changed += 1
        for value in node.values():
            changed += _tighten_enums(value)
    elif isinstance(node, list):
        for value in node:
            changed += _tighten_enums(value)
    return changed


def load_schema(tighten: bool = True) -> dict:
    """
    The Adaptive Card 1.3 schema; with ``tighten`` its enumerations made strict (see ``_tighten_enums``).
    """
    schema = json.loads(SCHEMA_PATH.read_text(encoding='utf-8'))
    if tighten:
        _tighten_enums(schema)
    return schema


@lru_cache(maxsize=1)
def _validator() -> Draft6Validator:
    schema = load_schema()
    Draft6Validator.check_schema(schema)
    return Draft6Validator(schema, format_checker=Draft6Validator.FORMAT_CHECKER)


def _where(path: Iterable[Any]) -> str:
    """
    A JSON path like ``$.body[2].actions[0]``.
    """
    text = '$'
    for part in path:
        text += f'[{part}]' if isinstance(part, int) else f'.{part}'
    return text


def _label(instance: Any) -> str:
    if isinstance(instance, dict) and isinstance(instance.get('type'), str):
        return f' ({instance["type"]})'
    return ''


def _branch_name(branch: Any) -> str | None:
    """
    The definition an anyOf alternative stands for: ``{"$ref": "#/definitions/X"}`` or
    ``{"required": ["type"], "allOf": [{"$ref": "#/definitions/X"}]}`` give ``X``.
    """
    if not isinstance(branch, dict):
        return None
    ref = branch.get('$ref')
    if ref is None and isinstance(branch.get('allOf'), list) and len(branch['allOf']) == 1:
        ref = branch['allOf'][0].get('$ref') if isinstance(branch['allOf'][0], dict) else None
    if isinstance(ref, str) and ref.startswith('#/definitions/'):
        return ref[len('#/definitions/'):]
    return None


def _is_shape_error(error: ValidationError) -> bool:
    """
    Whether ``error`` only says the value is another kind of value than this alternative wants (a string, one of
    some names, ...), right where the alternative is tried rather than deeper inside the value.
    """
    if error.relative_path:
        return False
    if error.validator in ('anyOf', 'oneOf'):
        return bool(error.context) and all(_is_shape_error(sub) for sub in error.context)
    return error.validator in _SHAPE_VALIDATORS


def _same_place_errors(error: ValidationError) -> Iterator[ValidationError]:
    for sub in error.context or ():
        if not sub.relative_path:
            yield sub
            yield from _same_place_errors(sub)


def _explain(error: ValidationError) -> list[str]:
    """
    Readable messages for one schema error. anyOf errors ("is not valid under any of the given schemas") are opened
    up: the alternative the value was meant to be (the one named after its ``type``) is explained instead.
    """
    where = _where(error.absolute_path)
    if error.validator not in ('anyOf', 'oneOf') or not error.context:
        return [f'{where}{_label(error.instance)}: {error.message}']

    branches = error.validator_value
    by_branch: dict[int, list[ValidationError]] = {}
    for sub in error.context:
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)

    instance = error.instance
    kind = instance.get('type') if isinstance(instance, dict) else None
    names = [_branch_name(branch) for branch in branches]
    if isinstance(kind, str):
        chosen = [index for index, name in enumerate(names) if name == kind]
        if chosen:
            return [message for index in chosen for sub in by_branch.get(index, []) for message in _explain(sub)]
        if all(name is not None and name[:1].isupper() and not name.startswith('ImplementationsOf.')
               for name in names):
            return [f'{where}: type {kind!r} is not allowed here in Adaptive Cards 1.3; '
                    f'expected one of {", ".join(names)}']

    # Drop the alternatives that are a different kind of value altogether (e.g. "a string" for an object).
    meaningful = [
        index for index, subs in sorted(by_branch.items())
        if not all(_is_shape_error(sub) for sub in subs)
    ]
    if len(meaningful) == 1:
        return [message for sub in by_branch[meaningful[0]] for message in _explain(sub)]
    if len(branches) == 1 and 0 in by_branch:
        return [message for sub in by_branch[0] for message in _explain(sub)]
    enum_errors = [sub for sub in _same_place_errors(error) if sub.validator == 'enum']
    if not meaningful and enum_errors:
        return [f'{where}: {enum_errors[0].message} (in any letter case)']
    details = '; '.join(f'{_where(sub.absolute_path)}: {sub.message}' for sub in error.context)
    return [f'{where}{_label(instance)}: matches none of the allowed forms ({details})']


def _schema_problems(card: Any) -> list[str]:
    messages: list[str] = []
    for error in sorted(_validator().iter_errors(card), key=lambda e: list(map(str, e.absolute_path))):
        for message in _explain(error):
            if message not in messages:
                messages.append(message)
    return messages


def _walk(node: Any, path: tuple, role: str) -> Iterator[tuple[tuple, str, dict]]:
    """
    Every typed object of the card tree: (path, role, object), role being 'card', 'element' or 'action'.
    """
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, path + (index,), role)
        return
    if not isinstance(node, dict):
        return      # TextRun shorthand strings, "drop" fallbacks, bad shapes the schema reports
    yield path, role, node
    children = {
        'body': 'element', 'items': 'element', 'columns': 'element', 'images': 'element', 'inlines': 'element',
        'actions': 'action', 'selectAction': 'action', 'inlineAction': 'action', 'card': 'card',
        'fallback': role,
    }
    for key, child_role in children.items():
        if key in node and not (key == 'card' and node.get('type') != 'Action.ShowCard'):
            yield from _walk(node[key], path + (key,), child_role)


def _version_tuple(version: str) -> tuple[int, ...] | None:
    try:
        return tuple(int(part) for part in version.split('.'))
    except ValueError:
        return None


def _webex_problems(card: Any) -> list[str]:
    if not isinstance(card, dict):
        return [f'$: an Adaptive Card must be a JSON object, not {type(card).__name__}']
    problems = []
    if card.get('type') != 'AdaptiveCard':
        problems.append(f"$.type: must be 'AdaptiveCard', got {card.get('type', '<missing>')!r}")
    if card.get('version') != WEBEX_VERSION:
        problems.append(f"$.version: must be exactly {WEBEX_VERSION!r} (the version Webex renders), "
                        f"got {card.get('version', '<missing>')!r}")
    for path, role, node in _walk(card, (), 'card'):
        kind = node.get('type')
        where = _where(path)
        if role == 'card':
            if path and 'version' in node:
                version = node['version']
                parsed = _version_tuple(version) if isinstance(version, str) else None
                if parsed is None or parsed > _version_tuple(WEBEX_VERSION):
                    problems.append(f'{where}.version: a card inside Action.ShowCard may not declare a version '
                                    f'newer than {WEBEX_VERSION}, got {version!r}')
        elif role == 'element':
            if kind is not None and kind not in WEBEX_ELEMENTS:
                problems.append(f'{where}: element type {kind!r} is not supported by Webex '
                                f'(supported: {", ".join(sorted(WEBEX_ELEMENTS))})')
        elif kind is not None and kind not in WEBEX_ACTIONS:
            problems.append(f'{where}: action type {kind!r} is not supported by Webex '
                            f'(supported: {", ".join(sorted(WEBEX_ACTIONS))})')
    return problems


def card_problems(card: Any) -> list[str]:
    """
    Every reason ``card`` is not an Adaptive Card that Webex renders; empty when it is fine.
    """
    problems = _webex_problems(card)
    for message in _schema_problems(card):
        if message not in problems:
            problems.append(message)
    return problems


def validate_card(card: dict) -> None:
    """
    Raise ``AssertionError`` listing every problem when ``card`` is not a valid Adaptive Card 1.3 that Webex renders.
    """
    problems = card_problems(card)
    if problems:
        raise AssertionError(f'invalid Adaptive Card ({len(problems)} problem(s)):\n'
                             + '\n'.join(f'  - {problem}' for problem in problems))
