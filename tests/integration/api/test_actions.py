"""``/v2/actions``: registered (system) actions and ad-hoc ones. Expected
values were read from Mistral 23.0.0 answering the same requests; Sirocco
differs on purpose in ``is_system``, descriptions and creating an ad-hoc
action named as a system one (docs/api.md)."""

from __future__ import annotations

from .helpers import call, request

ACTIONS = """version: '2.0'
a1:
  base: std.echo
  base-input:
    output: <% $.x %>
  input:
    - x
    - y: {k: [1, 2]}
    - z: null
  description: first
  tags: [t1]
a2:
  base: std.noop
"""
FIELDS = ["id", "name", "is_system", "input", "description", "tags", "definition", "scope", "project_id",
          "created_at", "updated_at", "namespace"]


def test_system_actions_come_from_the_registry(client, rt):
    listed = call(client, "GET", "/v2/actions")["actions"]
    system = [a for a in listed if a["is_system"]]
    assert [a["name"] for a in system] == sorted(rt.registry.names())
    echo = call(client, "GET", "/v2/actions/std.echo")
    assert list(echo) == FIELDS and echo in system
    assert {k: v for k, v in echo.items() if k != "description"} == {
        "id": "std.echo", "name": "std.echo", "is_system": True, "input": "output, delay=0", "tags": None,
        "definition": "", "scope": None, "project_id": None, "created_at": "", "updated_at": "", "namespace": ""}
    assert echo["description"].startswith("Echo action.")
    http = call(client, "GET", "/v2/actions?name=std.http")["actions"][0]
    assert http["input"] == ('url, method="GET", params=null, body=null, json=null, headers=null, cookies=null, '
                             'auth=null, timeout=null, allow_redirects=null, proxies=null, verify=null')
    # a system action is no definition: Mistral 23 answers 404 to its delete and update
    assert request(client, "DELETE", "/v2/actions/std.echo") == (404, {
        "faultcode": "Client", "debuginfo": None,
        "faultstring": "Action definition not found [action_name=std.echo, namespace=]"})
    shadow = "version: '2.0'\nstd.echo:\n  base: std.noop\n"
    assert request(client, "PUT", "/v2/actions", shadow) == (404, {
        "faultstring": "Action definition not found [action_name=std.echo, namespace=]"})
    # Mistral 23 creates an ad-hoc std.echo that no task can reach; Sirocco refuses it
    assert request(client, "POST", "/v2/actions", shadow) == (400, {
        "faultstring": "Attempt to modify a system action: std.echo"})


def test_create_get_update_delete_ad_hoc_actions(client, ns):
    created = call(client, "POST", f"/v2/actions?namespace={ns}", ACTIONS, 201)["actions"]
    assert [list(a) for a in created] == [[f for f in FIELDS if f != "updated_at"]] * 2
    a1, a2 = created
    assert (a1["name"], a1["input"], a1["description"], a1["tags"]) == ("a1", 'x, y={"k": [1, 2]}, z=null', "first",
                                                                        ["t1"])
    assert (a2["input"], a2["description"], a2["tags"]) == (None, None, [])  # null in create answers
    assert a1["definition"] == ACTIONS == a2["definition"]  # each keeps the whole document, as in Mistral
    assert a1["is_system"] is False and a1["namespace"] == ns
    got = call(client, "GET", f"/v2/actions/a2/{ns}")  # python-mistralclient's form
    assert got["input"] == "" and got["updated_at"] is None and got["id"] == a2["id"]
    assert call(client, "GET", f"/v2/actions/a2?namespace={ns}") == got
    assert call(client, "GET", f"/v2/actions/{a2['id']}") == got
    assert request(client, "GET", "/v2/actions/a2/") == (404, {
        "faultcode": "Client", "debuginfo": None, "faultstring": "Action not found [name=a2, namespace=]"})

    changed = ACTIONS.replace("description: first", "description: second")
    updated = call(client, "PUT", f"/v2/actions?namespace={ns}", changed)["actions"]
    assert [a["id"] for a in updated] == [a1["id"], a2["id"]] and updated[0]["description"] == "second"
    assert request(client, "PUT", f"/v2/actions?namespace=x{ns}", changed) == (404, {
        "faultstring": f"Action definition not found [action_name=a1, namespace=x{ns}]"})
    code, error = request(client, "PUT", f"/v2/actions/{a1['id']}?namespace={ns}", changed)
    assert (code, error) == (400, {"faultstring": "More than one actions are not supported for update with "
                                                  f"identifier. [identifier: {a1['id']}]"})

    code, error = request(client, "POST", f"/v2/actions?namespace={ns}", ACTIONS)
    assert (code, error) == (409, {"faultstring": "Duplicate entry for Action ['name', 'namespace', 'project_id']: "
                                                  f"a1, {ns}, <default-project>"})
    assert request(client, "DELETE", f"/v2/actions/a2/{ns}") == (204, None)
    assert request(client, "DELETE", f"/v2/actions/a1?namespace={ns}") == (204, None)
    assert request(client, "DELETE", f"/v2/actions/a1?namespace={ns}") == (404, {
        "faultcode": "Client", "debuginfo": None,
        "faultstring": f"Action definition not found [action_name=a1, namespace={ns}]"})


def test_a_document_with_a_duplicate_stores_none_of_it(client, ns):
    call(client, "POST", f"/v2/actions?namespace={ns}", "version: '2.0'\na2:\n  base: std.noop\n", 201)
    code, _ = request(client, "POST", f"/v2/actions?namespace={ns}", ACTIONS)
    assert code == 409
    assert [a["name"] for a in call(client, "GET", f"/v2/actions?namespace={ns}")["actions"]] == ["a2"]


def test_list_is_by_namespace_then_name(client, ns):
    call(client, "POST", f"/v2/actions?namespace={ns}", ACTIONS, 201)
    # a namespace lists its ad-hoc actions; the default namespace also holds the system ones
    assert [a["name"] for a in call(client, "GET", f"/v2/actions?namespace={ns}")["actions"]] == ["a1", "a2"]
    full = call(client, "GET", "/v2/actions")["actions"]
    default = [a["name"] for a in full]
    assert "a1" not in default and "std.noop" in default
    desc = call(client, "GET", f"/v2/actions?namespace={ns}&sort_dirs=desc&fields=name")["actions"]
    assert [list(a) for a in desc] == [["id", "name"]] * 2 and [a["name"] for a in desc] == ["a2", "a1"]
    assert [a["name"] for a in call(client, "GET", "/v2/actions?is_system=false")["actions"]] == [
        a["name"] for a in full if not a["is_system"]]
    page = call(client, "GET", "/v2/actions?limit=2")
    assert [a["name"] for a in page["actions"]] == sorted(default)[:2] and "marker=" in page["next"]


def test_validate(client):
    assert call(client, "POST", "/v2/actions/validate", ACTIONS) == {"valid": True}
    verdict = call(client, "POST", "/v2/actions/validate", "version: '2.0'\na:\n  input: [x]\n")
    assert verdict["valid"] is False and "base" in verdict["error"]
