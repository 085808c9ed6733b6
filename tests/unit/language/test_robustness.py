"""No input may crash the parser: only ValidationFailed (or a result) comes out.

Random junk is put in place of every part of valid documents, keys get odd
types, texts get mutated, and a few huge or deeply nested documents are fed.
A refusal must also never be our catch-all "internal error" (a bug).
"""

from __future__ import annotations

import copy
import random

import pytest
import yaml

from sirocco.language import ValidationFailed, parse_actions, parse_document, parse_workbook, parse_workflows

PARSERS = (parse_workflows, parse_workbook, parse_actions, parse_document)

WORKFLOWS = {
    "version": "2.0",
    "wf": {
        "type": "direct",
        "description": "d",
        "tags": ["a"],
        "input": ["a", {"b": 1}],
        "output": {"o": "<% $.a %>"},
        "output-on-error": {"e": "{{ _.a }}"},
        "vars": {"v": [1, {"x": "<% $.b %>"}]},
        "task-defaults": {
            "retry": {"count": 2, "delay": 1, "break-on": "<% $.x %>"},
            "timeout": 5,
            "on-error": ["h"],
            "safe-rerun": True,
        },
        "tasks": {
            "t1": {
                "action": "std.echo output=<% $.a %> n=1 l=[1, 2]",
                "input": {"x": {"y": "<% $.z %>"}},
                "publish": {"p": "<% task().result %>"},
                "publish-on-error": {"q": 1},
                "on-success": [{"t2": "<% $.p > 1 %>"}, "fail msg=\"x\""],
                "on-complete": {"publish": {"branch": {"a": 1}, "global": {"b": 2}}, "next": "t2"},
                "with-items": ["i in <% $.l %>", "j in [1, 2]"],
                "concurrency": 2,
                "retry": "count=3 delay=1",
                "wait-before": "<% 1 %>",
                "pause-before": False,
                "keep-result": True,
                "target": "<% $.t %>",
            },
            "t2": {"workflow": "sub a=1", "join": "all", "on-skip": "h"},
            "h": {"action": "std.noop"},
        },
    },
    "rev": {
        "type": "reverse",
        "task-defaults": {"requires": ["r1"]},
        "tasks": {"r1": {"action": "std.noop"}, "r2": {"requires": "r1", "action": "std.noop"}},
    },
}

WORKBOOK = {
    "version": "2.0",
    "name": "wb",
    "tags": ["t"],
    "actions": {"greet": {"base": "std.echo output=\"hi\"", "input": ["n"], "output": "<% $ %>"}},
    "workflows": {"main": copy.deepcopy(WORKFLOWS["wf"]), "sub": {"tasks": {"s": {"action": "greet n=1"}}}},
}

ACTIONS = {
    "version": "2.0",
    "a1": {"base": "std.http url=\"u\"", "base-input": {"m": "GET"}, "input": ["u", {"t": 5}], "description": "x"},
}

TEMPLATES = (WORKFLOWS, WORKBOOK, ACTIONS)


def junk(rng: random.Random, depth: int = 0):
    choice = rng.randrange(14 if depth < 4 else 9)
    if choice == 0:
        return None
    if choice == 1:
        return rng.choice([True, False])
    if choice == 2:
        return rng.randint(-10**6, 10**6)
    if choice == 3:
        return rng.choice([0.5, -1.5, float("inf"), 1e300])
    if choice == 4:
        return rng.choice(["", " ", "all", "one", "fail", "t1", "version", "2.0", "std.noop", "x in y", "<%", "%>", "{{", "}}"])
    if choice == 5:
        return rng.choice(["<% $.a + %>", "{{ ) }}", "<% $ %> {{ 1 }}", "{% if %}", "<% %>", "{{}}", "a=b c=", "t1 msg=", "x in [", "x in <% [1 %>"])
    if choice == 6:
        return "".join(rng.choice("ab=<%>{}[]()\"' :,-\n\t\\#&*!|>@`x1") for _ in range(rng.randrange(1, 30)))
    if choice == 7:
        return rng.choice(["fail msg=\"x\"", "noop", "succeed(msg=<% 1 %>)", "t2 a=1", "count=1 delay=x", "h"])
    if choice == 8:
        return []
    if choice in (9, 10):
        return [junk(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    keys = [rng.choice(["a", "version", "tasks", "name", "base", "on-success", "publish", "next", "branch", 1, None, True, 2.5]) for _ in range(rng.randrange(0, 4))]
    return {k: junk(rng, depth + 1) for k in keys}


def paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from paths(item, prefix + (i,))


def mutate(rng: random.Random, template):
    data = copy.deepcopy(template)
    for _ in range(rng.randrange(1, 4)):
        all_paths = [p for p in paths(data) if p]
        if not all_paths:
            return junk(rng)
        path = rng.choice(all_paths)
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        action = rng.randrange(3)
        if action == 0:
            parent[last] = junk(rng)
        elif action == 1 and isinstance(parent, dict):
            value = parent.pop(last)
            parent[rng.choice([1, None, True, 2.5, "x y", "t1", "", "<% $.a %>", "version", "on-error"])] = value
        elif isinstance(parent, dict):
            del parent[last]
        else:
            parent.pop(last)
    return data


def dump(data) -> str:
    return yaml.safe_dump(data, default_flow_style=None, sort_keys=False, allow_unicode=True)


def assert_contained(text) -> None:
    for parse in PARSERS:
        try:
            parse(text)
        except ValidationFailed as exc:
            assert exc.errors
            for error in exc.errors:
                assert "internal error" not in error.message, f"{error}\n--- input ---\n{text}"
                assert isinstance(str(error), str)


def test_templates_are_valid():
    parse_workflows(dump(WORKFLOWS))
    parse_workbook(dump(WORKBOOK))
    parse_actions(dump(ACTIONS))


@pytest.mark.parametrize("seed", range(40))
def test_junk_in_place_of_any_part(seed):
    rng = random.Random(seed)
    for _ in range(25):
        assert_contained(dump(mutate(rng, rng.choice(TEMPLATES))))


@pytest.mark.parametrize("seed", range(10))
def test_random_documents(seed):
    rng = random.Random(1000 + seed)
    for _ in range(30):
        assert_contained(dump(junk(rng)))
        assert_contained(dump({"version": rng.choice(["2.0", 2, None, "x"]), "wf": junk(rng)}))


@pytest.mark.parametrize("seed", range(10))
def test_mutated_text(seed):
    rng = random.Random(2000 + seed)
    base = dump(rng.choice(TEMPLATES))
    for _ in range(30):
        chars = list(base)
        for _ in range(rng.randrange(1, 6)):
            i = rng.randrange(len(chars))
            op = rng.randrange(3)
            if op == 0:
                del chars[i]
            elif op == 1:
                chars.insert(i, rng.choice(":-[]{}\"'\n #&*!%<>=|@\t"))
            else:
                chars[i] = rng.choice("abc: \n-")
        assert_contained("".join(chars))


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x01\x02",
        "\ufeffversion: '2.0'",
        "version: '2.0'\n---\nwf: {}\n",
        "%YAML 1.1\n---\nversion: '2.0'\n",
        "[" * 5000 + "]" * 5000,
        "a: " + "[" * 150 + "]" * 150,
        "version: '2.0'\nwf:\n  vars:\n    a: " + "[" * 300 + "]" * 300 + "\n  tasks: {t: {action: std.noop}}\n",
        "".join(" " * i + "- \n" for i in range(0, 600, 2)),
        "version: '2.0'\nwf:\n  tasks:\n    t1:\n      action: std.echo output=" + "x" * 100000 + "\n",
        "version: '2.0'\nwf:\n  tasks:\n    t1:\n      action: 'std.echo " + "a=[" * 2000 + "'\n",
        "version: '2.0'\nwf:\n  tasks:\n    t1:\n      action: std.noop\n      on-success: '" + "(" * 3000 + "'\n",
        "version: '2.0'\nwf:\n  vars:\n    n: 1" + "0" * 5000 + "\n  tasks: {t: {action: std.noop}}\n",
        "version: '2.0'\nwf:\n  vars:\n    n: !!int abc\n    f: !!float x\n    b: !!bool maybe\n  tasks: {t: {action: std.noop}}\n",
        "version: '2.0'\nwf:\n  vars:\n    ? [a, b]\n    : 1\n    ? {a: 1}\n    : 2\n  tasks: {t: {action: std.noop}}\n",
        "a: &a [*a]\n",
        "&x a: 1\n",
        "version: '2.0'\nwf:\n  tasks:\n    t1: {action: '<% $.a', on-success: '<% %>'}\n",
        "version: '2.0'\n" + "".join(f"w{i}: {i}\n" for i in range(2000)),
        b"\xff\xfe\x00",
        12345,
        None,
        ["version"],
    ],
)
def test_nasty_inputs(text):
    assert_contained(text)


@pytest.mark.parametrize("opener", ["<%", "{{", "{%"])
def test_runaway_expression_openers_are_refused_quickly(opener):
    # Finding expressions is quadratic in unclosed openers; 100k of them must not stall an upload.
    import time

    text = "version: '2.0'\nwf:\n  vars:\n    v: '<% 1 %> " + opener * 100000 + "'\n  tasks: {t: {action: std.noop}}\n"
    start = time.perf_counter()
    with pytest.raises(ValidationFailed) as info:
        parse_workflows(text)
    assert time.perf_counter() - start < 2
    assert "never closed" in info.value.errors[0].message


@pytest.mark.parametrize("expression", ["{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", "{{ " + "not " * 5000 + "1 }}"])
def test_deeply_nested_expression_is_refused_with_its_line(expression):
    with pytest.raises(ValidationFailed) as info:
        parse_workflows(
            "version: '2.0'\nwf:\n  vars:\n    v: '" + expression + "'\n  tasks: {t: {action: std.noop, timeout: x}}\n"
        )
    assert [(e.attribute, e.line) for e in info.value.errors] == [("vars", 4), ("timeout", 5)]


def test_a_few_unclosed_openers_are_plain_text():
    (spec,) = parse_workflows("version: '2.0'\nwf:\n  vars:\n    v: 'a <% b {{ c'\n  tasks: {t: {action: std.noop}}\n")
    assert spec.vars == {"v": "a <% b {{ c"}


def test_billion_laughs_is_refused_quickly():
    lines = ["version: '2.0'", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 12)]
    with pytest.raises(ValidationFailed) as info:
        parse_workflows("\n".join(lines) + "\n")
    assert any("aliases" in e.message for e in info.value.errors)


def test_many_workflows_with_many_errors():
    text = "version: '2.0'\n" + "".join(
        f"w{i}:\n  tasks:\n    t:\n      action: std.echo output=bare\n      on-success: nope{i}\n" for i in range(500)
    )
    with pytest.raises(ValidationFailed) as info:
        parse_workflows(text)
    assert len(info.value.errors) == 1000
