"""std.http and std.mistral_http against a local http.server on 127.0.0.1."""

from __future__ import annotations

import base64
import time

import pytest

from sirocco.actions import ActionContext, ActionRegistry, HttpSettings, Result, run_action
from sirocco.actions.std_http import Http

CTX = ActionContext(
    workflow_execution_id="wf-ex-1",
    task_execution_id="task-ex-1",
    action_execution_id="act-ex-1",
    task_name="call",
    workflow_name="my_wf",
    callback_url="http://127.0.0.1:8989/v2/action_executions/act-ex-1",
)


@pytest.fixture(autouse=True)
def loopback_allowed(monkeypatch):
    """The test server is on loopback, which the default egress policy (as Mistral's) denies."""
    monkeypatch.setenv("SIROCCO_HTTP_DENIED_CIDRS", "")


def http(**input):
    return run_action("std.http", input, CTX)


def test_get_with_params_and_headers(http_server):
    result = http(url=f"{http_server.base}/json?x=1", params={"y": 2}, headers={"X-Num": 5, "X-Text": "t"})
    assert result.is_success()
    data = result.data
    assert data["status"] == 200
    assert data["reason"] == "OK"
    assert data["content"]["method"] == "GET"
    assert data["content"]["query"] == {"x": "1", "y": "2"}
    assert data["content"]["headers"]["X-Num"] == "5"
    assert data["content"]["headers"]["X-Text"] == "t"
    assert data["url"] == f"{http_server.base}/json?x=1&y=2"
    assert data["headers"]["Content-Type"] == "application/json"
    assert data["encoding"] == "utf-8"
    assert data["history"] == [] and data["cookies"] == {}
    assert isinstance(data["elapsed"], float)
    assert set(data) == {"content", "status", "headers", "url", "history", "encoding", "reason", "cookies", "elapsed"}


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "post"])
def test_methods(http_server, method):
    assert http(url=f"{http_server.base}/json", method=method).data["content"]["method"] == method.upper()


def test_head_has_empty_content(http_server):
    data = http(url=f"{http_server.base}/json", method="HEAD").data
    assert data["status"] == 200 and data["content"] == ""


def test_json_body(http_server):
    content = http(url=f"{http_server.base}/json", method="POST", json={"k": [1, 2]}).data["content"]
    assert content["body"] == '{"k": [1, 2]}'
    assert content["headers"]["Content-Type"] == "application/json"


def test_dict_body_is_sent_as_json_text_without_content_type(http_server):
    content = http(url=f"{http_server.base}/json", method="POST", body={"k": "v"}).data["content"]
    assert content["body"] == '{"k": "v"}'
    assert "Content-Type" not in content["headers"]  # as Mistral: data=<json text>


def test_text_body_is_utf8(http_server):
    content = http(url=f"{http_server.base}/json", method="PUT", body="prix: 5 €").data["content"]
    assert content["body"] == "prix: 5 €"


def test_body_and_json_together_are_refused(http_server):
    result = http(url=f"{http_server.base}/json", body={"a": 1}, json={"b": 2})
    assert result.error == "Only one of the parameters 'json' and 'body' can be passed"
    assert http_server.seen == []


@pytest.mark.parametrize("status", [400, 404, 500, 503, 307])
def test_status_outside_200_306_is_an_error_result(http_server, status):
    result = http(url=f"{http_server.base}/status/{status}")
    assert result.is_error()
    assert result.error["status"] == status
    assert result.error["content"] == {"code": status}


@pytest.mark.parametrize("status", [200, 201, 204, 299, 306])
def test_status_200_to_306_succeeds(http_server, status):
    assert http(url=f"{http_server.base}/status/{status}").data["status"] == status


def test_redirects_are_not_followed_by_default(http_server):
    data = http(url=f"{http_server.base}/redirect?to=/json").data
    assert data["status"] == 302 and data["headers"]["Location"] == "/json"


def test_redirects_followed_when_allowed(http_server):
    data = http(url=f"{http_server.base}/redirect?to=/json", allow_redirects=True).data
    assert data["status"] == 200 and data["content"]["path"] == "/json"
    assert data["history"] == [{"status": 302, "url": f"{http_server.base}/redirect?to=/json"}]


@pytest.mark.parametrize("auth", ["user:pa ss", ["user", "pa ss"]])
def test_basic_auth(http_server, auth):
    header = http(url=f"{http_server.base}/json", auth=auth).data["content"]["headers"]["Authorization"]
    assert header == "Basic " + base64.b64encode(b"user:pa ss").decode()


def test_bad_auth_is_a_clear_error(http_server):
    assert "auth must be 'user:password' or [user, password]" in http(url=f"{http_server.base}/json", auth="a:b:c").error


def test_cookies_both_ways(http_server):
    sent = http(url=f"{http_server.base}/json", cookies={"c": "d"}).data["content"]["headers"]["Cookie"]
    assert sent == "c=d"
    assert http(url=f"{http_server.base}/cookie").data["cookies"] == {"session": "abc"}


def test_text_content_is_decoded_with_its_charset(http_server):
    data = http(url=f"{http_server.base}/text").data
    assert data["content"] == "héllo wörld"
    latin = http(url=f"{http_server.base}/latin").data
    assert (latin["content"], latin["encoding"]) == ("café", "iso-8859-1")


def test_timeout_is_honoured(http_server):
    started = time.monotonic()
    result = http(url=f"{http_server.base}/slow?s=1.5", timeout=0.2)
    assert time.monotonic() - started < 1.2
    assert result.error.startswith("The action raised an exception [action=std.http, action_ex_id=act-ex-1, ")
    assert "Failed to send HTTP request:" in result.error and "timed out" in result.error


def test_context_deadline_bounds_the_timeout(http_server):
    started = time.monotonic()
    ctx = ActionContext(timeout=0.2)
    result = run_action("std.http", {"url": f"{http_server.base}/slow?s=1.5", "timeout": 30}, ctx)
    assert time.monotonic() - started < 1.2
    assert result.is_error()


def test_default_timeout_from_the_environment(http_server, monkeypatch):
    monkeypatch.setenv("SIROCCO_HTTP_DEFAULT_TIMEOUT", "0.2")
    started = time.monotonic()
    assert "timed out" in http(url=f"{http_server.base}/slow?s=1.5").error
    assert time.monotonic() - started < 1.2


def test_connection_refused_is_a_clear_error(closed_port):
    result = http(url=f"http://127.0.0.1:{closed_port}/")
    assert "Failed to send HTTP request:" in result.error
    assert "Connection refused" in result.error or "Failed to establish a new connection" in result.error


def test_response_size_is_capped(http_server, monkeypatch):
    monkeypatch.setenv("SIROCCO_HTTP_MAX_RESPONSE_BYTES", "10000")
    assert http(url=f"{http_server.base}/big?n=10000").data["content"] == "x" * 10000
    declared = http(url=f"{http_server.base}/big?n=10001").error
    assert "HTTP response is too large (Content-Length=10001, limit=10000 bytes)." in declared
    streamed = http(url=f"{http_server.base}/stream?n=50000").error
    assert "HTTP response is too large (more than 10000 bytes)." in streamed


class TestEgressPolicy:
    def test_loopback_is_denied_by_default(self, http_server, monkeypatch):
        monkeypatch.delenv("SIROCCO_HTTP_DENIED_CIDRS")
        result = http(url=f"{http_server.base}/json")
        assert "URL host '127.0.0.1' resolves to a blocked address (127.0.0.1)." in result.error
        assert http_server.seen == []

    @pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd"])
    def test_only_http_and_https(self, url):
        assert "is not allowed (only http and https are)." in http(url=url).error

    def test_no_host(self):
        assert "URL does not contain a host." in http(url="http:///path").error

    def test_allowed_hosts(self, http_server, monkeypatch):
        monkeypatch.setenv("SIROCCO_HTTP_ALLOWED_HOSTS", "example.com")
        assert "Host '127.0.0.1' is not in the allowed hosts" in http(url=f"{http_server.base}/json").error
        monkeypatch.setenv("SIROCCO_HTTP_ALLOWED_HOSTS", "example.com, 127.0.0.1")
        assert http(url=f"{http_server.base}/json").is_success()

    def test_redirect_into_a_denied_network_is_refused(self, http_server):
        registry = ActionRegistry()
        registry.register("x.http", Http.with_settings(HttpSettings(denied_cidrs=("10.0.0.0/8",))))
        target = "http://10.1.2.3/secret"
        result = run_action("x.http", {"url": f"{http_server.base}/redirect?to={target}", "allow_redirects": True}, registry=registry)
        assert "URL host '10.1.2.3' resolves to a blocked address (10.1.2.3)." in result.error
        assert len(http_server.seen) == 1

    def test_settings_from_env(self):
        settings = HttpSettings.from_env({})
        assert settings == HttpSettings()
        assert "127.0.0.0/8" in settings.denied_cidrs and settings.default_timeout == 60
        custom = HttpSettings.from_env(
            {
                "SIROCCO_HTTP_DENIED_CIDRS": "10.0.0.0/8, bad",
                "SIROCCO_HTTP_ALLOWED_HOSTS": "a,b",
                "SIROCCO_HTTP_DEFAULT_TIMEOUT": "0",
                "SIROCCO_HTTP_MAX_RESPONSE_BYTES": "0",
            }
        )
        assert custom == HttpSettings(("10.0.0.0/8", "bad"), ("a", "b"), None, None)
        # the invalid entry is ignored and loopback is not listed
        HttpSettings(denied_cidrs=custom.denied_cidrs).check_url("http://127.0.0.1/")


class TestMistralHttp:
    def test_sends_callback_headers_and_stays_running(self, http_server):
        assert run_action("std.mistral_http", {"url": f"{http_server.base}/json"}, CTX) is None
        headers = http_server.seen[0].headers
        assert headers["Mistral-Workflow-Name"] == "my_wf"
        assert headers["Mistral-Workflow-Execution-Id"] == "wf-ex-1"
        assert headers["Mistral-Task-Id"] == "task-ex-1"
        assert headers["Mistral-Action-Execution-Id"] == "act-ex-1"
        assert headers["Mistral-Callback-URL"] == "http://127.0.0.1:8989/v2/action_executions/act-ex-1"

    def test_keeps_own_headers_and_drops_missing_ids(self, http_server):
        run_action("std.mistral_http", {"url": f"{http_server.base}/json", "headers": {"X-Own": "1"}}, ActionContext())
        headers = http_server.seen[0].headers
        assert headers["X-Own"] == "1"
        assert not any(name.startswith("Mistral-") for name in headers)

    def test_error_status_fails_it(self, http_server):
        result = run_action("std.mistral_http", {"url": f"{http_server.base}/status/500"}, CTX)
        assert isinstance(result, Result) and result.error["status"] == 500
