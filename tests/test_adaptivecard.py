"""
Tests of the Adaptive Card validator in tests/adaptivecard (the validator the card tests rely on).
"""
import copy
import json
import re

import pytest
from jsonschema import Draft6Validator

from tests.adaptivecard import SCHEMA_PATH, WEBEX_ACTIONS, WEBEX_ELEMENTS, card_problems, load_schema, validate_card

pytestmark = pytest.mark.unit


def card(*body: dict, **extra: object) -> dict:
    return {'type': 'AdaptiveCard', 'version': '1.3', 'body': list(body), **extra}


def problems_of(value: object) -> str:
    """
    The AssertionError message validate_card raises for value; fails the test when it raises none.
    """
    with pytest.raises(AssertionError) as raised:
        validate_card(value)
    return str(raised.value)


REALISTIC = {
    '$schema': 'http://adaptivecards.io/schemas/adaptive-card.json',
    'type': 'AdaptiveCard',
    'version': '1.3',
    'body': [
        {'type': 'TextBlock', 'text': 'Call queue **Support**', 'size': 'Large', 'weight': 'Bolder', 'wrap': True},
        {'type': 'FactSet', 'facts': [{'title': 'Agent', 'value': 'alice@example.com'},
                                      {'title': 'State', 'value': 'available'}]},
        {'type': 'ColumnSet', 'columns': [
            {'type': 'Column', 'width': 'auto', 'items': [
                {'type': 'Image', 'url': 'https://example.com/avatar.png', 'size': 'Small', 'style': 'Person'}]},
            {'type': 'Column', 'width': 'stretch', 'items': [
                {'type': 'TextBlock', 'text': 'Alice', 'isSubtle': True, 'spacing': 'None'}]},
        ]},
        {'type': 'Input.Text', 'id': 'number', 'label': 'Number to dial', 'placeholder': '+1 555 0100',
         'isRequired': True, 'errorMessage': 'Enter a number', 'regex': '^[+0-9 ]+$'},
        {'type': 'Input.ChoiceSet', 'id': 'line', 'value': '1', 'style': 'compact',
         'choices': [{'title': 'Line 1', 'value': '1'}, {'title': 'Line 2', 'value': '2'}]},
        {'type': 'Container', 'id': 'details', 'isVisible': False, 'style': 'emphasis', 'items': [
            {'type': 'RichTextBlock', 'inlines': ['Plain ', {'type': 'TextRun', 'text': 'bold', 'weight': 'Bolder'}]},
        ]},
        {'type': 'ActionSet', 'actions': [
            {'type': 'Action.Submit', 'title': 'Dial', 'style': 'positive',
             'data': {'command': 'dial', 'queue': 'support'}},
            {'type': 'Action.ToggleVisibility', 'title': 'Details', 'targetElements': ['details']},
        ]},
    ],
    'actions': [
        {'type': 'Action.OpenUrl', 'title': 'Help', 'url': 'https://example.com/help'},
        {'type': 'Action.ShowCard', 'title': 'Hang up', 'card': {
            'type': 'AdaptiveCard',
            'body': [{'type': 'Input.Toggle', 'id': 'sure', 'title': 'Really hang up?'}],
            'actions': [{'type': 'Action.Submit', 'title': 'Hang up', 'data': {'command': 'hangup'}}],
        }},
    ],
}


# --- cards that pass ------------------------------------------------------------------------------------------------

def test_minimal_card_passes():
    minimal = {'type': 'AdaptiveCard', 'version': '1.3'}
    validate_card(minimal)
    assert card_problems(minimal) == []


def test_realistic_card_passes():
    validate_card(REALISTIC)
    assert card_problems(REALISTIC) == []


def test_validation_does_not_change_the_card():
    before = copy.deepcopy(REALISTIC)
    validate_card(REALISTIC)
    assert REALISTIC == before


def test_enum_values_are_accepted_in_any_letter_case():
    # the official schema accepts "Large", "large", "LARGE" ... alike
    validate_card(card({'type': 'TextBlock', 'text': 'x', 'size': 'LARGE', 'color': 'good', 'spacing': 'Medium'}))


# --- (b) type and version -------------------------------------------------------------------------------------------

def test_wrong_version_fails():
    message = problems_of(dict(REALISTIC, version='1.5'))
    assert "$.version: must be exactly '1.3' (the version Webex renders), got '1.5'" in message
    assert message.startswith('invalid Adaptive Card (1 problem(s)):')


@pytest.mark.parametrize('version', ['1.2', '1.3.0', 1.3, None])
def test_only_exactly_1_3_is_accepted(version):
    assert "$.version: must be exactly '1.3'" in problems_of(dict(REALISTIC, version=version))


def test_missing_version_fails():
    message = problems_of({'type': 'AdaptiveCard', 'body': []})
    assert "$.version: must be exactly '1.3' (the version Webex renders), got '<missing>'" in message


def test_missing_type_fails():
    without_type = {key: value for key, value in REALISTIC.items() if key != 'type'}
    message = problems_of(without_type)
    assert "$.type: must be 'AdaptiveCard', got '<missing>'" in message


def test_wrong_type_fails():
    # the schema itself rejects this too ('type' must be 'AdaptiveCard' when present)
    message = problems_of(dict(REALISTIC, type='MessageCard'))
    assert "$.type: must be 'AdaptiveCard', got 'MessageCard'" in message
    assert "$: type 'MessageCard' is not allowed here in Adaptive Cards 1.3; expected one of AdaptiveCard" in message


def test_a_card_must_be_an_object():
    assert '$: an Adaptive Card must be a JSON object, not list' in problems_of([REALISTIC])


# --- (c) element and action types -----------------------------------------------------------------------------------

def test_unknown_element_type_fails():
    message = problems_of(card({'type': 'TextBlock', 'text': 'ok'}, {'type': 'Fancy', 'text': 'x'}))
    assert "$.body[1]: element type 'Fancy' is not supported by Webex" in message
    assert "$.body[1]: type 'Fancy' is not allowed here in Adaptive Cards 1.3; expected one of ActionSet," in message
    assert '$.body[0]' not in message


def test_unknown_element_type_deep_in_the_tree_fails():
    body = copy.deepcopy(REALISTIC['body'])
    body[2]['columns'][1]['items'].append({'type': 'Carousel', 'pages': []})
    message = problems_of(dict(REALISTIC, body=body))
    assert "$.body[2].columns[1].items[1]: element type 'Carousel' is not supported by Webex" in message


def test_action_execute_fails():
    message = problems_of(card(actions=[{'type': 'Action.Execute', 'title': 'Go', 'verb': 'go'}]))
    assert "$.actions[0]: action type 'Action.Execute' is not supported by Webex" in message
    assert ("$.actions[0]: type 'Action.Execute' is not allowed here in Adaptive Cards 1.3; expected one of "
            'Action.OpenUrl, Action.ShowCard, Action.Submit, Action.ToggleVisibility') in message


def test_action_execute_in_an_action_set_fails():
    message = problems_of(card({'type': 'ActionSet', 'actions': [
        {'type': 'Action.Submit', 'title': 'ok'}, {'type': 'Action.Execute', 'title': 'Go'}]}))
    assert "$.body[0].actions[1]: action type 'Action.Execute' is not supported by Webex" in message
    assert '$.body[0].actions[0]' not in message


def test_action_execute_inside_a_show_card_fails():
    actions = copy.deepcopy(REALISTIC['actions'])
    actions[1]['card']['actions'].append({'type': 'Action.Execute', 'title': 'Go'})
    message = problems_of(dict(REALISTIC, actions=actions))
    assert "$.actions[1].card.actions[1]: action type 'Action.Execute' is not supported by Webex" in message


def test_action_execute_as_select_action_fails():
    message = problems_of(card({'type': 'Container', 'items': [], 'selectAction': {'type': 'Action.Execute'}}))
    assert "$.body[0].selectAction: action type 'Action.Execute' is not supported by Webex" in message


def test_media_is_valid_1_3_but_not_supported_by_webex():
    media = card({'type': 'Media', 'sources': [{'mimeType': 'video/mp4', 'url': 'https://example.com/a.mp4'}]})
    assert not list(Draft6Validator(load_schema()).iter_errors(media))      # the schema alone accepts it
    assert card_problems(media) == [
        "$.body[0]: element type 'Media' is not supported by Webex (supported: "
        + ', '.join(sorted(WEBEX_ELEMENTS)) + ')']


def test_an_unknown_element_in_a_fallback_fails():
    # the official schema's fallback: "drop" pattern lets any object through; the validator does not
    message = problems_of(card({'type': 'Container', 'items': [], 'fallback': {'type': 'Table', 'rows': []}}))
    assert "$.body[0].fallback: element type 'Table' is not supported by Webex" in message
    assert "$.body[0].fallback: type 'Table' is not allowed here in Adaptive Cards 1.3" in message


def test_an_element_where_an_action_belongs_fails():
    message = problems_of(card(actions=[{'type': 'TextBlock', 'text': 'x'}]))
    assert "$.actions[0]: action type 'TextBlock' is not supported by Webex" in message


def test_webex_type_lists():
    assert WEBEX_ACTIONS == {'Action.Submit', 'Action.OpenUrl', 'Action.ShowCard', 'Action.ToggleVisibility'}
    assert 'Media' not in WEBEX_ELEMENTS and len(WEBEX_ELEMENTS) == 16
    schema_elements = {branch['allOf'][0]['$ref'].split('/')[-1]
                       for branch in load_schema()['definitions']['ImplementationsOf.Element']['anyOf']}
    # every top-level element Webex supports exists in 1.3 (Column and TextRun are only found inside others)
    assert WEBEX_ELEMENTS - {'Column', 'TextRun'} <= schema_elements


# --- (a)/(d) schema validity: required fields, extra properties, enums, features newer than 1.3 -----------------------

def test_text_block_without_text_fails():
    message = problems_of(card({'type': 'TextBlock', 'wrap': True}))
    assert "$.body[0] (TextBlock): 'text' is a required property" in message


def test_action_submit_with_a_misspelt_property_fails():
    # the official 1.3 schema really forbids extra properties on Action.Submit
    raw = json.loads(SCHEMA_PATH.read_text(encoding='utf-8'))
    assert raw['definitions']['Action.Submit']['additionalProperties'] is False
    message = problems_of(card({'type': 'ActionSet', 'actions': [
        {'type': 'Action.Submit', 'titel': 'Dial', 'data': {'command': 'dial'}}]}))
    assert "$.body[0].actions[0] (Action.Submit): Additional properties are not allowed ('titel' was unexpected)" \
        in message


def test_input_text_without_id_fails():
    message = problems_of(card({'type': 'Input.Text', 'placeholder': 'Number'}))
    assert "$.body[0] (Input.Text): 'id' is a required property" in message


def test_element_without_type_fails():
    message = problems_of(card({'text': 'no type'}))
    assert "$.body[0]: 'type' is a required property" in message


@pytest.mark.parametrize('style', ['fancy', 'verygood', 5])
def test_invalid_container_style_fails(style):
    # 'verygood' and 5 slip through the official schema's patterns; the validator makes the enumerations strict
    message = problems_of(card({'type': 'Container', 'style': style, 'items': []}))
    assert (f"$.body[0].style: {style!r} is not one of ['default', 'emphasis', 'good', 'attention', 'warning', "
            "'accent'] (in any letter case)") in message


def test_1_5_card_properties_fail():
    message = problems_of(card(rtl=True))
    assert "$ (AdaptiveCard): Additional properties are not allowed ('rtl' was unexpected)" in message


def test_1_5_element_properties_fail():
    message = problems_of(card({'type': 'Input.Text', 'id': 'n', 'label': 'N', 'inlineAction': None,
                                'style': 'Password'}))
    assert "$.body[0].style: 'Password' is not one of ['text', 'tel', 'url', 'email']" in message


def test_show_card_with_a_newer_version_fails():
    actions = copy.deepcopy(REALISTIC['actions'])
    actions[1]['card']['version'] = '1.4'
    message = problems_of(dict(REALISTIC, actions=actions))
    assert "$.actions[1].card.version: a card inside Action.ShowCard may not declare a version newer than 1.3, " \
           "got '1.4'" in message


def test_every_problem_is_listed():
    broken = card({'type': 'TextBlock'}, {'type': 'Input.Text'}, {'type': 'Fancy'}, version='1.6',
                  actions=[{'type': 'Action.Execute'}])
    message = problems_of(broken)
    lines = message.splitlines()
    assert lines[0] == f'invalid Adaptive Card ({len(lines) - 1} problem(s)):'
    for expected in ("$.version: must be exactly '1.3'", "$.body[0] (TextBlock): 'text' is a required property",
                     "$.body[1] (Input.Text): 'id' is a required property",
                     "$.body[2]: element type 'Fancy' is not supported by Webex",
                     "$.actions[0]: action type 'Action.Execute' is not supported by Webex"):
        assert sum(expected in line for line in lines) == 1, expected
    assert all(line.startswith('  - $') for line in lines[1:])


# --- the schema file ------------------------------------------------------------------------------------------------

def test_schema_file_is_the_adaptive_card_1_3_schema():
    raw = json.loads(SCHEMA_PATH.read_text(encoding='utf-8'))
    Draft6Validator.check_schema(raw)
    assert raw['$schema'] == 'http://json-schema.org/draft-06/schema#'
    assert raw['id'] == 'http://adaptivecards.io/schemas/adaptive-card.json'
    definitions = raw['definitions']
    # 1.3 additions are there, 1.4+ ones are not
    assert definitions['Extendable.Input']['properties']['label']['version'] == '1.3'
    assert definitions['Extendable.Input']['required'] == ['id']
    assert 'Action.Execute' not in definitions and 'Table' not in definitions
    assert 'rtl' not in definitions['AdaptiveCard']['properties']


def test_tightened_enumerations_keep_the_official_values():
    raw = json.loads(SCHEMA_PATH.read_text(encoding='utf-8'))['definitions']
    tightened = load_schema()['definitions']
    assert load_schema(tighten=False)['definitions'] == raw
    enums = [name for name, definition in raw.items()
             if [set(branch) for branch in definition.get('anyOf', [])] == [{'enum'}, {'pattern'}]]
    assert len(enums) == 18
    for name in enums:
        values = raw[name]['anyOf'][0]['enum']
        official, strict = re.compile(raw[name]['anyOf'][1]['pattern']), tightened[name]['anyOf'][1]
        assert tightened[name]['anyOf'][0] == {'enum': values}
        assert strict['type'] == 'string'
        for value in values:
            for spelling in (value, value.upper(), value.capitalize()):
                assert official.search(spelling) and re.search(strict['pattern'], spelling)
            assert not re.search(strict['pattern'], f'x{value}x')
