"""One string may hold YAQL or Jinja, not both."""

import pytest

from sirocco.expressions import ExpressionSyntaxError, evaluate, syntax_errors


@pytest.mark.parametrize("text", ["<% $.a %>{{ _.a }}", "x{{ 1.5 }}x<% 2.0 %>", "{% if true %}<% $.a %>{% endif %}"])
def test_mixed_string_is_refused_at_evaluation(text, fails):
    # Mistral 23.0.0 refuses these at upload ("Mixing expression types in a single line
    # is not allowed", oracle server); at run time it would render the Jinja part and leave
    # the YAQL part as text. Here evaluation refuses them too, saying why.
    error = fails(text, {"a": 1})
    assert error.language is None
    assert error.expression == text
    assert "both YAQL" in error.cause and "Jinja" in error.cause
    assert not isinstance(error, ExpressionSyntaxError)


def test_mixed_string_is_reported_by_syntax_errors():
    assert any("both YAQL" in e for e in syntax_errors("<% $.a %> {{ _.a }}"))


def test_one_language_per_string_in_one_document():
    assert evaluate(["<% $.a %>", "{{ _.a }}", {"k": "<% $.a + 1 %>"}], {"a": 1}) == [1, 1, {"k": 2}]


def test_unclosed_markers_of_the_other_language_are_plain_text():
    assert evaluate("<% $.a %> {{ not closed", {"a": 1}) == "1 {{ not closed"
    assert evaluate("{{ _.a }} <% not closed", {"a": 1}) == "1 <% not closed"
