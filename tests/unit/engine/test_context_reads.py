"""What an expression reads (context.reads): only those names are given to
the expression, so an evaluation costs what it reads, not the context; the
values must be those of the whole context."""

import pytest

from sirocco.expressions import NullRuntime, evaluate
from sirocco.engine.context import analysed, reads


@pytest.mark.parametrize("text, names", [
    ("<% $.x %>", {"x"}),
    ("<% $.x + $.y_1 %>", {"x", "y_1"}),
    ("<% $.list.where($.a > 1) %>", {"list", "a"}),  # the inner $ is the item: reading a too is harmless
    ("<% $.x.len() %>", {"x"}),
    ("<% $.__execution.id %>", {"__execution"}),
    ("a <% $.x %> b <% $.y %>", {"x", "y"}),
    ("<% $ %>", None),
    ("<% $.get(a) %>", None),
    ("<% $.keys() %>", None),
    ("<% $.get (a) %>", None),
    ("<% $.list.select($ * 2) %>", None),
    ("<% $1 %>", None),
    ("<% $.caf\u00e9 %>", None),
    ("<% $.9 %>", None),
    ("<% 'price $' + $.x %>", None),
    ("{{ _.x }}", None),
    ("<% len($) %>", None),
])
def test_reads(text, names):
    assert reads(text) == (frozenset(names) if names is not None else None)


def test_containers_are_analysed_once_and_merged():
    value = {"a": "<% $.x %>", "b": ["<% $.y %>", 1], "c": "plain"}
    assert analysed(value) == (True, frozenset({"x", "y"}))
    assert analysed(value) == (True, frozenset({"x", "y"}))
    assert analysed({"a": "<% $ %>", "b": "<% $.y %>"})[1] is None
    assert analysed({"a": "plain"}) == (False, frozenset())
    assert analysed({}) == (False, frozenset())


DATA = {"x": 1, "y": [1, 2, 3], "z": {"k": "v"}, "list": [{"a": 1}, {"a": 2}], "s": "text"}


@pytest.mark.parametrize("text", [
    "<% $.x %>", "<% $.y[1] %>", "<% $.z.k %>", "<% $.nope %>", "<% $.list.where($.a > 1) %>",
    "<% $.y.len() + $.x %>", "x=<% $.x %>, z=<% $.z %>", "<% $.list.select($.a).sum() %>",
    "<% $.z.get(k) %>", "<% $.s.toUpper() %>",
])
def test_the_names_read_give_the_same_values(text):
    names = reads(text)
    assert names is not None
    part = {k: v for k, v in DATA.items() if k in names}

    def outcome(data):
        try:
            return evaluate(text, data, NullRuntime())
        except Exception as exc:  # a missing key fails alike
            return str(exc)

    assert outcome(part) == outcome(DATA)
