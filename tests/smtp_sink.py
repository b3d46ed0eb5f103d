"""An SMTP server inside the test process (aiosmtpd, on a thread of its own): every mail the notification
service sends lands in `mails`. `stop()` takes it down (connections refused) and `start()` brings it back on the
same port, as a mail server going away and coming back would."""

import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller

from devtools.devstack.processes import free_port


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    subject: str
    message_id: str
    text: str
    message: EmailMessage


class _Collect:
    def __init__(self, sink: "SmtpSink") -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        body = message.get_body(preferencelist=("plain",))
        mail = Mail(
            to=tuple(envelope.rcpt_tos),
            subject=" ".join(str(message.get("subject", "")).split()),
            message_id=str(message.get("message-id", "")),
            text=body.get_content() if body is not None else "",
            message=message,
        )
        with self.sink._lock:
            self.sink._mails.append(mail)
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host, self.port = host, port or free_port()
        self._lock = threading.Lock()
        self._mails: list[Mail] = []
        self._controller: Controller | None = None

    def env(self) -> dict[str, str]:
        return {"KINERJA_SMTP_HOST": self.host, "KINERJA_SMTP_PORT": str(self.port)}

    def start(self) -> None:
        if self._controller is None:
            self._controller = Controller(_Collect(self), hostname=self.host, port=self.port)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def mails(self, to: str | None = None) -> list[Mail]:
        with self._lock:
            return [m for m in self._mails if to is None or to in m.to]
