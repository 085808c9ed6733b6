"""``/``, ``/v2`` and ``/info`` (expected values: Mistral 23.0.0's answers on
http://127.0.0.1:8990, with this host)."""

from __future__ import annotations

from .helpers import call


def test_root_lists_the_v2_api_as_mistral(client):
    assert call(client, "GET", "/") == {"versions": [{"id": "v2.0", "status": "CURRENT", "links": [
        {"href": "http://127.0.0.1:8989/v2", "target": "v2", "rel": "self"}]}]}


def test_v2_points_at_itself(client):
    assert call(client, "GET", "/v2") == {"uri": "http://127.0.0.1:8989/v2"}
    assert call(client, "GET", "/v2/") == {"uri": "http://127.0.0.1:8989/v2"}


def test_info_names_the_service(client):
    # Mistral answers 400 "Info endpoint disabled." unless an operator provides a file
    info = call(client, "GET", "/info")
    assert info["name"] == "sirocco" and info["api_versions"] == ["v2.0"]
    assert "Mistral 23.0.0" in info["compatible_with"]
