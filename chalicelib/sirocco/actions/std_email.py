"""std.email: send a message over SMTP, with Mistral 23.0.0's inputs (the result is null).

As in Mistral: plain text, or multipart/alternative when ``html_body`` is given; recipients
are to + cc + bcc, bcc never shown in the headers; with ``smtp_password`` the connection is
upgraded with STARTTLS and logs in as ``from_addr``. ``smtp_server`` is ``host`` or
``host:port``.

Beyond Mistral (deliberately): the connection has a timeout (60 s, cut to the context's
deadline; Mistral's could hang forever), STARTTLS verifies the server's certificate (Mistral's
does not), the connection is closed with QUIT, a single address may be given as a string
rather than a list, and an empty Reply-To header is left out.
"""

from __future__ import annotations

import smtplib
import ssl
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from typing import Any

from .base import Action, ActionContext, ActionError

SMTP_TIMEOUT = 60.0


class Email(Action):
    """Send an email message over SMTP.

    :param from_addr: Sender address, also the SMTP login when a password is given.
    :param to_addrs: List of recipient addresses.
    :param smtp_server: 'host' or 'host:port' of the SMTP server.
    :param reply_to: (optional) List of Reply-To addresses.
    :param cc_addrs: (optional) List of Cc addresses.
    :param bcc_addrs: (optional) List of Bcc addresses (not shown in the message).
    :param smtp_password: (optional) Password: STARTTLS, then log in as from_addr.
    :param subject: (optional) Subject, "<No subject>" when not given.
    :param body: (optional) Plain text body, "<No body>" when not given.
    :param html_body: (optional) HTML alternative to the plain text body.
    """

    def __init__(
        self,
        from_addr: str,
        to_addrs: list[str] | str,
        smtp_server: str,
        reply_to: list[str] | str | None = None,
        cc_addrs: list[str] | str | None = None,
        bcc_addrs: list[str] | str | None = None,
        smtp_password: str | None = None,
        subject: str | None = None,
        body: str | None = None,
        html_body: str | None = None,
    ) -> None:
        self.sender = from_addr
        self.to = _addresses(to_addrs, "to_addrs")
        self.cc = _addresses(cc_addrs, "cc_addrs")
        self.bcc = _addresses(bcc_addrs, "bcc_addrs")
        self.reply_to = _addresses(reply_to, "reply_to")
        self.smtp_server = smtp_server
        self.password = smtp_password
        self.subject = subject or "<No subject>"
        self.body = body or "<No body>"
        self.html_body = html_body

    def message(self) -> str:
        """The message text as sent (without Bcc)."""
        if self.html_body:
            msg: Any = MIMEMultipart("alternative")
            msg.attach(MIMEText(self.body, "plain", _charset="utf-8"))
            msg.attach(MIMEText(self.html_body, "html", _charset="utf-8"))
        else:
            msg = MIMEText(self.body, _charset="utf-8")
        msg["Subject"] = Header(self.subject, "utf-8")
        msg["From"] = self.sender
        if self.reply_to:
            msg["Reply-To"] = Header(", ".join(self.reply_to))
        msg["To"] = ", ".join(self.to)
        if self.cc:
            msg["Cc"] = ", ".join(self.cc)
        return msg.as_string()

    def run(self, ctx: ActionContext) -> None:
        text = self.message()
        recipients = self.cc + self.bcc + self.to
        timeout = ctx.bound(SMTP_TIMEOUT)
        try:
            with smtplib.SMTP(self.smtp_server, timeout=timeout) as smtp:
                if self.password is not None:
                    smtp.ehlo()
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                    smtp.login(self.sender, self.password)
                smtp.sendmail(self.sender, recipients, text)
        except (smtplib.SMTPException, OSError) as e:
            raise ActionError(f"Failed to send an email message: {e}") from e
        return None


def _addresses(value: Any, name: str) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ActionError(f"{name} must be an address or a list of addresses, got {value!r}")
