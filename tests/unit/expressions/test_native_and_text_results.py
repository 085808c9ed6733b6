"""A string that is exactly one expression gives a native value; otherwise a string."""

import pytest

from sirocco.expressions import evaluate


@pytest.mark.parametrize("text, expected", [
    ("<% $.a %>", 1),
    ("<% $.l %>", [1, 2, 3]),
    ("<% $.d %>", {"k": "v"}),
    ("<% $.n %>", None),
    ("<% $.t %>", True),
    ("<% $.f %>", 1.5),
    ("<%$.a%>", 1),
    ("<%   $.a   %>", 1),
    ("{{ _.a }}", 1),
    ("{{ _.l }}", [1, 2, 3]),
    ("{{ _.d }}", {"k": "v"}),
    ("{{ _.n }}", None),
    ("{{ true }}", True),
    ("{{_.a}}", 1),
])
def test_whole_expression_gives_native_value(data, text, expected):
    # matches Mistral 23.0.0 (checked on the oracle server: std.echo of each string)
    assert evaluate(text, data) == expected
    assert type(evaluate(text, data)) is type(expected)


@pytest.mark.parametrize("text, expected", [
    (" <% $.a %>", " 1"),
    ("<% $.a %> ", "1 "),
    ("<% $.a %>\n", "1\n"),
    (" {{ _.a }}", " 1"),
    ("x{{ _.a }}", "x1"),
])
def test_any_text_around_gives_a_string(data, text, expected):
    # matches Mistral 23.0.0: surrounding whitespace makes it a string
    assert evaluate(text, data) == expected


def test_jinja_drops_one_trailing_newline(data):
    # matches Mistral 23.0.0: "{{ _.a }}\n" renders as "1" (Jinja keeps no trailing newline)
    assert evaluate("{{ _.a }}\n", data) == "1"


@pytest.mark.parametrize("text, expected", [
    ("x<% $.d %>", "x{'k': 'v'}"),
    ("x<% $.n %>", "xNone"),
    ("x<% $.t %>", "xTrue"),
    ("x<% $.l %>", "x[1, 2, 3]"),
    ("x<% [1, 'a', null, true] %>", "x[1, 'a', None, True]"),
    ("x<% dict(a => null) %>", "x{'a': None}"),
    ("x<% 2.0 %>", "x2.0"),
    ("x{{ _.d }}", "x{'k': 'v'}"),
    ("x{{ _.n }}", "xNone"),
    ("x{{ true }}", "xTrue"),
    ("x{{ _.l }}", "x[1, 2, 3]"),
])
def test_values_inside_text_render_like_python_str(data, text, expected):
    # matches Mistral 23.0.0 (oracle server): Python str() of the value
    assert evaluate(text, data) == expected


def test_sets_inside_text_keep_set_syntax():
    # matches Mistral 23.0.0: "x<% $.d.keys() %>" gives "x{'k'}"
    assert evaluate("x<% $.d.keys() %>", {"d": {"k": "v"}}) == "x{'k'}"


def test_several_expressions_in_one_string(data):
    assert evaluate("<% $.a %> and <% $.b %>", data) == "1 and x"
    assert evaluate("{{ _.a }}{{ _.b }}", data) == "1x"


def test_each_yaql_occurrence_is_evaluated_on_its_own():
    # Differs from Mistral 23.0.0 on purpose: Mistral substitutes the first value into
    # every identical "<% uuid() %>" (both halves equal); here each occurrence is evaluated.
    text = evaluate("<% uuid() %> <% uuid() %>", {})
    first, second = text.split(" ")
    assert first != second


def test_values_produced_by_an_expression_are_not_evaluated_again():
    # matches Mistral 23.0.0: a variable holding "<% $.a %>" comes back as that text
    data = {"a": 1, "s": "<% $.a %>", "j": "{{ _.a }}"}
    assert evaluate("<% $.s %>", data) == "<% $.a %>"
    assert evaluate("x<% $.s %>", data) == "x<% $.a %>"
    assert evaluate("{{ _.j }}", data) == "{{ _.a }}"


def test_expressions_do_not_span_lines(data):
    # matches Mistral 23.0.0: its patterns do not cross a line break, so these are text
    assert evaluate("<%\n$.a %>", data) == "<%\n$.a %>"
    assert evaluate("{{\n_.a }}", data) == "{{\n_.a }}"


def test_a_template_with_a_multiline_expression_is_rendered_whole(data):
    # matches Mistral 23.0.0: once a one-line "{{ }}" is found, Jinja renders all of it
    assert evaluate("{{ _.a }} {{\n_.b }}", data) == "1 x"


def test_first_braces_decide_whether_jinja_is_whole(data):
    # matches Mistral 23.0.0: the non-greedy "{{...}}" stops at the first "}}",
    # so a nested dict literal makes it a rendered string
    assert evaluate('{{ {"a": {"b": 1}} }}', data) == "{'a': {'b': 1}}"
    assert evaluate('{{ {"a": 1} }}', data) == {"a": 1}


def test_jinja_blocks_render(data):
    # matches Mistral 23.0.0 (trim_blocks/lstrip_blocks): a newline after a block tag is dropped
    assert evaluate("{% for x in _.l %}{{ x }}\n{% endfor %}", data) == "1\n2\n3\n"
    assert evaluate("x {% for x in _.l %}{{ x }}\n{% endfor %}y", data) == "x 1\n2\n3\ny"


def test_jinja_blocks_without_an_expression_render():
    # Differs from Mistral 23.0.0 on purpose: Mistral fails with "list index out of
    # range" when a string has {% %} blocks but no {{ }}; here it renders.
    assert evaluate("{% if true %}yes{% endif %}", {}) == "yes"


def test_plain_strings_and_other_values_pass_through(data):
    assert evaluate("no expression", data) == "no expression"
    assert evaluate("50% <%", data) == "50% <%"
    assert evaluate(5, data) == 5
    assert evaluate(None, data) is None


def test_native_results_are_plain_json_types():
    # tuples and iterators become lists, sets sorted lists, datetimes ISO strings
    assert evaluate("{{ (1, 2) }}", {}) == [1, 2]
    assert evaluate("{{ [3, 1] | reverse }}", {}) == [1, 3]
    assert evaluate("<% set(2, 1) %>", {}) == [1, 2]
    now = evaluate("<% now() %>", {})
    assert isinstance(now, str) and now[10] == "T"  # matches Mistral 23.0.0: "2026-11-27T07:12:57.854100"
    assert type(evaluate("{{ _.d | tojson }}", {"d": {"k": 1}})) is str  # Markup becomes str
