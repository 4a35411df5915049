"""Sending email: plain-text messages through the configured SMTP server.

Mail is off while `smtp_host` is empty. Failures raise MailError, whose log line names the
exception type only: SMTP errors quote addresses back.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app

SMTP_TIMEOUT = 10  # seconds; a visitor's booking page waits this long at most for a stuck server

log = logging.getLogger("portal.mail")


class MailError(Exception):
    """The message could not be handed to the SMTP server."""


def enabled() -> bool:
    """Whether an SMTP server is configured."""
    return bool(current_app.config["PORTAL"].smtp_host)


def compose(to: str, subject: str, body: str) -> EmailMessage:
    """A UTF-8 plain-text message marked as automatic; CR or LF in a header raises MailError."""
    settings = current_app.config["PORTAL"]
    message = EmailMessage()
    try:
        message["From"] = settings.smtp_from
        message["To"] = to
        message["Subject"] = subject
    except (ValueError, IndexError) as error:
        raise MailError(type(error).__name__) from None
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(settings.smtp_from)[1].rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to it
    message.set_content(body)
    return message


def send(message: EmailMessage, kind: str) -> None:
    """Hand one message to the SMTP server; `kind` names it in the log."""
    settings = current_app.config["PORTAL"]
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError, ValueError) as error:
        log.warning("%s mail not sent: %s", kind, type(error).__name__)
        raise MailError(type(error).__name__) from None
