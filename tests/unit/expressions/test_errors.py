"""ExpressionError carries the expression and a one-line cause, worded like Mistral's."""

import pytest

from sirocco.expressions import (ExpressionError, ExpressionLimitError, ExpressionSyntaxError, StaticRuntime,
                                 evaluate)


def test_yaql_error_names_the_inner_expression(fails):
    # matches Mistral 23.0.0 (oracle server):
    # "Can not evaluate YAQL expression [expression=$.missing, error='missing']"
    error = fails("<% $.missing %>", {"a": 1})
    assert error.expression == "$.missing"
    assert error.language == "yaql"
    assert str(error) == "Can not evaluate YAQL expression [expression=$.missing, error=key 'missing' not found]"


def test_jinja_error_names_the_whole_string(fails):
    # matches Mistral 23.0.0 (oracle server):
    # "Can not evaluate Jinja expression [expression={{ _.missing }}, error=...]"
    error = fails("x {{ _.missing }}", {"a": 1})
    assert error.expression == "x {{ _.missing }}"
    assert error.language == "jinja"
    assert str(error) == ("Can not evaluate Jinja expression [expression=x {{ _.missing }}, "
                          "error='dict object' has no attribute 'missing']")


def test_the_failing_segment_of_a_yaql_string_is_named(fails):
    error = fails("ok <% $.a %>, bad <% $.a + x %>", {"a": 1})
    assert error.expression == "$.a + x"


@pytest.mark.parametrize("text, cause", [
    ("<% 1 + %>", "Parse error: unexpected end of statement"),
    ("<% %>", "Parse error: unexpected end of statement"),
    ("{{ 1 + }}", "unexpected 'end of template'"),
    ("{{ }}", "unexpected 'end of template'"),
    ("x {% if %}", "Expected an expression, got 'end of statement block'"),
])
def test_syntax_errors_at_evaluation_time(text, cause, fails):
    # matches Mistral 23.0.0 (run in-process): the same parser messages, except for
    # "x {% if %}" where Mistral stops at its blocks-without-{{ }} bug ("list index out of range")
    error = fails(text)
    assert isinstance(error, ExpressionSyntaxError)
    assert error.cause == cause


@pytest.mark.parametrize("text, cause", [
    ("<% 1 / 0 %>", "integer division or modulo by zero"),
    ("{{ 1 / 0 }}", "division by zero"),
    ("<% int('x') %>", "invalid literal for int() with base 10: 'x'"),
    ("<% 'x' + 1 %>", 'No function "#operator_+" matches supplied arguments'),
    ("<% $.l[10] %>", "tuple index out of range"),
])
def test_runtime_errors_keep_the_library_message(text, cause, fails):
    # matches Mistral 23.0.0 (run in-process)
    assert fails(text, {"l": [1]}).cause == cause


def test_error_text_is_one_line_without_traceback_or_data(fails):
    error = fails("<% $.secret.missing %>", {"secret": {"password": "hunter2"}})
    text = str(error)
    assert "\n" not in text and "Traceback" not in text
    assert "hunter2" not in text


def test_long_expressions_are_clipped_in_str(fails):
    text = "<% $.missing" + " + 1" * 300 + " %>"
    error = fails(text, {})
    assert len(str(error)) < 700
    assert error.expression.startswith("$.missing + 1")
    assert len(error.expression) > 1000  # the attribute keeps it whole


def test_errors_are_exceptions_with_a_common_base():
    assert issubclass(ExpressionSyntaxError, ExpressionError)
    assert issubclass(ExpressionLimitError, ExpressionError)
    assert issubclass(ExpressionError, Exception)


def test_errors_raised_by_the_runtime_become_expression_errors(fails):
    class Broken(StaticRuntime):
        def env(self):
            raise RuntimeError("store unavailable")

    error = fails("<% env() %>", {}, Broken())
    assert error.cause == "store unavailable"
    assert fails("{{ env() }}", {}, Broken()).cause == "store unavailable"


def test_memory_errors_become_limit_errors(fails):
    class Exhausted(StaticRuntime):
        def env(self):
            raise MemoryError

    error = fails("<% env() %>", {}, Exhausted())
    assert isinstance(error, ExpressionLimitError)
    assert "memory" in error.cause


def test_results_that_are_not_data_are_refused(fails):
    assert "not data" in fails("{{ cycler }}").cause
    assert evaluate("{{ cycler(1, 2).next() }}", {}) == 1


def test_errors_survive_pickling():
    import pickle

    error = pickle.loads(pickle.dumps(ExpressionLimitError("$.x", "too big", "yaql")))
    assert (type(error), error.expression, error.cause, error.language) == (ExpressionLimitError, "$.x", "too big", "yaql")
