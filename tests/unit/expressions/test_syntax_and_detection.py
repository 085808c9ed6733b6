"""has_expressions and syntax_errors, used by the language layer at upload."""

import pytest

from sirocco.expressions import has_expressions, syntax_errors


@pytest.mark.parametrize("value, expected", [
    ("<% $.a %>", True),
    ("x {{ _.a }} y", True),
    ("{% if true %}x{% endif %}", True),
    ("plain", False),
    ("50% <% done", False),
    ("{ not: jinja }", False),
    ("<%\n$.a %>", False),  # Mistral's patterns do not cross lines
    ({"k": ["a", {"n": "<% 1 %>"}]}, True),
    ({"<% $.a %>": "plain"}, False),  # keys are never evaluated
    ([1, None, 2.5], False),
    (("<% 1 %>",), True),
    (7, False),
])
def test_has_expressions(value, expected):
    assert has_expressions(value) is expected


@pytest.mark.parametrize("text", [
    "<% $.a %>", "x <% $.a + 1 %> y <% $.b %>", "{{ _.a }}", "{% for x in _.l %}{{ x }}{% endfor %}",
    "plain", "", "<% tasks(state => SUCCESS) %>", "<% $.l.select($ * 2) %>",
])
def test_valid_strings_have_no_errors(text):
    assert syntax_errors(text) == []


def test_each_bad_yaql_expression_is_reported():
    errors = syntax_errors("<% 1 + %> ok <% $.a %> <% ) %>")
    assert len(errors) == 2
    assert errors[0] == "invalid YAQL expression <% 1 + %>: Parse error: unexpected end of statement"
    assert errors[1].startswith("invalid YAQL expression <% ) %>:")


def test_bad_jinja_is_reported_once_for_the_string():
    errors = syntax_errors("{{ 1 + }} and {{ ( }}")
    assert len(errors) == 1
    assert errors[0].startswith("invalid Jinja2 expression '{{ 1 + }} and {{ ( }}':")


def test_bad_jinja_block():
    assert syntax_errors("{% for %}{{ x }}")[0].startswith("invalid Jinja2 expression")


def test_mixed_languages_are_reported():
    # matches Mistral 23.0.0 (oracle server): refused at upload
    errors = syntax_errors("<% $.a %> {{ _.a }}")
    assert len(errors) == 1 and "both YAQL" in errors[0]


def test_non_strings_have_no_errors():
    assert syntax_errors(5) == []  # type: ignore[arg-type]


def test_yaql_delegates_are_disabled():
    # matches Mistral 23.0.0 defaults (allow_delegates = False)
    assert syntax_errors("<% $.l.len() %>") == []
    assert syntax_errors("<% $f(1) %>") != []
