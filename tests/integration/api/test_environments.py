"""``/v2/environments``. Expected values (fields, messages, codes) were read
from Mistral 23.0.0 answering the same requests."""

from __future__ import annotations

from .helpers import call, request

FIELDS = ["id", "name", "description", "variables", "scope", "project_id", "created_at", "updated_at"]


def _error(text: str) -> dict:
    return {"faultcode": "Client", "faultstring": text, "debuginfo": None}


def test_create_get_update_delete(client, ns):
    created = call(client, "POST", "/v2/environments",
                   {"name": f"e_{ns}", "description": "d", "variables": '{"a": 1, "b": [1, 2]}'}, 201)
    assert list(created) == FIELDS[:-1]  # a create answer has no updated_at
    assert (created["variables"], created["scope"], created["project_id"]) == ('{"a": 1, "b": [1, 2]}', "private",
                                                                               "<default-project>")
    got = call(client, "GET", f"/v2/environments/e_{ns}")
    assert list(got) == FIELDS and got["updated_at"] is None and got["id"] == created["id"]

    updated = call(client, "PUT", "/v2/environments", {"name": f"e_{ns}", "description": "new"})
    assert (updated["description"], updated["variables"]) == ("new", '{"a": 1, "b": [1, 2]}')
    assert len(updated["updated_at"]) == 19
    updated = call(client, "PUT", "/v2/environments", {"name": f"e_{ns}", "variables": {"z": 2}})
    assert updated["variables"] == '{"z": 2}' and updated["description"] == "new"

    assert request(client, "DELETE", f"/v2/environments/e_{ns}") == (204, None)
    assert request(client, "GET", f"/v2/environments/e_{ns}") == (404, _error(f"Environment not found [name=e_{ns}]"))
    assert request(client, "DELETE", f"/v2/environments/e_{ns}") == (404,
                                                                    _error(f"Environment not found [name=e_{ns}]"))


def test_a_create_answers_only_what_it_was_given(client, ns):
    bare = call(client, "POST", "/v2/environments", {"name": f"bare_{ns}"}, 201)
    assert list(bare) == ["id", "name", "scope", "project_id", "created_at"]
    got = call(client, "GET", f"/v2/environments/bare_{ns}")
    assert (got["description"], got["variables"]) == (None, None)
    as_object = call(client, "POST", "/v2/environments", {"name": f"obj_{ns}", "variables": {"a": 1}}, 201)
    assert as_object["variables"] == '{"a": 1}'


def test_refusals_as_mistral_words_them(client, ns):
    call(client, "POST", "/v2/environments", {"name": f"dup_{ns}"}, 201)
    cases = [
        ({"name": f"dup_{ns}"}, 409,
         f"Duplicate entry for Environment ['name', 'project_id']: dup_{ns}, <default-project>"),
        ({"name": f"x_{ns}", "colour": "red"}, 400, "Unknown attribute for argument env: colour"),
        ({"name": f"x_{ns}", "variables": "not json"}, 400,
         f"Invalid input for field/attribute env. Value: '{{'name': 'x_{ns}', 'variables': 'not json'}}'. "
         "Expecting value: line 1 column 1 (char 0)"),
        ({"name": f"x_{ns}", "variables": "[1,2]"}, 400, "JsonType field value must be a dictionary [actual=[1, 2]]"),
        ({"name": f"x_{ns}", "scope": "global"}, 400,
         "Invalid input for field/attribute scope. Value: 'global'. Value should be one of: private, public"),
        ({"name": 5}, 400, "Invalid input for field/attribute name. Value: '5'. Wrong type. "
                           "Expected '<class 'str'>', got '<class 'int'>'"),
        ({"name": f"x_{ns}", "id": "abc"}, 400, "Please, check your environment definition. Only: "
                                                "['name', 'description', 'variables', 'scope'] are allowed as "
                                                "definition keys."),
        ({"variables": "{}"}, 400, "Name of the environment is not provided."),  # Mistral stores a nameless one
    ]
    for body, code, text in cases:
        assert request(client, "POST", "/v2/environments", body) == (code, _error(text)), body
    assert request(client, "PUT", "/v2/environments", {"description": "x"}) == (
        400, _error("Name of the environment is not provided."))
    assert request(client, "PUT", "/v2/environments", {"name": f"nope_{ns}"}) == (
        404, _error(f"Environment not found [name=nope_{ns}]"))
    assert request(client, "PUT", "/v2/environments", {"name": f"dup_{ns}", "id": "x"}) == (
        400, _error("Please, check your environment definition. Only: ['description', 'variables', 'scope'] are "
                    "allowed as definition keys."))
    assert client.http.post("/v2/environments", headers={"Content-Type": "application/json"},
                            body="nonsense").status_code == 400


def test_list(client, ns):
    for name in ("e2", "e1", "e3"):
        call(client, "POST", "/v2/environments", {"name": f"{name}_{ns}", "variables": {"n": name}}, 201)
    picked = call(client, "GET", f"/v2/environments?name=in:e1_{ns},e3_{ns}&sort_keys=name&fields=name,variables")
    assert [(e["name"], list(e)) for e in picked["environments"]] == [
        (f"e1_{ns}", ["id", "name", "variables"]), (f"e3_{ns}", ["id", "name", "variables"])]
    assert picked["environments"][0]["variables"] == '{"n": "e1"}'
