"""A real SMTP server (aiosmtpd) on a loopback port, for the email tests: it keeps every message
it accepts, and can be stopped and started again on the same port to stand for an outage."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class Inbox:
    """The aiosmtpd handler: every message accepted, parsed as a mail program would."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.stop_with: SmtpServer | None = None
        self.stopping = threading.Thread()

    def stop_after_first(self, server: SmtpServer) -> None:
        """Accept one more message, then shut the server down in the middle of the sender's run:
        a message arriving while it shuts down is refused as a server going away (421) is."""
        self.stop_with = server

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        if self.stopping.is_alive():
            return "421 4.3.2 Shutting down"
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        if self.stop_with is not None:
            self.stopping = threading.Thread(target=self.stop_with.stop)
            self.stop_with = None
            self.stopping.start()
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
