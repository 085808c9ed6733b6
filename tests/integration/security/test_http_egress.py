"""std.http refuses, by default, the addresses a workflow must not reach from
inside AWS: link-local (the EC2 and ECS metadata services), the EC2 metadata
service's IPv6 address, loopback (Lambda's runtime API), also when written as
IPv4-mapped IPv6; a deployment may change the list (SIROCCO_HTTP_DENIED_CIDRS)."""

from __future__ import annotations

import pytest

from sirocco.actions import HttpSettings, run_action

REFUSED = ["http://169.254.169.254/latest/meta-data/iam/security-credentials/",
           "http://169.254.170.2/v2/credentials",
           "http://[fd00:ec2::254]/latest/meta-data/",
           "http://[fe80::1]/",
           "http://[::ffff:169.254.169.254]/latest/meta-data/",
           "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next",
           "http://0.0.0.0:8989/v2/executions",
           "http://[::1]/"]


@pytest.mark.parametrize("url", REFUSED)
def test_std_http_refuses_metadata_and_link_local_addresses(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.delenv("SIROCCO_HTTP_DENIED_CIDRS", raising=False)  # the deployed default
    result = run_action("std.http", {"url": url, "timeout": 1})
    assert result.is_error()
    assert "resolves to a blocked address" in str(result.error)


def test_the_denied_networks_are_configurable() -> None:
    settings = HttpSettings.from_env({"SIROCCO_HTTP_DENIED_CIDRS": "10.0.0.0/8"})
    settings.check_url("http://169.254.169.254/")  # no longer refused: the operator's choice
    with pytest.raises(Exception, match="blocked address"):
        settings.check_url("http://10.1.2.3/")
