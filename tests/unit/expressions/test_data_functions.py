"""json_parse, json_dump, json_pp, yaml_parse, yaml_dump in both languages."""

import pytest

from sirocco.expressions import evaluate

DUMPED = '{\n    "a": 1,\n    "b": [\n        1,\n        2\n    ]\n}'


@pytest.mark.parametrize("text", [
    "<% json_dump({a => 1, b => [1, 2]}) %>",
    "<% json_dump(data => {a => 1, b => [1, 2]}) %>",
    "{{ json_dump({'a': 1, 'b': [1, 2]}) }}",
    "{{ _.v | json_dump }}",
    "{{ _ | json_dump(_.v) }}",
    "<% json_pp({a => 1, b => [1, 2]}) %>",
    "{{ json_pp(_.v) }}",
])
def test_json_dump(text):
    # matches Mistral 23.0.0 (oracle server): indent 4, insertion order.
    # json_pp is an alias kept for old workflows (Mistral 23.0.0 no longer has it), and
    # "x | json_dump" dumps x (Mistral would need "_ | json_dump(x)", which works too)
    assert evaluate(text, {"v": {"a": 1, "b": [1, 2]}}) == DUMPED


def test_json_dump_escapes_non_ascii_and_null():
    # matches Mistral 23.0.0 (oracle server)
    assert evaluate("<% json_dump('é') %>", {}) == '"\\u00e9"'
    assert evaluate("<% json_dump(null) %>", {}) == "null"
    assert evaluate("{{ json_dump(none) }}", {}) == "null"


def test_json_parse():
    # matches Mistral 23.0.0 (oracle server)
    assert evaluate("<% json_parse('{\"a\": [1, null]}') %>", {}) == {"a": [1, None]}
    assert evaluate("{{ json_parse('[1]') }}", {}) == [1]
    assert evaluate("{{ '[1]' | json_parse }}", {}) == [1]
    assert evaluate("<% json_parse($.s).k %>", {"s": '{"k": "v"}'}) == "v"


def test_json_parse_error(fails):
    # matches Mistral 23.0.0 (oracle server): the json module's message
    error = fails("<% json_parse('bad') %>")
    assert error.cause == "Expecting value: line 1 column 1 (char 0)"


def test_yaml_dump():
    # matches Mistral 23.0.0 (oracle server): block style, sorted keys, \xE9 escapes
    assert evaluate("<% yaml_dump({b => 1, a => [1, 2]}) %>", {}) == "a:\n- 1\n- 2\nb: 1\n"
    assert evaluate("{{ yaml_dump({'a': 1}) }}", {}) == "a: 1\n"
    assert evaluate("<% yaml_dump('é') %>", {}) == '"\\xE9"\n'
    assert evaluate("<% yaml_dump([[1]]) %>", {}) == "- - 1\n"


def test_yaml_dump_writes_shared_values_in_full():
    shared = [1]
    assert evaluate("{{ yaml_dump(_.v) }}", {"v": {"a": shared, "b": shared}}) == "a:\n- 1\nb:\n- 1\n"


def test_yaml_parse():
    # matches Mistral 23.0.0 (oracle server)
    assert evaluate("<% yaml_parse('a: [1, b]') %>", {}) == {"a": [1, "b"]}
    assert evaluate("{{ yaml_parse('a: b') }}", {}) == {"a": "b"}
    assert evaluate("<% yaml_parse('') %>", {}) is None


def test_yaml_parse_reads_anchors_and_aliases_as_text():
    # matches Mistral 23.0.0 (its safe_yaml loader, run in-process): no aliases, so no "billion laughs"
    assert evaluate("<% yaml_parse('&a x') %>", {}) == "&a x"
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]"
    assert evaluate("{{ yaml_parse(_.s) }}", {"s": bomb}) == {"a": "&a [x, x]", "b": "&b [*a, *a]", "c": ["*b", "*b"]}


def test_yaml_parse_refuses_python_tags(fails):
    assert "could not determine a constructor" in fails("{{ yaml_parse(_.s) }}", {"s": "!!python/object:os.system {}"}).cause


def test_round_trips_of_yaql_frozen_data(data):
    assert evaluate("<% json_parse(json_dump($)) %>", data) == data
    assert evaluate("<% yaml_parse(yaml_dump($.d)) %>", data) == {"k": "v"}
