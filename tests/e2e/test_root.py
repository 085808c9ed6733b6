"""The version documents (`GET /`, `GET /v2`) and `GET /info`, over plain HTTP (the client
has no call for them)."""

from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.e2e


def root_of(api_url: str) -> str:
    return api_url.rsplit("/v2", 1)[0]


def test_versions(api_url):
    answer = requests.get(root_of(api_url) + "/", timeout=30)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json() == {"versions": [{"id": "v2.0", "status": "CURRENT",
                                           "links": [{"href": api_url, "target": "v2", "rel": "self"}]}]}


def test_v2(api_url):
    # Mistral redirects /v2 to /v2/ (302); either way the document names the API's URL
    for url in (api_url, api_url + "/"):
        answer = requests.get(url, timeout=30)
        assert answer.status_code == 200
        assert answer.json() == {"uri": api_url}


def test_info(api_url):
    answer = requests.get(root_of(api_url) + "/info", timeout=30)
    # an operator's JSON document, or (the default, and the oracle's) 400 "Info endpoint disabled."
    assert answer.status_code in (200, 400), answer.text
    if answer.status_code == 400:
        assert answer.json() == {"faultstring": "Info endpoint disabled."}
    else:
        assert isinstance(answer.json(), dict)
