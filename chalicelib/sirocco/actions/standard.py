"""The standard actions under their Mistral names, and the default registry that holds them.

Not provided: std.ssh and std.ssh_proxied (an executor Lambda holding SSH keys and reaching
into private hosts is a different product; a Lambda action function can do it where wanted),
and std.js / std.javascript (Mistral needs a V8 binding; none fits a Lambda package cleanly).
A workflow naming them fails with "Failed to find action".
"""

from __future__ import annotations

from .registry import ActionRegistry
from .std_basic import AsyncNoOp, Echo, Fail, NoOp, Sleep, TestDict
from .std_email import Email
from .std_http import Http, MistralHttp

STD_ACTIONS: dict[str, type] = {
    "std.async_noop": AsyncNoOp,
    "std.echo": Echo,
    "std.email": Email,
    "std.fail": Fail,
    "std.http": Http,
    "std.mistral_http": MistralHttp,
    "std.noop": NoOp,
    "std.sleep": Sleep,
    "std.test_dict": TestDict,
}


def register_std_actions(registry: ActionRegistry) -> ActionRegistry:
    for name, impl in STD_ACTIONS.items():
        registry.register(name, impl)
    return registry


default_registry = register_std_actions(ActionRegistry())

# ``@action("my.thing")`` registers a class or function into the default registry.
action = default_registry.action
