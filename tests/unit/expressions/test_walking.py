"""evaluate() walks nested dicts and lists; keys stay as written; input is never changed."""

import copy

from sirocco.expressions import evaluate


def test_nested_values_are_evaluated(data):
    spec = {"x": "<% $.a %>", "y": ["{{ _.b }}", {"z": "<% $.l.len() %>"}], "n": 5}
    assert evaluate(spec, data) == {"x": 1, "y": ["x", {"z": 3}], "n": 5}


def test_dict_keys_are_not_evaluated(data):
    # matches Mistral 23.0.0 (oracle server): {"<% $.a %>": "{{ _.a }}"} -> {"<% $.a %>": 1}
    assert evaluate({"<% $.a %>": "{{ _.a }}"}, data) == {"<% $.a %>": 1}


def test_different_languages_in_different_strings_of_one_document(data):
    # matches Mistral 23.0.0: mixing is refused only inside one string
    assert evaluate({"y": "<% $.a %>", "j": ["{{ _.b }}"]}, data) == {"y": 1, "j": ["x"]}


def test_input_is_left_untouched_and_output_is_fresh(data):
    spec = {"x": ["<% $.l %>"], "keep": [1, 2]}
    before_spec, before_data = copy.deepcopy(spec), copy.deepcopy(data)
    result = evaluate(spec, data)
    assert spec == before_spec and data == before_data
    assert result["x"][0] is not data["l"]
    result["x"][0].append(4)
    assert data["l"] == [1, 2, 3]


def test_tuples_are_walked_too(data):
    assert evaluate(("<% $.a %>", "b"), data) == (1, "b")


def test_empty_data_still_evaluates():
    # Differs from Mistral 23.0.0 on purpose: its evaluate_recursively returns the
    # data unevaluated when the context is empty; here expressions are evaluated.
    assert evaluate("<% 1 + 1 %>", {}) == 2
