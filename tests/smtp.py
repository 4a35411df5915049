"""A real SMTP server on a free local port (aiosmtpd), keeping every message it receives."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from tests.servers import free_port


@dataclass
class Inbox:
    """What the server received, and the settings that point the portal at it."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    refusing: bool = False  # answer every message with a permanent error, as a strict relay might

    @property
    def settings(self) -> dict:
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": self.port, "SMTP_STARTTLS": False}

    def to(self, address: str) -> list[EmailMessage]:
        """The messages for one recipient."""
        return [m for m in self.messages if m["To"] == address]

    async def handle_DATA(self, _server, _session, envelope) -> str:
        if self.refusing:
            return "554 5.7.1 Message refused"
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append(message)
        return "250 OK"


@contextlib.contextmanager
def smtp_server():
    """Start the server; yields its Inbox."""
    from aiosmtpd.controller import Controller

    inbox = Inbox(free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
