"""Actions: the registry, the standard actions and the runner the executor side calls.

- ``base``: ``ActionContext``, ``Result``, ``ActionError``, the ``Action`` base class
- ``signature``: input signatures, Mistral's input strings (``output, delay=0``)
- ``registry``: ``ActionRegistry`` (register, get, names, describe) and its errors
- ``standard``: the std.* actions and ``default_registry``, ``action`` (decorator)
- ``runner``: ``run_action`` — validate, build, run, and always return a ``Result``
- ``std_basic``, ``std_http`` (+ ``http_settings``), ``std_email``: the std actions

Plugging in an action, without touching the engine::

    from sirocco.actions import Action, action

    @action("my.add")
    def add(ctx, a, b=1):
        return a + b

The engine never runs actions; it emits RunAction commands, and the executor side calls
``run_action(name, input, ctx)``. This package imports nothing from the rest of Sirocco.
"""

from .base import Action, ActionContext, ActionError, ActionTimeout, Result
from .http_settings import HttpSettings, UrlNotAllowed
from .registry import ActionDefinition, ActionInfo, ActionInputError, ActionRegistry, UnknownActionError
from .runner import run_action
from .signature import REQUIRED, Param, Signature, parse_spec
from .standard import STD_ACTIONS, action, default_registry, register_std_actions

__all__ = [
    "REQUIRED",
    "STD_ACTIONS",
    "Action",
    "ActionContext",
    "ActionDefinition",
    "ActionError",
    "ActionInfo",
    "ActionInputError",
    "ActionRegistry",
    "ActionTimeout",
    "HttpSettings",
    "Param",
    "Result",
    "Signature",
    "UnknownActionError",
    "UrlNotAllowed",
    "action",
    "default_registry",
    "parse_spec",
    "register_std_actions",
    "run_action",
]
