"""std.email against a minimal SMTP server on 127.0.0.1."""

from __future__ import annotations

import email
from email.header import decode_header, make_header

from sirocco.actions import ActionContext, Result, run_action


def send(**input):
    return run_action("std.email", input, ActionContext(action_execution_id="ae"))


def header(msg, name):
    return str(make_header(decode_header(msg[name])))


def test_plain_message_reaches_every_recipient(smtp_server):
    result = send(
        from_addr="wf@example.com",
        to_addrs=["a@example.com", "b@example.com"],
        cc_addrs=["c@example.com"],
        bcc_addrs=["hidden@example.com"],
        reply_to=["r@example.com"],
        subject="Déploiement fini",
        body="Tout va bien ✓",
        smtp_server=smtp_server.address,
    )
    assert result == Result(data=None)
    [mail] = smtp_server.mails
    assert mail.sender == "wf@example.com"
    assert mail.recipients == ["c@example.com", "hidden@example.com", "a@example.com", "b@example.com"]
    msg = email.message_from_string(mail.data)
    assert header(msg, "Subject") == "Déploiement fini"
    assert msg["From"] == "wf@example.com"
    assert msg["To"] == "a@example.com, b@example.com"
    assert msg["Cc"] == "c@example.com"
    assert header(msg, "Reply-To") == "r@example.com"
    assert "hidden@example.com" not in mail.data
    assert msg.get_content_type() == "text/plain"
    assert msg.get_payload(decode=True).decode("utf-8") == "Tout va bien ✓"
    assert "QUIT" in smtp_server.commands


def test_html_body_makes_an_alternative(smtp_server):
    send(from_addr="f@x.org", to_addrs="t@x.org", body="plain", html_body="<b>rich</b>", smtp_server=smtp_server.address)
    [mail] = smtp_server.mails
    assert mail.recipients == ["t@x.org"]
    msg = email.message_from_string(mail.data)
    assert msg.get_content_type() == "multipart/alternative"
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in msg.get_payload()}
    assert parts == {"text/plain": "plain", "text/html": "<b>rich</b>"}


def test_defaults_for_subject_and_body(smtp_server):
    send(from_addr="f@x.org", to_addrs=["t@x.org"], smtp_server=smtp_server.address)
    msg = email.message_from_string(smtp_server.mails[0].data)
    assert header(msg, "Subject") == "<No subject>"
    assert msg.get_payload(decode=True).decode() == "<No body>"
    assert msg["Reply-To"] is None and msg["Cc"] is None


def test_password_needs_starttls(smtp_server):
    result = send(from_addr="f@x.org", to_addrs=["t@x.org"], smtp_password="s3cret", smtp_server=smtp_server.address)
    assert result.error == (
        "The action raised an exception [action=std.email, action_ex_id=ae, "
        "msg='Failed to send an email message: STARTTLS extension not supported by server.']"
    )
    assert smtp_server.mails == []


def test_unreachable_server_is_a_clear_error(closed_port):
    result = send(from_addr="f@x.org", to_addrs=["t@x.org"], smtp_server=f"127.0.0.1:{closed_port}")
    assert "Failed to send an email message: [Errno 111] Connection refused" in result.error


def test_missing_required_input():
    assert run_action("std.email", {"from_addr": "f@x.org"}).error == (
        "Invalid input [name=std.email, class=sirocco.actions.std_email.Email, missing=['to_addrs', 'smtp_server']]"
    )


def test_bad_address_list():
    result = run_action("std.email", {"from_addr": "f", "to_addrs": [1], "smtp_server": "h"})
    assert result.error == "to_addrs must be an address or a list of addresses, got [1]"
