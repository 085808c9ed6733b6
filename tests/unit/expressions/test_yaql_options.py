"""YAQL runs with Mistral 23.0.0's engine options and the whole standard library."""

import pytest

from sirocco.expressions import evaluate


@pytest.mark.parametrize("text, expected", [
    ("<% dict(a => 1, b => [1, 2]) %>", {"a": 1, "b": [1, 2]}),        # keyword operator "=>"
    ("<% {a => 1}.a %>", 1),
    ("<% $.l.select([$, $ * 2]) %>", [[1, 2], [2, 4], [3, 6]]),          # tuples become lists
    ("<% $.l.toSet() %>", [1, 2, 3]),                                     # sets -> (sorted) lists
    ("<% 7 / 2 %>", 3),
    ("<% 7.0 / 2 %>", 3.5),
    ("<% 7 mod 2 %>", 1),
    ("<% $.rows.where($.v > 1).name %>", ["b"]),
    ("<% $.rows.toDict($.name, $.v) %>", {"a": 1, "b": 2}),
    ("<% $.rows.groupBy($.name).len() %>", 2),
    ("<% switch($.a > 0 => pos, true => neg) %>", "pos"),
    ("<% coalesce($.n, 5) %>", 5),
    ("<% let(x => 2) -> $x * $x %>", 4),
    ("<% regex('a(b)').search('xabc') %>", "ab"),
    ("<% 'a,b'.split(',') %>", ["a", "b"]),
    ("<% ['a', 'b'].join('-') %>", "a-b"),
    ("<% $.l.aggregate($1 + $2) %>", 6),
    ("<% $.d.set(x, 1) %>", {"k": "v", "x": 1}),
    ("<% range(1, 4).select($ * $) %>", [1, 4, 9]),
    ("<% call(len, [[1, 2]], {}) %>", 2),
    ("<% task_name %>", "task_name"),                                     # bare words are strings
])
def test_yaql_like_mistral(data, text, expected):
    # matches Mistral 23.0.0 (run in-process, same expressions and data)
    assert evaluate(text, data) == expected


def test_dicts_are_not_iterable(data, fails):
    # matches Mistral 23.0.0 (iterable_dicts = False): selecting over a dict fails
    assert fails("<% $.d.select($) %>", data).cause.startswith('No method "select"')


def test_dict_items_and_sets_of_dicts_come_back_as_lists(data):
    # Differs from Mistral 23.0.0 on purpose: Mistral fails on both ("unhashable type")
    # while converting the output; yaql computes them fine (input data is converted to
    # hashable types), so here they come back as lists
    assert evaluate("<% $.d.items() %>", data) == [["k", "v"]]
    assert evaluate("<% set($.d) %>", data) == [{"k": "v"}]


def test_keys_of_a_dict_are_sorted_for_stable_results():
    assert evaluate("<% $.d.keys() %>", {"d": {"z": 1, "a": 2, "m": 3}}) == ["a", "m", "z"]
