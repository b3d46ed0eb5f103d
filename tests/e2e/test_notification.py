"""Notification on the real stack: signed webhooks that survive a failing receiver, e-mail that survives an SMTP
outage, a duplicated event told once, deadline reminders before and after, the inbox by key and by signed link,
the API's refusals, and the delivery health published when it changes."""

import calendar
import json
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from standardwebhooks import Webhook, WebhookVerificationError

from services.notification.domain.clock import WIB
from shared.contracts import (
    COACHING_REQUIRED,
    DELIVERY_HEALTH,
    PERIOD_OPENED,
    REPORT_SUBMITTED,
    SCORE_COMPUTED,
    EventSpec,
)
from shared.contracts.common import Predikat
from shared.contracts.periods import PeriodOpened
from shared.contracts.reports import ReportSubmitted
from shared.contracts.training import CoachingRequired
from tests.conftest import eventually, outbox_records

from .api import ADMIN, BERAKHLAK, ROWS, Agency, random_nip, register_agency
from .topics import agency_events

pytestmark = pytest.mark.e2e

SCORE_TOPIC = SCORE_COMPUTED.topic
SENT_TOPIC = "kinerja.notification.sent.v1"


@pytest.fixture(scope="module")
def notification(platform):
    with httpx.Client(base_url=platform.url("notification"), timeout=30) as client:
        yield client


@pytest.fixture
def receivers():
    started: list[Receiver] = []

    def start(failures: int = 0, status: int | None = None) -> Receiver:
        receiver = Receiver(failures, status)
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.close()


# --- A webhook receiver, verifying with the Standard Webhooks library -------------------------------------------


class Receiver:
    """An HTTP endpoint on loopback. The first `failures` attempts of each delivery fail (a 500, a connection
    closed without an answer, a 503, ...); later ones are verified (`standardwebhooks.Webhook`) and accepted.
    With `status`, every attempt gets that answer instead."""

    def __init__(self, failures: int = 0, status: int | None = None) -> None:
        self.failures, self.status = failures, status
        self.secret: str | None = None
        self.lock = threading.Lock()
        self.attempts: Counter[str] = Counter()
        self.accepted: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.raw: dict[str, tuple[bytes, dict[str, str]]] = {}  # the last accepted body and headers
        self.invalid: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                webhook_id = headers.get("webhook-id", "")
                with receiver.lock:
                    receiver.attempts[webhook_id] += 1
                    attempt = receiver.attempts[webhook_id]
                if receiver.status is not None:
                    return self._answer(receiver.status)
                if attempt <= receiver.failures:
                    if attempt % 3 == 2:
                        self.close_connection = True  # hang up without an answer
                        return None
                    return self._answer(500 if attempt % 3 == 1 else 503)
                try:
                    event = Webhook(receiver.secret or "").verify(body, headers)
                except WebhookVerificationError:
                    with receiver.lock:
                        receiver.invalid.append(webhook_id)
                    return self._answer(400)
                with receiver.lock:
                    receiver.accepted[webhook_id].append(event)
                    receiver.raw[webhook_id] = (body, headers)
                return self._answer(204)

            def _answer(self, status: int) -> None:
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/kinerja/events"

    def accepted_events(self) -> dict[str, list[dict[str, Any]]]:
        with self.lock:
            return {k: list(v) for k, v in self.accepted.items()}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- Helpers ------------------------------------------------------------------------------------------------------


def email_of(nip: str) -> str:
    return f"pegawai.{nip}@mail.test"


def person(agency: Agency, atasan: str | None = None, email: bool = True) -> str:
    nip = random_nip()
    body = {"nip": nip, "nama": f"Pegawai {nip[-4:]}", "jabatan": "Analis", "atasan_nip": atasan}
    if email:
        body["email"] = email_of(nip)
    response = agency.client.put(f"/v1/employees/{nip}", json=body, headers=agency.auth)
    assert response.status_code == 200, response.text
    return nip


async def known(dbs, agency: Agency, *nips: str) -> None:
    """Notification has the agency's key and its people."""
    await eventually(
        lambda: dbs["notification"].agency_keys.find_one({"agency_id": agency.agency_id}), what="key in notification"
    )
    for nip in nips:
        await eventually(lambda n=nip: dbs["notification"].people.find_one({"_id": n}), what=f"{nip} in notification")


def subscribe(notification, receiver: Receiver, agency: Agency, event_types=(SCORE_TOPIC,)) -> dict[str, Any]:
    body = {"url": receiver.url, "event_types": list(event_types), "agency_ids": [agency.agency_id]}
    response = notification.post("/v1/webhooks", json={**body, "allow_private": True}, headers=ADMIN)
    assert response.status_code == 201, response.text
    subscription = response.json()
    assert subscription["secret"].startswith("whsec_")
    receiver.secret = subscription["secret"]
    return subscription


async def score_events(dbs, nips: list[str], count: int | None = None) -> dict[str, bytes]:
    """The score events scoring published for these employees (id -> the record's value)."""
    wanted = count if count is not None else len(nips)

    async def found():
        records = [r for nip in nips for r in await outbox_records(dbs["scoring"], topic=SCORE_TOPIC, key=nip.encode())]
        return {r["id"]: bytes(r["value"]) for r in records} if len(records) >= wanted else None

    return await eventually(found, what="score events")


async def publish(backend, topic: str, *items: tuple[str, bytes]) -> None:
    """Records straight onto a topic (key, value), as a relay would, in this order."""
    producer = AIOKafkaProducer(bootstrap_servers=backend.kafka_bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for key, value in items:
            await producer.send_and_wait(topic, value, key.encode())
    finally:
        await producer.stop()


def submit(agency: Agency, nip: str, month: int = 10, short: bool = False) -> str:
    """A monthly report on target, or (`short`) below it on both main rows: Butuh Perbaikan, so coaching too."""
    body = agency.report_body(nip, month=month, **({"layanan": 12, "cakupan": 45} if short else {}))
    response = agency.submit(body)
    assert response.status_code == 202, response.text
    return agency.reference(body)


# --- Webhooks ------------------------------------------------------------------------------------------------------


async def test_a_receiver_gets_every_score_event_once_signed_after_failing_three_attempts(
    intake, notification, dbs, receivers
):
    agency = register_agency(intake)
    nips = [agency.employee() for _ in range(3)]
    await known(dbs, agency)
    receiver = receivers(failures=3)
    subscription = subscribe(notification, receiver, agency)
    for nip in nips:
        agency.skp(nip)
        submit(agency, nip)
    events = await score_events(dbs, nips)

    async def all_accepted():
        accepted = receiver.accepted_events()
        return accepted if {e["id"] for got in accepted.values() for e in got} == set(events) else None

    accepted = await eventually(all_accepted, timeout_s=180, what="every score event accepted")
    assert not receiver.invalid, "every signature verified"
    assert all(len(got) == 1 for got in accepted.values()), "each event accepted once"
    assert all(receiver.attempts[webhook_id] == 4 for webhook_id in accepted), receiver.attempts
    for got in accepted.values():
        assert got[0] == json.loads(events[got[0]["id"]]), "the body is the event's envelope as published"

    deliveries = dbs["notification"].deliveries
    query = {"channel": "webhook", "recipient_key": subscription["id"]}
    sent = await eventually(
        lambda: _all(deliveries, query, len(events), status="sent"), what="deliveries recorded as sent"
    )
    assert {d["_id"] for d in sent} == set(accepted) and all(d["attempts"] == 4 for d in sent)
    assert all(receiver.attempts[webhook_id] == 4 for webhook_id in accepted), "nothing sent again once sent"
    notices = await eventually(lambda: _sent_notices(dbs, channel="webhook", ids=set(accepted)), what="sent events")
    assert {n["delivery_id"] for n in notices} == set(accepted)


async def _all(collection, query: dict, count: int, **match) -> list[dict] | None:
    documents = await collection.find(query).to_list()
    return (
        documents
        if len(documents) == count and all(all(d.get(k) == v for k, v in match.items()) for d in documents)
        else None
    )


async def _sent_notices(dbs, *, channel: str, ids: set[str]) -> list[dict] | None:
    """The notification.sent events notification published for these deliveries, once each."""
    found = []
    for record in await outbox_records(dbs["notification"], topic=SENT_TOPIC):
        data = json.loads(bytes(record["value"]))["data"]
        if data["channel"] == channel and data["notification_id"] in ids:
            found.append(data)
    return found if len(found) >= len(ids) else None


async def test_subscriptions_are_the_agencys_own_and_a_rotated_secret_signs_beside_the_old_one(
    intake, notification, dbs, receivers
):
    agency, other = register_agency(intake), register_agency(intake)
    nip = agency.employee()
    await known(dbs, agency)
    await known(dbs, other)
    public = {"url": "https://93.184.216.34/kinerja", "event_types": [SCORE_TOPIC, "kinerja.score.annual.v1"]}
    own = notification.post("/v1/webhooks", json=public, headers=agency.auth)
    assert own.status_code == 201, own.text
    assert own.json()["agency_ids"] == [agency.agency_id] and own.json()["secret"].startswith("whsec_")
    listed = notification.get("/v1/webhooks", headers=agency.auth).json()
    assert [s["id"] for s in listed] == [own.json()["id"]] and "secret" not in listed[0]
    assert notification.get(f"/v1/webhooks/{own.json()['id']}", headers=other.auth).status_code == 404
    assert notification.get("/v1/webhooks", headers=other.auth).json() == []
    elsewhere = {**public, "agency_ids": [other.agency_id]}
    assert notification.post("/v1/webhooks", json=elsewhere, headers=agency.auth).status_code == 403
    assert notification.delete(f"/v1/webhooks/{own.json()['id']}", headers=agency.auth).status_code == 204
    assert notification.get("/v1/webhooks", headers=agency.auth).json() == []
    stored = await dbs["notification"].webhook_subscriptions.find({}).to_list()
    assert all(own.json()["secret"] not in json.dumps(s, default=str) for s in stored), "stored encrypted"

    receiver = receivers(status=410)  # gone: not worth retrying, dead at once
    subscription = subscribe(notification, receiver, agency)
    agency.skp(nip)
    submit(agency, nip)
    dead = await eventually(lambda: _dead(notification, agency, subscription["id"]), what="a dead delivery")
    assert dead["attempts"] == 1 and "410" in dead["last_error"] and dead["url"] == receiver.url
    assert not any(
        d["id"] == dead["id"] for d in notification.get("/v1/deliveries", headers=other.auth).json()["items"]
    )

    old_secret = subscription["secret"]
    rotated = notification.post(f"/v1/webhooks/{subscription['id']}/rotate-secret", headers=ADMIN)
    assert rotated.status_code == 200 and rotated.json()["secret"] not in (old_secret, None)
    receiver.secret, receiver.status = rotated.json()["secret"], None
    resent = notification.post(f"/v1/deliveries/{dead['id']}/resend", headers=agency.auth)
    assert resent.status_code == 202, resent.text
    again = notification.post(f"/v1/deliveries/{dead['id']}/resend", headers=agency.auth)
    assert again.status_code == 409 and again.json()["error"]["code"] == "delivery_not_dead"
    accepted = await eventually(lambda: _accepted(receiver, dead["id"]), what="the resent delivery")
    assert len(accepted) == 1 and not receiver.invalid
    body, headers = receiver.raw[dead["id"]]
    assert len(headers["webhook-signature"].split(" ")) == 2, "signed with the new secret and the old one"
    assert Webhook(old_secret).verify(body, headers) == accepted[0], "a receiver not yet switched still verifies"


async def _accepted(receiver: Receiver, webhook_id: str) -> list[dict[str, Any]] | None:
    return receiver.accepted_events().get(webhook_id)


async def _dead(notification, agency: Agency, subscription_id: str) -> dict | None:
    items = notification.get("/v1/deliveries", params={"status": "dead"}, headers=agency.auth).json()["items"]
    return next((d for d in items if d.get("subscription_id") == subscription_id), None)


# --- Delivery health -----------------------------------------------------------------------------------------------


async def delivery_health(backend, agency: Agency, want, what: str) -> list[dict[str, Any]]:
    """The agency's kinerja.delivery.health.v1 snapshots, once the latest satisfies `want` (a coroutine function:
    it may read the database)."""

    async def enough(found: list[dict[str, Any]]) -> bool:
        return bool(found) and await want(found[-1]["data"])

    found = await agency_events(backend.kafka_bootstrap, DELIVERY_HEALTH.topic, agency.agency_id, enough, what, 90)
    return [event["data"] for event in found]


def _channel(health: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in health["channels"] if c["channel"] == name)


async def test_delivery_health_shows_a_failing_endpoint_paused_and_the_inbox_sent(
    backend, intake, notification, dbs, receivers
):
    agency = register_agency(intake)
    nips = [agency.employee() for _ in range(5)]
    await known(dbs, agency, *nips)
    receiver = receivers(status=500)  # every attempt fails: five in a row open the endpoint's breaker
    subscription = subscribe(notification, receiver, agency)
    for nip in nips:
        agency.skp(nip)
        submit(agency, nip)
    events = await score_events(dbs, nips)
    inbox = dbs["notification"].notifications
    told = {"agency_id": agency.agency_id, "about_event_id": {"$in": list(events)}}
    await eventually(lambda: _at_least(inbox, told, len(events)), what="each employee told of their score")

    def endpoint(health: dict[str, Any]) -> dict[str, Any] | None:
        return next((e for e in health["endpoints"] if e["subscription_id"] == subscription["id"]), None)

    async def settled(health: dict[str, Any]) -> bool:
        webhook, hook = _channel(health, "webhook"), endpoint(health)
        items = await inbox.count_documents({"agency_id": agency.agency_id, "channel": "inbox"})
        return (
            hook is not None
            and hook["state"] == "paused"
            and webhook["pending"] + webhook["dead"] == len(events)
            and _channel(health, "inbox")["sent"] == items
        )

    snapshots = await delivery_health(backend, agency, settled, "the endpoint paused in the agency's health")

    latest = snapshots[-1]
    assert _channel(latest, "webhook")["sent"] == 0
    assert [_channel(latest, "email")[k] for k in ("sent", "pending", "dead")] == [0, 0, 0]  # nobody has an address
    hook = endpoint(latest)
    assert hook["pending"] + hook["dead"] == len(events) and hook["failures_in_a_row"] >= 5
    assert (hook["url_host"], hook["last_error"], hook["last_success_at"]) == ("127.0.0.1", "HTTP 500", None)
    assert "/kinerja/events" not in json.dumps(snapshots), "the host only, never the path"
    said = [{k: v for k, v in s.items() if k != "observed_at"} for s in snapshots]
    assert all(a != b for a, b in pairwise(said)), "published only when it changed"


async def _at_least(collection, query: dict, count: int) -> list[dict] | None:
    documents = await collection.find(query).to_list()
    return documents if len(documents) >= count else None


async def test_bad_webhooks_and_preferences_get_a_422_with_a_specific_code(intake, notification, dbs):
    agency = register_agency(intake)
    nip = agency.employee()
    await known(dbs, agency, nip)

    def refused(body: dict, headers=agency.auth) -> str:
        response = notification.post("/v1/webhooks", json=body, headers=headers)
        assert response.status_code == 422, response.text
        return response.json()["error"]["code"]

    good = {"url": "https://93.184.216.34/hook", "event_types": [SCORE_TOPIC]}
    assert refused({**good, "url": "ftp://93.184.216.34/hook"}) == "invalid_webhook_url"
    assert refused({**good, "url": "not a url"}) == "invalid_webhook_url"
    assert refused({**good, "event_types": ["kinerja.score.computed.v9"]}) == "unknown_event_type"
    assert refused({**good, "url": "http://127.0.0.1:8004/hook"}) == "private_address"
    assert refused({**good, "url": "http://10.1.2.3/hook"}) == "private_address"
    assert refused({**good, "url": "http://169.254.169.254/latest/meta-data"}) == "private_address"
    assert refused({**good, "url": "http://[::1]/hook"}, headers=ADMIN) == "private_address"
    allow = notification.post("/v1/webhooks", json={**good, "allow_private": True}, headers=agency.auth)
    assert allow.status_code == 403 and allow.json()["error"]["code"] == "allow_private_admin_only"

    unknown = random_nip()
    response = notification.put(f"/v1/people/{unknown}/preferences", json={"language": "en"}, headers=agency.auth)
    assert response.status_code == 422 and response.json()["error"]["code"] == "unknown_person"
    webhook = notification.put(f"/v1/people/{nip}/preferences", json={"channels": ["webhook"]}, headers=agency.auth)
    assert webhook.status_code == 422 and webhook.json()["error"]["code"] == "invalid_channel"
    chosen = {"channels": ["inbox"], "language": "en", "digest": True}
    assert notification.put(f"/v1/people/{nip}/preferences", json=chosen, headers=agency.auth).status_code == 200
    read = notification.get(f"/v1/people/{nip}/preferences", headers=agency.auth).json()
    assert (read["channels"], read["language"], read["digest"]) == (["inbox"], "en", True)
    other = register_agency(intake)
    await known(dbs, other)
    foreign = notification.get(f"/v1/people/{nip}/preferences", headers=other.auth)
    assert foreign.status_code == 422 and foreign.json()["error"]["code"] == "unknown_person"
    contacts = [{"nama": "BKPSDM", "email": "bkpsdm@mail.test"}]
    assert (
        notification.put(f"/v1/agencies/{agency.agency_id}/hr-contacts", json=contacts, headers=other.auth).status_code
        == 403
    )
    bad_mail = notification.put(
        f"/v1/agencies/{agency.agency_id}/hr-contacts", json=[{"nama": "X", "email": "nope"}], headers=agency.auth
    )
    assert bad_mail.status_code == 422


# --- E-mail -------------------------------------------------------------------------------------------------------


async def _count(collection, query: dict, count: int) -> list[dict] | None:
    documents = await collection.find(query).to_list()
    return documents if len(documents) == count else None


async def _failing(collection, query: dict, count: int) -> list[dict] | None:
    documents = await collection.find({**query, "status": {"$in": ["pending", "sending"]}}).to_list()
    failed = [d for d in documents if d.get("attempts", 0) >= 1 and d.get("last_error")]
    return failed if len(failed) == count else None


async def _elapsed(since: float, seconds: float) -> bool:
    return time.monotonic() - since >= seconds


async def test_mail_held_while_smtp_is_down_for_30_s_arrives_once_when_it_is_back(intake, dbs, smtp_sink):
    agency = register_agency(intake)
    atasan = person(agency)
    nip = person(agency, atasan=atasan)
    await known(dbs, agency, atasan, nip)
    agency.skp(nip)
    deliveries = dbs["notification"].deliveries
    query = {"channel": "email", "agency_id": agency.agency_id}
    smtp_sink.stop()
    down_since = time.monotonic()
    try:
        submit(agency, nip, short=True)
        # The score and the coaching, each to the employee and to the atasan: each tried and failed.
        await eventually(lambda: _failing(deliveries, query, 4), what="mails failing while SMTP is down")
        await eventually(lambda: _elapsed(down_since, 30), timeout_s=60, interval_s=1, what="SMTP down for 30 s")
        assert not smtp_sink.mails(to=email_of(nip)) and not smtp_sink.mails(to=email_of(atasan))
    finally:
        smtp_sink.start()
    sent = await eventually(
        lambda: _all(deliveries, query, 4, status="sent"), timeout_s=300, interval_s=1, what="every mail sent"
    )
    assert all(d["attempts"] >= 2 for d in sent)
    expected = Counter(f"<{d['_id']}@kinerja>" for d in sent)
    mails = [m for m in smtp_sink.mails() if m.message_id in expected]
    assert Counter(m.message_id for m in mails) == expected, "every mail arrived, none twice"
    assert sorted(m.to for m in mails) == sorted([(email_of(nip),), (email_of(atasan),)] * 2)
    notices = await eventually(lambda: _sent_notices(dbs, channel="email", ids={d["_id"] for d in sent}))
    assert len(notices) == 4


async def test_a_duplicated_score_event_is_told_once_per_recipient_and_channel(
    backend, intake, notification, dbs, smtp_sink, receivers
):
    agency = register_agency(intake)
    atasan = person(agency)
    nip = person(agency, atasan=atasan)
    await known(dbs, agency, atasan, nip)
    receiver = receivers()
    subscription = subscribe(notification, receiver, agency)
    agency.skp(nip)
    submit(agency, nip, month=10)
    [(event_id, value)] = (await score_events(dbs, [nip])).items()
    inbox, deliveries = dbs["notification"].notifications, dbs["notification"].deliveries
    await eventually(lambda: _count(inbox, {"about_event_id": event_id}, 2), what="the score told")

    await publish(backend, SCORE_TOPIC, (nip, value), (nip, value))  # the same event, twice more
    submit(agency, nip, month=11)  # after them on the employee's partition: once it is told, they were handled
    marker = next(i for i in await score_events(dbs, [nip], count=2) if i != event_id)
    await eventually(lambda: _count(inbox, {"about_event_id": marker}, 2), what="the next score told")

    items = await inbox.find({"about_event_id": event_id}).to_list()
    assert sorted((i["recipient_role"], i["recipient_nip"]) for i in items) == [("atasan", atasan), ("pegawai", nip)]
    mails = await eventually(
        lambda: _all(deliveries, {"event_id": event_id, "channel": "email"}, 2, status="sent"), what="two mails"
    )
    for delivery in mails:
        assert [m.to for m in smtp_sink.mails() if m.message_id == f"<{delivery['_id']}@kinerja>"] == [
            (delivery["payload"]["to"],)
        ]
    [hook] = await eventually(
        lambda: _all(deliveries, {"event_id": event_id, "channel": "webhook"}, 1, status="sent"), what="one webhook"
    )
    assert hook["recipient_key"] == subscription["id"]
    assert [e["id"] for got in receiver.accepted_events().values() for e in got].count(event_id) == 1


# --- Deadlines ----------------------------------------------------------------------------------------------------


def _month(day: date) -> tuple[str, date, date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return f"{day.year}-{day.month:02d}", day.replace(day=1), day.replace(day=last)


def _opened(agency_id: str, day: date, deadline: datetime) -> PeriodOpened:
    period_id, start, end = _month(day)
    return PeriodOpened(
        agency_id=agency_id,
        period_id=period_id,
        skema="bulanan",
        type="bulanan",
        start=start,
        end=end,
        deadline=deadline,
        tenggat_hari=0,
    )


def _report(agency_id: str, nip: str, day: date) -> ReportSubmitted:
    _, start, end = _month(day)
    return ReportSubmitted.model_validate(
        {
            "report_id": f"{agency_id}/r-{uuid.uuid4().hex[:12]}",
            "agency_id": agency_id,
            "nip": nip,
            "skp_id": f"skp-{nip}",
            "period": {"type": "bulanan", "start": start.isoformat(), "end": end.isoformat()},
            "indicators": [{**row, "realisasi": row["target"]} for row in ROWS],
            "perilaku": dict.fromkeys(BERAKHLAK, "sesuai_ekspektasi"),
            "submitted_at": datetime.now(UTC),
        }
    )


def _event(spec: EventSpec, data: Any, subject: str) -> tuple[str, bytes]:
    built = spec.envelope(data=data, subject=subject, source="tests", correlationid=str(uuid.uuid4()))
    return built.id, built.model_dump_json().encode()


async def test_reminders_go_out_before_a_deadline_and_hr_hears_after_it_once_each(
    backend, intake, notification, dbs, smtp_sink
):
    agency = register_agency(intake)
    atasan = person(agency)
    late, diligent = person(agency, atasan=atasan), person(agency, atasan=atasan)
    await known(dbs, agency, atasan, late, diligent)
    hr = {"nama": "BKPSDM Uji", "email": f"bkpsdm.{agency.agency_id}@mail.test"}
    contacts = notification.put(f"/v1/agencies/{agency.agency_id}/hr-contacts", json=[hr], headers=agency.auth)
    assert contacts.status_code == 200, contacts.text
    today = datetime.now(WIB).date()
    _, report = _event(REPORT_SUBMITTED, _report(agency.agency_id, diligent, today), diligent)
    await publish(backend, REPORT_SUBMITTED.topic, (diligent, report))
    await eventually(lambda: dbs["notification"].reported.find_one({"nip": diligent}), what="the report known")

    deadline = datetime.now(UTC) + timedelta(seconds=12)
    opened_id, opened = _event(PERIOD_OPENED, _opened(agency.agency_id, today, deadline), agency.agency_id)
    await publish(backend, PERIOD_OPENED.topic, (agency.agency_id, opened))
    inbox, deliveries = dbs["notification"].notifications, dbs["notification"].deliveries
    reminders = await eventually(
        lambda: _count(inbox, {"agency_id": agency.agency_id, "kind": "deadline_reminder"}, 3), what="reminders"
    )
    assert sorted((i["recipient_role"], i["recipient_nip"]) for i in reminders) == sorted(
        [("pegawai", late), ("atasan", atasan), ("pegawai", atasan)]  # the atasan has not reported either
    )
    assert all(datetime.fromisoformat(i["sent_at"]) < deadline for i in reminders), "before the deadline"
    assert all(i["about_event_id"] == opened_id for i in reminders)

    missed = {"agency_id": agency.agency_id, "kind": "deadline_missed", "channel": "email"}
    [notice] = await eventually(
        lambda: _all(deliveries, {**missed, "event_id": opened_id}, 1, status="sent"), what="HR told after it"
    )
    assert notice["created_at"].replace(tzinfo=UTC) > deadline and notice["payload"]["to"] == hr["email"]
    [mail] = [m for m in smtp_sink.mails(to=hr["email"]) if m.message_id == f"<{notice['_id']}@kinerja>"]
    assert late in mail.text and atasan in mail.text and diligent not in mail.text

    # Once each: a period whose deadline has passed, noticed in a later round of the same job.
    earlier = today.replace(day=1) - timedelta(days=1)
    marker_id, marker = _event(PERIOD_OPENED, _opened(agency.agency_id, earlier, datetime.now(UTC)), agency.agency_id)
    await publish(backend, PERIOD_OPENED.topic, (agency.agency_id, marker))
    await eventually(lambda: _count(deliveries, {**missed, "event_id": marker_id}, 1), what="the later round")
    assert len(await inbox.find({"agency_id": agency.agency_id, "kind": "deadline_reminder"}).to_list()) == 3
    assert len(await deliveries.find({**missed, "event_id": opened_id}).to_list()) == 1
    reminded = {i["_id"] for i in reminders}
    notices = await eventually(lambda: _sent_notices(dbs, channel="inbox", ids=reminded), what="sent events")
    assert Counter(n["notification_id"] for n in notices) == Counter(reminded)


# --- Coaching -----------------------------------------------------------------------------------------------------


async def test_coaching_required_reaches_the_employee_the_atasan_and_hr(backend, intake, notification, dbs):
    agency = register_agency(intake)
    atasan, officer = person(agency), person(agency)
    nip = person(agency, atasan=None)  # the atasan comes from the event
    await known(dbs, agency, atasan, officer, nip)
    hr = {"nama": "BKPSDM Uji", "email": f"bkpsdm.{agency.agency_id}@mail.test", "nip": officer}
    assert notification.put(f"/v1/agencies/{agency.agency_id}/hr-contacts", json=[hr], headers=agency.auth).is_success
    reason = "Predikat kinerja periode 2026-10: Kurang (rating hasil kerja Di Bawah Ekspektasi)."
    coaching = CoachingRequired(
        agency_id=agency.agency_id,
        nip=nip,
        atasan_nip=atasan,
        report_id=f"{agency.agency_id}/r-{uuid.uuid4().hex[:12]}",
        period_id="2026-10",
        predikat=Predikat.KURANG,
        reasons=[reason],
        required_at=datetime.now(UTC),
    )
    event_id, value = _event(COACHING_REQUIRED, coaching, nip)
    await publish(backend, COACHING_REQUIRED.topic, (nip, value))

    told = {"about_event_id": event_id}
    items = await eventually(lambda: _count(dbs["notification"].notifications, told, 4), what="coaching told")
    assert sorted((i["recipient_role"], i["recipient_nip"] or "") for i in items) == sorted(
        [("pegawai", nip), ("atasan", atasan), ("hr", officer), ("operator_instansi", "")]
    )
    assert all(i["kind"] == "coaching" and reason in i["pesan"] for i in items)
    page = notification.get(f"/v1/inbox/{nip}", headers=agency.auth).json()["items"]
    assert [i["kind"] for i in page] == ["coaching"] and "Oktober 2026" in page[0]["judul"]


# --- The inbox ----------------------------------------------------------------------------------------------------


async def test_the_inbox_is_read_with_the_agency_key_or_a_signed_link_that_expires(intake, notification, dbs, platform):
    agency, other = register_agency(intake), register_agency(intake)
    nip, colleague = person(agency), person(agency)
    await known(dbs, agency, nip, colleague)
    await known(dbs, other)
    agency.skp(nip)
    submit(agency, nip, short=True)
    notices = dbs["notification"].notifications
    await eventually(lambda: _count(notices, {"recipient_nip": nip}, 2), what="score, coaching")

    page = notification.get(f"/v1/inbox/{nip}", headers=agency.auth)
    assert page.status_code == 200, page.text
    items = page.json()["items"]
    assert sorted(i["kind"] for i in items) == ["coaching", "score"] and all(i["read_at"] is None for i in items)
    assert notification.get(f"/v1/inbox/{nip}/unread-count", headers=agency.auth).json()["unread"] == 2
    first = notification.get(f"/v1/inbox/{nip}", params={"limit": 1}, headers=agency.auth).json()
    second = notification.get(
        f"/v1/inbox/{nip}", params={"limit": 1, "cursor": first["next_cursor"]}, headers=agency.auth
    ).json()
    assert [i["id"] for i in first["items"] + second["items"]] == [i["id"] for i in items]
    read = notification.post(f"/v1/inbox/{nip}/items/{items[0]['id']}/read", headers=agency.auth)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert notification.get(f"/v1/inbox/{nip}/unread-count", headers=agency.auth).json()["unread"] == 1
    assert notification.get(f"/v1/inbox/{nip}", headers=other.auth).json()["error"]["code"] == "person_not_found"
    assert notification.get(f"/v1/inbox/{nip}").status_code == 401
    admin = notification.get("/v1/notifications", params={"nip": nip}, headers=ADMIN).json()
    assert {n["about_event_type"] for n in admin} == {"kinerja.score.computed", "kinerja.coaching.required"}

    link = notification.post(f"/v1/inbox/{nip}/links", headers=agency.auth)
    assert link.status_code == 201, link.text
    url = link.json()["url"]
    assert platform.extra_env["KINERJA_SECRET_KEY"] not in url
    token = dict(p.split("=", 1) for p in urlsplit(url).query.split("&"))["token"]
    assert [i["id"] for i in notification.get(url).json()["items"]] == [i["id"] for i in items]
    by_link = {"token": token}
    assert notification.get(f"/v1/inbox/{nip}/unread-count", params=by_link).json()["unread"] == 1
    assert notification.post(f"/v1/inbox/{nip}/items/{items[1]['id']}/read", params=by_link).status_code == 200
    assert notification.get(f"/v1/inbox/{nip}/unread-count", params=by_link).json()["unread"] == 0
    moved = notification.get(f"/v1/inbox/{colleague}", params=by_link)
    assert moved.status_code == 401 and moved.json()["error"]["code"] == "inbox_link_invalid"
    forged = notification.get(f"/v1/inbox/{nip}", params={"token": token[:-2] + "AA"})
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "inbox_link_invalid"
    assert notification.post(f"/v1/inbox/{nip}/links", headers=other.auth).status_code == 404
    too_long = notification.post(f"/v1/inbox/{nip}/links", json={"expires_in_s": 31 * 86400}, headers=agency.auth)
    assert too_long.status_code == 422

    short = notification.post(f"/v1/inbox/{nip}/links", json={"expires_in_s": 1}, headers=agency.auth).json()

    async def expired():
        answer = notification.get(short["url"])
        return answer.status_code == 401 and answer.json()["error"]["code"] == "inbox_link_expired"

    await eventually(expired, timeout_s=10, what="the short link expired")


async def test_a_digest_recipient_gets_one_mail_for_the_days_messages(intake, notification, dbs, smtp_sink):
    from services.notification.digests import send_digests
    from services.notification.domain.digest import latest_digest_time
    from shared.messaging.unit_of_work import UnitOfWork

    agency = register_agency(intake)
    nip = person(agency)
    await known(dbs, agency, nip)
    chosen = {"channels": ["inbox", "email"], "digest": True}
    assert notification.put(f"/v1/people/{nip}/preferences", json=chosen, headers=agency.auth).status_code == 200
    agency.skp(nip)
    submit(agency, nip, short=True)  # a score and a coaching message
    held = dbs["notification"].digest_items
    await eventually(lambda: _count(held, {"recipient_key": nip, "digest_id": None}, 2), what="two messages held")
    assert not await dbs["notification"].deliveries.find_one({"agency_id": agency.agency_id, "channel": "email"})

    db = dbs["notification"]
    tomorrow = latest_digest_time(datetime.now(UTC) + timedelta(days=1))
    assert await send_digests(db, tomorrow, datetime.now(UTC), lambda: UnitOfWork(db, source="tests")) >= 1
    assert await send_digests(db, tomorrow, datetime.now(UTC), lambda: UnitOfWork(db, source="tests")) == 0
    mails = await eventually(lambda: _mails(smtp_sink, email_of(nip), 1), what="the digest")
    assert "2" in mails[0].subject and len(await held.find({"recipient_key": nip, "digest_id": None}).to_list()) == 0


async def _mails(sink, to: str, count: int):
    mails = sink.mails(to=to)
    return mails if len(mails) == count else None


async def test_hr_hears_of_a_broken_curve_once_until_what_it_breaks_changes(intake, notification, dbs, smtp_sink):
    agency = register_agency(intake)
    first, second = person(agency), person(agency)
    await known(dbs, agency, first, second)
    hr = {"nama": "BKPSDM Uji", "email": f"bkpsdm.{agency.agency_id}@mail.test", "language": "en"}
    assert notification.put(f"/v1/agencies/{agency.agency_id}/hr-contacts", json=[hr], headers=agency.auth).is_success
    too_many = [hr] * 51
    assert (
        notification.put(f"/v1/agencies/{agency.agency_id}/hr-contacts", json=too_many, headers=agency.auth).status_code
        == 422
    )
    deliveries, states = dbs["notification"].deliveries, dbs["notification"].distribution_states
    flagged = {"agency_id": agency.agency_id, "kind": "distribution_violation"}
    for nip in (first, second):  # everyone Baik: more than the curve allows, and nobody below
        agency.skp(nip)
        submit(agency, nip)
    scope = {"_id": f"{agency.agency_id}/2026-10", "employees": 2}
    await eventually(lambda: states.find_one(scope), what="the distribution of both scores seen")
    [told] = await eventually(lambda: _all(deliveries, flagged, 1, status="sent"), what="HR told once")
    assert told["payload"]["to"] == hr["email"]
    [mail] = [m for m in smtp_sink.mails(to=hr["email"]) if m.message_id == f"<{told['_id']}@kinerja>"]
    assert "70" in mail.text  # the curve's limit, in HR's own language
