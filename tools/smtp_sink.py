#!/usr/bin/env python3
"""A real SMTP server on loopback for tests: aiosmtpd, writing every message it accepts to a folder.

Usage: smtp_sink.py PORT FOLDER   (PORT 0 picks a free port; the chosen port is printed as "ready PORT")
Each message is written to FOLDER/NNNNNN.eml (the raw message as received, with an X-Envelope-To header)
before the 250, and then FOLDER/NNNNNN.json (to, from, subject and the decoded text body, read by Python's
own e-mail parser, made on a worker thread so a slow parse never holds up the next message), each renamed
into place only once complete, so a reader never sees half a message.
With FOLDER given as --count, nothing is written: messages are only counted (for benchmarks), and the
count is printed on SIGTERM.
A recipient whose address starts with "bounce" is refused for good (550 5.1.1), as a server refuses an
address that does not exist.
"""
import asyncio
import concurrent.futures
import email
import email.policy
import itertools
import json
import os
import signal
import socket
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class FinishingSMTP(SMTP):
    """aiosmtpd drops whatever it has received but not yet handled when the client's connection closes.
    Postfix and most servers instead finish a message whose final dot arrived, even when the client is
    gone before the 250 ("lost connection after END-OF-MESSAGE"). This one does the same: on end of
    input it lets the handler work through what was received, and stops at the next read."""

    def eof_received(self):
        asyncio.StreamReaderProtocol.eof_received(self)
        return False

    def connection_lost(self, error):
        if self._timeout_handle is not None:
            self._timeout_handle.cancel()
        asyncio.StreamReaderProtocol.connection_lost(self, None)

    async def _handle_client(self):
        # The next read after the client left ends the session; that is not an error.
        try:
            await super()._handle_client()
        except (asyncio.IncompleteReadError, ConnectionResetError):
            pass


class FinishingController(Controller):
    def factory(self):
        return FinishingSMTP(self.handler, **self.SMTP_kwargs)


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.counter = itertools.count(1)
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)

    def decode(self, n, content, rcpt_tos):
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        decoded = {
            "to": str(parsed.get("To", "")),
            "from": str(parsed.get("From", "")),
            "subject": str(parsed.get("Subject", "")),
            "body": body.get_content() if body is not None else "",
            "envelope_to": rcpt_tos,
        }
        tmp_json = os.path.join(self.folder, f".{n:06d}.json.tmp")
        with open(tmp_json, "w", encoding="utf-8") as f:
            json.dump(decoded, f, ensure_ascii=False)
        os.replace(tmp_json, os.path.join(self.folder, f"{n:06d}.json"))

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("bounce"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        header = ("X-Envelope-To: " + ", ".join(envelope.rcpt_tos) + "\r\n").encode("ascii", "replace")
        # The raw message is written before the 250: from then on the message counts as accepted.
        tmp = os.path.join(self.folder, f".{n:06d}.tmp")
        with open(tmp, "wb") as f:
            f.write(header + content)
        os.replace(tmp, os.path.join(self.folder, f"{n:06d}.eml"))
        # The decoded copy is made beside, so that a slow parse never holds up the next message.
        self.pool.submit(self.decode, n, content, list(envelope.rcpt_tos))
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        header = ("X-Envelope-To: " + ", ".join(envelope.rcpt_tos) + "\r\n").encode("ascii", "replace")
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        decoded = {
            "to": str(parsed.get("To", "")),
            "from": str(parsed.get("From", "")),
            "subject": str(parsed.get("Subject", "")),
            "body": body.get_content() if body is not None else "",
            "envelope_to": envelope.rcpt_tos,
        }
        tmp_json = os.path.join(self.folder, f".{n:06d}.json.tmp")
        with open(tmp_json, "w", encoding="utf-8") as f:
            json.dump(decoded, f, ensure_ascii=False)
        os.replace(tmp_json, os.path.join(self.folder, f"{n:06d}.json"))
        # The raw message last, just before the 250: the moment the message counts as accepted.
        tmp = os.path.join(self.folder, f".{n:06d}.tmp")
        with open(tmp, "wb") as f:
            f.write(header + content)
        os.replace(tmp, os.path.join(self.folder, f"{n:06d}.eml"))
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        tmp = os.path.join(self.folder, f".{n:06d}.tmp")
        final = os.path.join(self.folder, f"{n:06d}.eml")
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        header = ("X-Envelope-To: " + ", ".join(envelope.rcpt_tos) + "\r\n").encode("ascii", "replace")
        with open(tmp, "wb") as f:
            f.write(header + content)
        os.replace(tmp, final)
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        decoded = {
            "to": str(parsed.get("To", "")),
            "from": str(parsed.get("From", "")),
            "subject": str(parsed.get("Subject", "")),
            "body": body.get_content() if body is not None else "",
            "envelope_to": envelope.rcpt_tos,
        }
        tmp_json = os.path.join(self.folder, f".{n:06d}.json.tmp")
        with open(tmp_json, "w", encoding="utf-8") as f:
            json.dump(decoded, f, ensure_ascii=False)
        os.replace(tmp_json, os.path.join(self.folder, f"{n:06d}.json"))
        return "250 OK"


class Counter:
    def __init__(self):
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        return "250 OK"


def main():
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    port, folder = int(sys.argv[1]), sys.argv[2]
    if folder != "--count":
        os.makedirs(folder, exist_ok=True)
    if port == 0:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    handler = Counter() if folder == "--count" else Sink(folder)
    controller = FinishingController(handler, hostname="127.0.0.1", port=port)
    controller.start()
    print(f"ready {port}", flush=True)
    try:
        signal.sigwait({signal.SIGTERM, signal.SIGINT})
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
