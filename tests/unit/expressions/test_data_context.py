"""What `$` (YAQL) and `_` (Jinja) see, and what an undefined name gives."""

import types

from sirocco.expressions import ExpressionError, evaluate


def test_dollar_and_underscore_are_the_data(data):
    assert evaluate("<% $ %>", data) == data
    assert evaluate("{{ _ }}", data) == data
    assert evaluate("<% $.rows.where($.v > 1).name %>", data) == ["b"]
    assert evaluate("{{ _.rows | selectattr('v', 'gt', 1) | map(attribute='name') | list }}", data) == ["b"]


def test_data_keys_are_not_top_level_jinja_names(data, fails):
    # matches Mistral 23.0.0 (oracle server): "{{ foo }}" -> 'foo' is undefined
    error = fails("{{ a }}", data)
    assert error.cause == "'a' is undefined"


def test_missing_key_in_yaql_is_an_error(data, fails):
    # matches Mistral 23.0.0 (oracle server): "<% $.missing %>" fails (yaql 3 raises
    # KeyError); Mistral's cause reads "'missing'", here "key 'missing' not found"
    error = fails("<% $.missing %>", data)
    assert error.expression == "$.missing"
    assert "missing" in error.cause
    assert "not found" in error.cause


def test_missing_key_in_jinja_is_an_error(data, fails):
    # matches Mistral 23.0.0 (oracle server): StrictUndefined
    error = fails("{{ _.d.missing }}", data)
    assert error.cause == "'dict object' has no attribute 'missing'"
    error = fails("x {{ _.missing }}", data)
    assert "missing" in error.cause


def test_ways_to_read_an_optional_key(data):
    assert evaluate("<% $.get(missing) %>", data) is None
    assert evaluate("<% $.get(missing, z) %>", data) == "z"
    assert evaluate("{{ _.missing | default('z') }}", data) == "z"
    assert evaluate("{{ _.missing is defined }}", data) is False


def test_null_values_are_readable(data):
    assert evaluate("<% $.n %>", data) is None
    assert evaluate("{{ _.n }}", data) is None


def test_mistral_dunder_names_are_jinja_top_level_names():
    # matches Mistral 23.0.0 (oracle server): __env, __execution and __task_execution are
    # copied from the data context to Jinja's top level ({{ __env }} == {{ _.__env }})
    data = {"__env": {"E": 1}, "__execution": {"id": "ex1"}, "__task_execution": {"id": "t1", "name": "t"}}
    assert evaluate("{{ __env }}", data) == {"E": 1}
    assert evaluate("{{ __execution.id }}", data) == "ex1"
    assert evaluate("{{ __task_execution.name }}", data) == "t"
    assert evaluate("{{ _.__env }}", data) == {"E": 1}
    assert evaluate("{{ __env }}", {}) is None


def test_yaql_cannot_name_dunder_keys(fails):
    # matches Mistral 23.0.0 (oracle server): "<% $.__env %>" is a lexical error
    error = fails("<% $.__env %>", {"__env": {}})
    assert "illegal character" in error.cause


def test_any_mapping_can_be_the_data():
    frozen = types.MappingProxyType({"a": 1, "d": types.MappingProxyType({"k": "v"})})
    assert evaluate("<% $.a + 1 %>", frozen) == 2
    assert evaluate("{{ _.d.k }}", frozen) == "v"
    assert evaluate("<% $.d %>", frozen) == {"k": "v"}


def test_yaql_cannot_change_the_data(data):
    assert evaluate("<% $.l.append(4) %>", data) == [1, 2, 3, 4]
    assert data["l"] == [1, 2, 3]


def test_jinja_cannot_change_the_data(data, fails):
    # Differs from Mistral 23.0.0 on purpose: Mistral's sandbox lets {{ _.l.append(4) }}
    # change the data seen by later expressions; the immutable sandbox refuses it.
    error = fails("{{ _.l.append(4) }}", data)
    assert "unsafe" in error.cause
    assert data["l"] == [1, 2, 3]
    assert isinstance(error, ExpressionError)
