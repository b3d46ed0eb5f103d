"""E-mail and webhook delivery on the real wire: the delivery worker, its channels and the `deliveries` store.

MongoDB is the real one of the test backend; the SMTP server is aiosmtpd in-process (the tests read what it
received); the webhook receiver is a small HTTP/1.1 server on a free port that verifies every request with the
Standard Webhooks library and can fail on purpose (500, no answer, connection closed, slow). Retry policies have
tiny delays; every wait is on a condition with a deadline.
"""

import asyncio
import contextlib
import json
import random
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email import policy as email_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from standardwebhooks import Webhook

from devtools.devstack.processes import free_port
from services.notification.channels import EmailChannel, WebhookChannel
from services.notification.channels.webhook import resolve_host
from services.notification.delivery_store import (
    DELIVERIES,
    QUEUE,
    TARGETS,
    claim,
    dead_deliveries,
    delivery_targets,
    enqueue,
    ensure_delivery_indexes,
    find_delivery,
    resend,
)
from services.notification.delivery_worker import DeliveryWorker
from services.notification.domain.deliveries import Channel, Delivery, DeliveryStatus, EventKind, delivery_id
from services.notification.domain.retry import RetryPolicy
from services.notification.secrets import new_webhook_secret
from services.notification.settings import NotificationSettings
from shared.contracts import NOTIFICATION_SENT
from shared.contracts.notifications import NotificationChannel, NotificationSent, RecipientRole
from shared.messaging.relay import OutboxRelay
from shared.messaging.unit_of_work import UnitOfWork
from shared.service import Runtime
from shared.settings import ServiceSettings
from tests.conftest import eventually, outbox_records

AGENCY = "it-dinkes"
# Tiny delays: a failed attempt is tried again within a fraction of a second.
QUICK = RetryPolicy(first_delay_s=0.05, factor=2, max_delay_s=0.3, give_up_after_s=120)
POLICIES = {Channel.WEBHOOK: QUICK, Channel.EMAIL: QUICK}


@pytest.fixture
async def db(mongo):
    name = f"it_{uuid.uuid4().hex[:10]}"
    await ensure_delivery_indexes(mongo[name])  # as the service's index setup does, before anything is written
    yield mongo[name]
    await mongo.drop_database(name)


@pytest.fixture
async def runtime(mongo, db) -> Runtime:
    settings = ServiceSettings(service_name="it-notification")
    relay = OutboxRelay(db, settings)  # never started: the tests read the outbox itself
    await relay.ensure_indexes()
    return Runtime(settings, mongo, db, relay)


def _settings(smtp_port: int = 1, **overrides: Any) -> NotificationSettings:
    values: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_port,
        "smtp_timeout_s": 3,
        "webhook_timeout_s": 0.5,
        "allow_private_webhooks": True,  # the receivers listen on loopback
        "per_target_concurrency": 2,
        "delivery_concurrency": 16,
    }
    return NotificationSettings(**(values | overrides))


# --- a webhook receiver -----------------------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str
    status: int | None  # None: it never answered (hung up, or let the sender time out)
    at: float = field(default_factory=time.time)


@dataclass
class Receiver:
    """HTTP/1.1 on a free loopback port. `script[path]` lists what the next requests to that path get: a status
    code, "hang" (no answer: the sender times out), "close" (the connection closed without an answer) or
    ("slow", seconds) (200 after a while); once the script is used up, 200."""

    port: int = field(default_factory=free_port)
    script: dict[str, list[Any]] = field(default_factory=dict)
    requests: list[Received] = field(default_factory=list)
    server: asyncio.Server | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def delivered(self, path: str | None = None) -> list[Received]:
        return [r for r in self.requests if r.status is not None and r.status < 300 and path in (None, r.path)]

    async def start(self) -> "Receiver":
        self.server = await asyncio.start_server(self._connection, "127.0.0.1", self.port)
        return self

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(2):
                    await self.server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {
                    k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                body = (await reader.readexactly(int(headers.get("content-length", "0")))).decode()
                steps = self.script.get(path, [])
                step = steps.pop(0) if steps else 200
                received = Received(path, headers, body, None)
                self.requests.append(received)
                if step == "close":
                    return
                if step == "hang":
                    await reader.read()  # until the sender gives up and closes
                    return
                if isinstance(step, tuple):
                    await asyncio.sleep(step[1])
                    step = 200
                received.status = step
                writer.write(f"HTTP/1.1 {step} X\r\ncontent-length: 2\r\n\r\nok".encode())  # never a 204: no body
                await writer.drain()
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def receiving(**script: list[Any]) -> AsyncIterator[Receiver]:
    receiver = await Receiver(script={f"/{k}": v for k, v in script.items()}).start()
    try:
        yield receiver
    finally:
        await receiver.stop()


# --- an SMTP server ---------------------------------------------------------------------------------------


class Mailbox:
    """aiosmtpd handler: keeps what it received; refuses recipients at `refused.example` with 550."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.example"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 Message accepted for delivery"

    def ids(self) -> Counter[str]:
        return Counter(str(m["Message-ID"]) for m in self.messages)


@contextlib.contextmanager
def smtp_server(mailbox: Mailbox, port: int):
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


# --- deliveries and the worker --------------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def webhook_delivery(url: str, subscription: str, target: str | None = None, n: int = 0) -> Delivery:
    event_id = f"evt-{uuid.uuid4().hex[:12]}"
    did = delivery_id(event_id, f"subscription:{subscription}", Channel.WEBHOOK)
    body = json.dumps({"type": "kinerja.score.computed.v1", "data": {"n": n, "predikat": "Baik"}})
    return Delivery(
        id=did,
        channel=Channel.WEBHOOK,
        target=target or f"webhook:{subscription}",
        agency_id=AGENCY,
        event_id=event_id,
        event_type="kinerja.score.computed.v1",
        kind=EventKind.SCORE,
        recipient_key=f"subscription:{subscription}",
        next_attempt_at=_now(),
        created_at=_now(),
        payload={
            "subscription_id": subscription,
            "url": url,
            "body": body,
            "webhook_id": f"msg_{did}",
            "event_type": "kinerja.score.computed.v1",
        },
    )


def email_delivery(to: str, subject: str = "Nilai kinerja Anda") -> Delivery:
    event_id = f"evt-{uuid.uuid4().hex[:12]}"
    return Delivery(
        id=delivery_id(event_id, to, Channel.EMAIL),
        channel=Channel.EMAIL,
        target=f"email:{to.rsplit('@', 1)[1]}",
        agency_id=AGENCY,
        event_id=event_id,
        event_type="kinerja.score.computed.v1",
        kind=EventKind.SCORE,
        recipient_key=to,
        next_attempt_at=_now(),
        created_at=_now(),
        payload={"to": to, "subject": subject, "text": "Predikat kinerja Anda bulan November: Baik."},
    )


async def store(runtime: Runtime, *deliveries: Delivery) -> None:
    uow = runtime.unit_of_work()
    for delivery in deliveries:
        enqueue(uow, delivery)
    await uow.commit()


def emit_sent(uow: UnitOfWork, delivery: Delivery) -> None:
    """What the service does on a sent delivery: kinerja.notification.sent.v1 through the outbox."""
    sent = NotificationSent(
        notification_id=delivery.id,
        agency_id=delivery.agency_id,
        recipient_role=RecipientRole.SUBSCRIBER if delivery.channel is Channel.WEBHOOK else RecipientRole.PEGAWAI,
        channel=NotificationChannel(str(delivery.channel)),
        about_event_id=delivery.event_id,
        about_event_type=delivery.event_type,
        judul="-",
        pesan="-",
        sent_at=delivery.sent_at or _now(),
        delivery_id=delivery.id,
    )
    uow.emit(NOTIFICATION_SENT, sent, subject=delivery.recipient_key or delivery.agency_id)


class Secrets:
    """The subscriptions' signing secrets, as WebhookSecrets would give them (newest first)."""

    def __init__(self) -> None:
        self.by_subscription: dict[str, list[str]] = {}

    def add(self, subscription: str, *secrets: str) -> None:
        self.by_subscription[subscription] = list(secrets)

    async def __call__(self, subscription: str) -> list[str]:
        return self.by_subscription.get(subscription, [])


@contextlib.asynccontextmanager
async def worker_running(
    runtime: Runtime,
    settings: NotificationSettings,
    secrets: Secrets | None = None,
    policies: dict[Channel, RetryPolicy] | None = None,
    resolve: Callable[..., Any] | None = None,
) -> AsyncIterator[DeliveryWorker]:
    adapters = {
        Channel.EMAIL: EmailChannel(settings),
        Channel.WEBHOOK: WebhookChannel(settings, secrets or Secrets(), resolve),
    }
    worker = DeliveryWorker(
        runtime, adapters, policies or POLICIES, settings, on_sent=emit_sent, rng=random.Random(7), max_idle_s=0.5
    )
    task = asyncio.create_task(worker.run())
    try:
        yield worker
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def statuses(db, ids: list[str]) -> Counter[str]:
    documents = await db[DELIVERIES].find({"_id": {"$in": ids}}, {"status": 1}).to_list()
    return Counter(d["status"] for d in documents)


def all_sent(db, ids: list[str]) -> Callable[[], Any]:
    async def probe() -> bool:
        return (await statuses(db, ids))[DeliveryStatus.SENT] == len(ids)

    return probe


# --- webhooks ---------------------------------------------------------------------------------------------


async def test_a_receiver_failing_three_times_gets_the_delivery_once_signed_with_one_webhook_id(runtime, db):
    """500, then no answer, then a closed connection: the fourth attempt delivers, verified by the library."""
    secrets, new, old = Secrets(), new_webhook_secret(), new_webhook_secret()
    secrets.add("payroll", new, old)  # during a rotation: both sign
    async with receiving(hook=[500, "hang", "close"]) as receiver:
        delivery = webhook_delivery(receiver.url("/hook"), "payroll")
        async with worker_running(runtime, _settings(), secrets) as worker:
            await store(runtime, delivery)
            worker.wake()
            await eventually(all_sent(db, [delivery.id]), 30, "the webhook delivered")

        assert [r.status for r in receiver.requests] == [500, None, None, 200]
        assert {r.headers["webhook-id"] for r in receiver.requests} == {delivery.payload["webhook_id"]}
        delivered = receiver.delivered()
        assert len(delivered) == 1
        for secret in (new, old):  # a receiver with either secret verifies it
            assert Webhook(secret).verify(delivered[0].body, delivered[0].headers) == json.loads(
                delivery.payload["body"]
            )
        assert len(delivered[0].headers["webhook-signature"].split(" ")) == 2
        assert delivered[0].headers["content-type"] == "application/json"

    stored = await find_delivery(db, delivery.id)
    assert stored is not None and stored.status is DeliveryStatus.SENT and stored.attempts == 4
    assert stored.sent_at is not None
    sent_events = await outbox_records(db, topic=NOTIFICATION_SENT.topic)
    assert len(sent_events) == 1  # notification.sent.v1 in the same transaction as the outcome


async def test_each_attempt_is_signed_with_its_own_timestamp_and_errors_are_short(runtime, db):
    secrets, secret = Secrets(), new_webhook_secret()
    secrets.add("siasn", secret)
    async with receiving(hook=[503, "close"]) as receiver:
        delivery = webhook_delivery(receiver.url("/hook"), "siasn")
        policy = RetryPolicy(first_delay_s=1.5, factor=1, max_delay_s=1.5, give_up_after_s=60, max_attempts=2)
        async with worker_running(runtime, _settings(), secrets, {Channel.WEBHOOK: policy, Channel.EMAIL: QUICK}):
            await store(runtime, delivery)

            async def dead() -> Delivery | None:
                found = await find_delivery(db, delivery.id)
                return found if found and found.status is DeliveryStatus.DEAD else None

            stored = await eventually(dead, 30, "dead after two attempts")
        assert stored.attempts == 2 and stored.last_error == "connection closed"
        assert len(receiver.requests) == 2
        for request in receiver.requests:  # the time of that attempt, and a signature over it
            assert abs(int(request.headers["webhook-timestamp"]) - request.at) <= 1.5
            Webhook(secret).verify(request.body, request.headers)


async def test_a_dead_endpoint_is_dead_after_the_last_attempt_with_its_error_and_can_be_resent(runtime, db):
    secrets = Secrets()
    secret = new_webhook_secret()
    secrets.add("payroll", secret)
    port = free_port()  # nothing listens there yet
    delivery = webhook_delivery(f"http://127.0.0.1:{port}/hook", "payroll")
    policy = RetryPolicy(first_delay_s=0.05, factor=1, max_delay_s=0.05, give_up_after_s=60, max_attempts=3)
    async with worker_running(runtime, _settings(), secrets, {Channel.WEBHOOK: policy, Channel.EMAIL: QUICK}) as worker:
        await store(runtime, delivery)

        async def dead() -> list[Delivery]:
            return await dead_deliveries(db, AGENCY, limit=10)

        [stored] = await eventually(dead, 30, "the delivery dead")
        assert stored.id == delivery.id and stored.attempts == 3
        assert stored.last_error == "connection failed"
        assert await dead_deliveries(db, "another-agency", limit=10) == []
        assert await dead_deliveries(db, None, limit=10, after=delivery.id) == []

        receiver = await Receiver(port=port).start()
        try:
            assert await resend(db, delivery.id, _now())
            assert not await resend(db, delivery.id, _now())  # pending now, not dead
            worker.wake()
            await eventually(all_sent(db, [delivery.id]), 30, "the re-sent delivery")
        finally:
            await receiver.stop()
    [received] = receiver.delivered()
    Webhook(secret).verify(received.body, received.headers)
    assert received.headers["webhook-id"] == delivery.payload["webhook_id"]
    assert (await find_delivery(db, delivery.id)).attempts == 4  # kept across the re-send
    assert not await resend(db, "no-such-delivery", _now())


async def _attempts(db, ids: list[str]) -> int:
    documents = await db[DELIVERIES].find({"_id": {"$in": ids}}, {"attempts": 1}).to_list()
    return sum(d.get("attempts", 0) for d in documents)


async def test_a_dead_endpoint_is_paused_after_failing_in_a_row_not_attempted_as_fast_as_it_fails(runtime, db):
    """40 deliveries to a port nobody listens on: five failures in a row pause the target (each attempt fails in
    a millisecond, and without the pause each would be claimed and written back at once); the fast endpoint
    goes on meanwhile; after the cool-down a trial fails and pauses it again."""
    secrets = Secrets()
    secrets.add("dead", new_webhook_secret())
    secrets.add("fast", new_webhook_secret())
    dead = [webhook_delivery(f"http://127.0.0.1:{free_port()}/hook", "dead", n=i) for i in range(40)]
    dead_ids = [d.id for d in dead]
    async with receiving() as receiver:
        fast = [webhook_delivery(receiver.url("/fast"), "fast", n=i) for i in range(20)]
        async with worker_running(runtime, _settings(), secrets) as worker:
            await store(runtime, *dead)

            async def paused() -> bool:
                return "webhook:dead" in worker.paused_targets

            await eventually(paused, 10, "the dead endpoint paused", interval_s=0.02)
            await store(runtime, *fast)
            worker.wake()
            await eventually(all_sent(db, [d.id for d in fast]), 10, "the fast endpoint meanwhile", interval_s=0.05)
            # Five in a row, and at most the one other in flight when the fifth failed.
            assert await _attempts(db, dead_ids) <= 6
            before_trial = await _attempts(db, dead_ids)

            async def tried_again() -> bool:
                return await _attempts(db, dead_ids) > before_trial and await paused()

            await eventually(tried_again, 20, "a trial after the cool-down, paused again", interval_s=0.1)
            assert await _attempts(db, dead_ids) <= before_trial + 2  # the trial: the lane's two in flight at most
    assert len(receiver.delivered("/fast")) == 20


async def test_a_slow_endpoint_holds_up_neither_the_fast_one_nor_email(runtime, db):
    """The slow lane fills (2 in flight, 6 queued) and its other deliveries stay pending in the database, while
    the fast endpoint and e-mail are all delivered before the slow one has answered more than once."""
    secrets = Secrets()
    secrets.add("slow", new_webhook_secret())
    secrets.add("fast", new_webhook_secret())
    mailbox, smtp_port = Mailbox(), free_port()
    settings = _settings(smtp_port, webhook_timeout_s=5)
    async with receiving(slow=[("slow", 2.0)] * 16) as receiver:
        slow = [webhook_delivery(receiver.url("/slow"), "slow", n=i) for i in range(16)]
        fast = [webhook_delivery(receiver.url("/fast"), "fast", n=i) for i in range(20)]
        mails = [email_delivery(f"pegawai{i}@bungo.go.id") for i in range(5)]
        with smtp_server(mailbox, smtp_port):
            async with worker_running(runtime, settings, secrets) as worker:
                await store(runtime, *slow)

                async def slow_lane_full() -> bool:
                    return worker.in_flight.get("webhook:slow") == 8

                await eventually(slow_lane_full, 10, "the slow lane full", interval_s=0.02)
                started = time.monotonic()
                await store(runtime, *fast, *mails)
                worker.wake()
                await eventually(all_sent(db, [d.id for d in fast + mails]), 30, "fast and e-mail", interval_s=0.05)
                elapsed = time.monotonic() - started
                slow_status = await statuses(db, [d.id for d in slow])
                # Never more claimed for a full lane than it holds: the rest waits in the database.
                assert slow_status[DeliveryStatus.SENDING] <= 8, slow_status
                assert slow_status[DeliveryStatus.PENDING] >= 6, slow_status
                assert len(receiver.delivered("/slow")) <= 2
                assert elapsed < 4.0, f"fast and e-mail took {elapsed:.1f}s beside the slow lane"
                await eventually(all_sent(db, [d.id for d in slow]), 60, "the slow ones, in the end")
    assert len(receiver.delivered("/fast")) == 20
    assert len(mailbox.messages) == 5


async def test_a_private_address_is_refused_at_send_time_unless_allowed(runtime, db):
    secrets = Secrets()
    secrets.add("internal", new_webhook_secret())

    async def rebound(host: str) -> list[Any]:
        """A name re-pointed inside the network since its subscription was accepted (DNS rebinding)."""
        rebound = {"payroll.example.go.id": ["10.20.30.40"], "public.example.com": ["93.184.215.14", "127.0.0.1"]}
        return rebound[host] if host in rebound else await resolve_host(host)

    async with receiving() as receiver:
        loopback = webhook_delivery(receiver.url("/hook"), "internal")
        renamed = webhook_delivery("https://payroll.example.go.id/kinerja", "internal")
        mixed = webhook_delivery("https://public.example.com/hook", "internal")
        settings = _settings(allow_private_webhooks=False)
        async with worker_running(runtime, settings, secrets, resolve=rebound):
            await store(runtime, loopback, renamed, mixed)

            async def all_dead() -> list[Delivery]:
                found = await dead_deliveries(db, AGENCY, limit=10)
                return found if len(found) == 3 else []

            dead = await eventually(all_dead, 30, "the private targets refused")
        assert receiver.requests == []
        for delivery in dead:
            assert delivery.attempts == 1  # not retried: it would be refused again
            assert delivery.last_error.startswith("private_address:"), delivery.last_error

        # The same loopback target, with private addresses allowed by an administrator: delivered.
        allowed = webhook_delivery(receiver.url("/hook"), "internal")
        async with worker_running(runtime, _settings(allow_private_webhooks=True), secrets):
            await store(runtime, allowed)
            await eventually(all_sent(db, [allowed.id]), 30, "the allowed private target")
        assert len(receiver.delivered()) == 1


async def test_gone_is_final_and_a_missing_secret_is_not_retried(runtime, db):
    secrets = Secrets()
    secrets.add("gone", new_webhook_secret())
    async with receiving(gone=[410]) as receiver:
        gone = webhook_delivery(receiver.url("/gone"), "gone")
        orphan = webhook_delivery(receiver.url("/orphan"), "deleted-subscription")
        async with worker_running(runtime, _settings(), secrets):
            await store(runtime, gone, orphan)

            async def both_dead() -> list[Delivery]:
                found = await dead_deliveries(db, AGENCY, limit=10)
                return found if len(found) == 2 else []

            dead = {d.id: d for d in await eventually(both_dead, 30, "both dead")}
    assert dead[gone.id].last_error == "HTTP 410 Gone" and dead[gone.id].attempts == 1
    assert "no signing secret" in dead[orphan.id].last_error and dead[orphan.id].attempts == 1
    assert [r.path for r in receiver.requests] == ["/gone"]


async def test_two_workers_never_send_one_delivery_twice(runtime, db):
    secrets = Secrets()
    secrets.add("payroll", new_webhook_secret())
    async with receiving() as receiver:
        deliveries = [webhook_delivery(receiver.url("/hook"), "payroll", target=f"webhook:t{i % 5}") for i in range(40)]
        await store(runtime, *deliveries)
        async with worker_running(runtime, _settings(), secrets), worker_running(runtime, _settings(), secrets):
            await eventually(all_sent(db, [d.id for d in deliveries]), 60, "all delivered")
    assert Counter(r.headers["webhook-id"] for r in receiver.requests) == Counter(
        d.payload["webhook_id"] for d in deliveries
    )
    attempts = await db[DELIVERIES].find({}, {"attempts": 1}).to_list()
    assert [d["attempts"] for d in attempts] == [1] * 40  # each claimed once, by one of the two
    assert len(await outbox_records(db, topic=NOTIFICATION_SENT.topic)) == 40


async def test_a_delivery_whose_worker_died_is_sent_when_its_lease_ends(runtime, db):
    secrets = Secrets()
    secrets.add("payroll", new_webhook_secret())
    async with receiving() as receiver:
        delivery = webhook_delivery(receiver.url("/hook"), "payroll")
        await store(runtime, delivery)
        now = _now()
        targets = await delivery_targets(db, [Channel.WEBHOOK])
        assert targets == [delivery.target]  # registered with the delivery
        round_ = await claim(
            db, now=now, lease_until=now + timedelta(seconds=1), owner="died", limit=10, targets=targets
        )
        assert [c.delivery.id for c in round_.claimed] == [delivery.id]
        later = _now()
        again = await claim(
            db, now=later, lease_until=now + timedelta(seconds=60), owner="other", limit=10, targets=targets
        )
        assert again.claimed == []  # held by its lease
        async with worker_running(runtime, _settings(), secrets):
            await eventually(all_sent(db, [delivery.id]), 30, "sent after the lease ended")
    assert len(receiver.delivered()) == 1


async def test_a_claim_takes_only_the_targets_it_names(runtime, db):
    parked = [webhook_delivery(f"http://198.51.100.{i % 2}/hook", "payroll", target="webhook:parked") for i in range(6)]
    ready = webhook_delivery("http://198.51.100.9/hook", "payroll", target="webhook:ready")
    await store(runtime, *parked, ready)
    assert sorted(await delivery_targets(db, [Channel.WEBHOOK])) == ["webhook:parked", "webhook:ready"]
    assert await delivery_targets(db, [Channel.EMAIL]) == []
    now = _now()
    lease = now + timedelta(seconds=60)
    round_ = await claim(db, now=now, lease_until=lease, owner="w", limit=10, targets=["webhook:ready"])
    assert [c.delivery.id for c in round_.claimed] == [ready.id]
    waiting = await db[DELIVERIES].count_documents({"_id": {"$in": [d.id for d in parked]}, "status": "pending"})
    assert waiting == len(parked)  # left as they were, for when their target has room


async def test_targets_of_deliveries_queued_before_the_registry_are_registered(runtime, db):
    await store(runtime, webhook_delivery("http://198.51.100.1/hook", "payroll", target="webhook:old"))
    await db[TARGETS].delete_many({})  # as a version without the registry left it
    assert await db[QUEUE].count_documents({}) == 1
    await ensure_delivery_indexes(db)
    assert await delivery_targets(db, [Channel.WEBHOOK]) == ["webhook:old"]


# --- e-mail -----------------------------------------------------------------------------------------------


async def test_smtp_down_then_up_every_mail_goes_out_once(runtime, db):
    mailbox, port = Mailbox(), free_port()
    mails = [email_delivery(f"pegawai{i}@bungo.go.id", f"Nilai kinerja {i}") for i in range(12)]
    async with worker_running(runtime, _settings(port)):
        await store(runtime, *mails)

        async def failed() -> list[dict]:  # five in a row: the server is really away, and the domain is paused
            documents = await db[DELIVERIES].find({"_id": {"$in": [m.id for m in mails]}}).to_list()
            tried = [d for d in documents if d["attempts"] >= 1 and d["last_error"]]
            return tried if len(tried) >= 5 else []

        [first, *_] = await eventually(failed, 30, "mails waiting for the server", interval_s=0.05)
        down = await find_delivery(db, first["_id"])
        assert down.status is not DeliveryStatus.DEAD and "unreachable" in down.last_error
        assert mailbox.messages == []
        with smtp_server(mailbox, port):
            await eventually(all_sent(db, [m.id for m in mails]), 30, "mails after the server came back")
            assert mailbox.ids() == Counter({f"<{m.id}@kinerja>": 1 for m in mails})
    message = next(m for m in mailbox.messages if m["Message-ID"] == f"<{mails[3].id}@kinerja>")
    assert message["To"] == "pegawai3@bungo.go.id"
    assert message["Subject"] == "Nilai kinerja 3"
    assert message["From"] == "Kinerja <kinerja@localhost>"
    assert message["Date"] is not None
    assert "Predikat kinerja" in message.get_content()
    assert len(await outbox_records(db, topic=NOTIFICATION_SENT.topic)) == 12


async def test_a_refused_recipient_is_dead_at_once_and_the_others_go_out(runtime, db):
    mailbox, port = Mailbox(), free_port()
    refused = email_delivery("orang@refused.example")
    fine = email_delivery("pegawai@bungo.go.id")
    with smtp_server(mailbox, port):
        async with worker_running(runtime, _settings(port)):
            await store(runtime, refused, fine)
            await eventually(all_sent(db, [fine.id]), 30, "the good mail")

            async def refused_dead() -> Delivery | None:
                found = await find_delivery(db, refused.id)
                return found if found and found.status is DeliveryStatus.DEAD else None

            dead = await eventually(refused_dead, 30, "the refused mail dead")
    assert dead.attempts == 1 and dead.last_error.startswith("recipient refused: SMTP 550")
    assert [str(m["To"]) for m in mailbox.messages] == ["pegawai@bungo.go.id"]
