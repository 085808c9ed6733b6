"""The registry: plug-in of custom actions, and the input strings Mistral's API shows."""

from __future__ import annotations

import pytest

from sirocco.actions import (
    REQUIRED,
    Action,
    ActionContext,
    ActionInputError,
    ActionRegistry,
    Param,
    Result,
    Signature,
    UnknownActionError,
    action,
    default_registry,
    parse_spec,
    run_action,
)

# GET /v2/actions on Mistral 23.0.0, field "input", for the std actions Sirocco provides.
MISTRAL_INPUTS = {
    "std.async_noop": "",
    "std.echo": "output, delay=0",
    "std.email": (
        "from_addr, to_addrs, smtp_server, reply_to=null, cc_addrs=null, bcc_addrs=null, "
        "smtp_password=null, subject=null, body=null, html_body=null"
    ),
    "std.fail": "error_data=null",
    "std.http": (
        'url, method="GET", params=null, body=null, json=null, headers=null, cookies=null, '
        "auth=null, timeout=null, allow_redirects=null, proxies=null, verify=null"
    ),
    "std.mistral_http": (
        'url, method="GET", params=null, body=null, json=null, headers=null, cookies=null, '
        "auth=null, timeout=null, allow_redirects=null, proxies=null, verify=null"
    ),
    "std.noop": "",
    "std.sleep": "seconds=1",
    "std.test_dict": 'size=0, key_prefix="", val=""',
}


def test_std_action_names():
    assert default_registry.names() == sorted(MISTRAL_INPUTS)


@pytest.mark.parametrize("name", sorted(MISTRAL_INPUTS))
def test_describe_input_matches_mistral(name):
    assert default_registry.describe(name).input == MISTRAL_INPUTS[name]


def test_describe_has_description_and_sync_flag():
    echo = default_registry.describe("std.echo")
    assert echo.description.startswith("Echo action.")
    assert echo.is_sync is True
    assert default_registry.describe("std.async_noop").is_sync is False
    assert default_registry.describe("std.mistral_http").is_sync is False
    assert default_registry.describe("std.test_dict").to_dict() == {
        "name": "std.test_dict",
        "input": 'size=0, key_prefix="", val=""',
        "description": default_registry.describe("std.test_dict").description,
        "is_sync": True,
    }
    assert all(info.description for info in default_registry.describe_all())


def test_function_action_plugs_in():
    registry = ActionRegistry()

    @registry.action("my.add")
    def add(ctx: ActionContext, a, b=1):
        """Adds two numbers."""
        return {"sum": a + b, "task": ctx.task_name}

    assert registry.describe("my.add").input == "a, b=1"
    assert registry.describe("my.add").description == "Adds two numbers."
    ctx = ActionContext(task_name="t1")
    assert run_action("my.add", {"a": 2}, ctx, registry=registry) == Result(data={"sum": 3, "task": "t1"})
    assert "my.add" not in default_registry


def test_class_action_plugs_in_and_can_be_async():
    registry = ActionRegistry()

    class Remember(Action):
        """Keeps a ticket until completed from outside."""

        is_sync = False

        def __init__(self, ticket: str, note: str | None = None) -> None:
            self.ticket = ticket

        def run(self, ctx):
            return None

    registry.register("my.remember", Remember)
    info = registry.describe("my.remember")
    assert (info.input, info.is_sync) == ("ticket, note=null", False)
    assert run_action("my.remember", {"ticket": "x"}, registry=registry) is None


def test_default_registry_decorator_and_extension_by_copy():
    registry = default_registry.copy()
    registry.register("my.double", lambda ctx, x: 2 * x)
    assert run_action("my.double", {"x": 4}, registry=registry).data == 8
    assert run_action("std.echo", {"output": "still here"}, registry=registry).data == "still here"
    assert "my.double" not in default_registry

    @action("tests.registry.decorated")
    def decorated(ctx, value):
        return value

    try:
        assert run_action("tests.registry.decorated", {"value": [1]}).data == [1]
    finally:
        default_registry.remove("tests.registry.decorated")
    assert "tests.registry.decorated" not in default_registry


def test_duplicate_names_are_refused_unless_replaced():
    registry = ActionRegistry()
    registry.register("a.b", lambda ctx: 1)
    with pytest.raises(ValueError, match="already registered"):
        registry.register("a.b", lambda ctx: 2)
    registry.register("a.b", lambda ctx: 2, replace=True)
    assert run_action("a.b", registry=registry).data == 2


@pytest.mark.parametrize("bad", ["", "has space", None])
def test_bad_names_are_refused(bad):
    with pytest.raises(ValueError):
        ActionRegistry().register(bad, lambda ctx: 1)


def test_bad_implementations_are_refused():
    registry = ActionRegistry()
    with pytest.raises(TypeError, match="run"):
        registry.register("x.norun", type("NoRun", (), {}))
    with pytest.raises(TypeError, match="context"):
        registry.register("x.noctx", lambda: 1)
    with pytest.raises(TypeError, match="by name"):
        registry.register("x.varargs", lambda ctx, *items: 1)
    with pytest.raises(TypeError):
        registry.register("x.value", 42)


def test_kwargs_action_accepts_any_input_and_input_override_checks_names():
    registry = ActionRegistry()
    registry.register("x.any", lambda ctx, **kw: sorted(kw))
    assert registry.describe("x.any").input == "**kw"
    assert run_action("x.any", {"z": 1, "a": 2}, registry=registry).data == ["a", "z"]

    registry.register("x.declared", lambda ctx, **kw: kw, input='name, greeting="hi"')
    assert registry.describe("x.declared").input == 'name, greeting="hi"'
    assert run_action("x.declared", {"name": "n"}, registry=registry).data == {"name": "n"}
    assert "missing=['name']" in run_action("x.declared", {}, registry=registry).error


def test_unknown_action():
    with pytest.raises(UnknownActionError, match=r"Failed to find action \[action_name=std.nope\]"):
        default_registry.get("std.nope")
    assert run_action("std.nope", {}).error == "Failed to find action [action_name=std.nope]"


def test_check_input_names_parameters():
    with pytest.raises(ActionInputError) as info:
        default_registry.check_input("std.echo", {"delay": 1, "foo": 2, "bar": 3})
    assert info.value.missing == ["output"]
    assert info.value.unexpected == ["foo", "bar"]
    assert str(info.value) == (
        "Invalid input [name=std.echo, class=sirocco.actions.std_basic.Echo, "
        "missing=['output'], unexpected=['foo', 'bar']]"
    )
    default_registry.check_input("std.echo", {"output": None})


def test_parse_spec_round_trips_mistral_strings():
    for text in MISTRAL_INPUTS.values():
        assert parse_spec(text).spec == text
    sig = parse_spec('a, b=[1, 2], c="x,y", d={"k": 1}, e=plain, **rest')
    assert sig == Signature(
        (Param("a"), Param("b", [1, 2]), Param("c", "x,y"), Param("d", {"k": 1}), Param("e", "plain")), "rest"
    )
    assert sig.params[0].default is REQUIRED
    with pytest.raises(ValueError):
        parse_spec("1abc")


def test_defaults_that_are_not_json_still_show():
    registry = ActionRegistry()
    registry.register("x.obj", lambda ctx, when=object: None)
    assert registry.describe("x.obj").input.startswith('when="<class')
