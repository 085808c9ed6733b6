"""Action functions: the manifests of functions/ and the catalog the executor gets
from its environment (SIROCCO_FUNCTIONS)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sirocco.actions.function_catalog import (
    ENV_VARIABLE, FunctionSpec, ManifestError, discover, from_env, read_manifest, to_env,
)

FUNCTIONS = Path(__file__).resolve().parents[3] / "functions"


def _function(root: Path, name: str, manifest: object, module: str = "handler") -> Path:
    directory = root / name
    directory.mkdir(parents=True)
    (directory / "function.json").write_text(json.dumps(manifest))
    (directory / f"{module}.py").write_text("def handler(event, context):\n    return {'result': None}\n")
    return directory


def test_the_shipped_example_is_an_action_function() -> None:
    specs = discover(FUNCTIONS)
    assert [s.action for s in specs] == ["fn.text_transform"]
    spec = specs[0]
    assert spec.function == "sirocco-fn-text_transform"
    assert spec.input == 'text, operations=["strip"]'
    assert spec.handler == "handler.handler" and spec.timeout == 30 and spec.memory == 256


def test_directories_without_a_manifest_are_not_functions(tmp_path: Path) -> None:
    _function(tmp_path, "b_second", {})
    _function(tmp_path, "a_first", {"input": "x"})
    (tmp_path / "_shared" / "python").mkdir(parents=True)
    assert [s.action for s in discover(tmp_path, prefix="prod")] == ["fn.a_first", "fn.b_second"]
    assert discover(tmp_path, prefix="prod")[0].function == "prod-fn-a_first"
    assert discover(tmp_path / "missing") == []


@pytest.mark.parametrize("manifest, message", [
    ({"colour": "red"}, "unknown keys ['colour']"),
    ({"timeout": 901}, "timeout must be whole seconds from 1 to 900"),
    ({"timeout": "30"}, "timeout must be whole seconds"),
    ({"memory": 64}, "memory must be MB from 128 to 10240"),
    ({"handler": "handler"}, "handler must be 'module.function'"),
    ({"handler": "main.run"}, "handler 'main.run' needs"),
    ({"input": 3}, "input must be Mistral's input string"),
    ({"input": "text, 2nd"}, "input: invalid parameter name"),
    ([1, 2], "expected a JSON object"),
])
def test_a_wrong_manifest_is_refused_naming_its_file(tmp_path: Path, manifest: object, message: str) -> None:
    directory = _function(tmp_path, "broken", manifest)
    with pytest.raises(ManifestError) as raised:
        read_manifest(directory)
    assert message in str(raised.value)
    assert str(directory / "function.json") in str(raised.value)


def test_a_directory_name_must_fit_a_lambda_and_an_action_name(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="the directory name must match"):
        read_manifest(_function(tmp_path, "Text-Transform", {}))


def test_the_catalog_travels_in_one_environment_variable() -> None:
    specs = [FunctionSpec("text_transform", "p-fn-text_transform", 'text, operations=["strip"]', "Transforms.",
                          timeout=30),
             FunctionSpec("anything", "p-fn-anything")]
    value = to_env(specs)
    assert json.loads(value)["fn.anything"] == {"function": "p-fn-anything", "dir": "anything",
                                                "handler": "handler.handler", "timeout": 60}
    back = from_env({ENV_VARIABLE: value})
    assert [(s.action, s.function, s.input, s.description, s.timeout) for s in back] == [
        ("fn.anything", "p-fn-anything", None, "", 60),
        ("fn.text_transform", "p-fn-text_transform", 'text, operations=["strip"]', "Transforms.", 30)]
    assert from_env({}) == [] and from_env({ENV_VARIABLE: " "}) == []


@pytest.mark.parametrize("value, message", [
    ("{", "is not JSON"),
    ("[]", "must be a JSON object"),
    ('{"std.echo": {"function": "x"}}', "'std.echo' is not an action function entry"),
    ('{"fn.x": {"function": "x", "timeout": 0}}', "timeout must be whole seconds"),
    ('{"fn.x": {"function": "x", "dir": "y"}}', "names the directory 'y'"),
])
def test_a_wrong_catalog_is_refused(value: str, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        from_env({ENV_VARIABLE: value})
