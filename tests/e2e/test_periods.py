"""Reporting periods on the real stack: declared per year, closed by an admin or by the clock, reopened.

Years are relative to today, so the tests mean the same thing every year: next year's periods are all open,
last year's (with tenggat 0) are all past their deadline.
"""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shared.contracts import PERIOD_CLOSED, PERIOD_OPENED, PERIOD_REOPENED
from tests.conftest import eventually, outbox_records

from .api import ADMIN, Agency, register_agency
from .topics import agency_events

pytestmark = pytest.mark.e2e

THIS_YEAR = datetime.now(UTC).year
NEXT_YEAR, LAST_YEAR = THIS_YEAR + 1, THIS_YEAR - 1


def declare(agency: Agency, tahun: int, skema: str, **extra: int) -> httpx.Response:
    return agency.client.put(f"/v1/periods/{tahun}", json={"skema": skema, **extra}, headers=agency.auth)


def admin(intake: httpx.Client, agency: Agency, period_id: str, action: str, body: dict, **headers: str):
    url = f"/v1/admin/agencies/{agency.agency_id}/periods/{period_id}/{action}"
    return intake.post(url, json=body, headers={**ADMIN, **headers})


def statuses(body: dict) -> dict[str, str]:
    return {p["period_id"]: p["status"] for p in body["periods"]}


async def outbox(db, topic: str, agency: Agency) -> list[dict]:
    return await outbox_records(db, topic=topic, key=agency.agency_id.encode())


async def all_sent(db, topic: str, agency: Agency, count: int) -> bool:
    entries = await outbox(db, topic, agency)
    return len(entries) == count and all(e["status"] == "sent" for e in entries)


async def read_topic(bootstrap: str, topic: str, agency: Agency, count: int) -> list[dict]:
    """The agency's events on a topic as any Kafka client reads them: from the beginning, keyed by agency id."""
    return await agency_events(
        bootstrap, topic, agency.agency_id, lambda found: len(found) >= count, f"{count} events on {topic}"
    )


async def test_declaring_a_scheme_generates_and_publishes_the_periods_of_the_year(intake, dbs, backend):
    agency = register_agency(intake)

    response = declare(agency, NEXT_YEAR, "bulanan")

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["agency_id"], body["tahun"], body["skema"], body["tenggat_hari"]) == (
        agency.agency_id,
        NEXT_YEAR,
        "bulanan",
        5,
    )
    ids = [f"{NEXT_YEAR}-{m:02d}" for m in range(1, 13)] + [str(NEXT_YEAR)]
    assert [p["period_id"] for p in body["periods"]] == ids
    assert set(statuses(body).values()) == {"open"}
    december, annual = body["periods"][11], body["periods"][12]
    assert (december["type"], december["start"], december["end"]) == (
        "bulanan",
        f"{NEXT_YEAR}-12-01",
        f"{NEXT_YEAR}-12-31",
    )
    # 5 days after 31 December, at 23:59:59 in Jakarta (UTC+7).
    assert datetime.fromisoformat(december["deadline"]) == datetime(NEXT_YEAR + 1, 1, 5, 16, 59, 59, tzinfo=UTC)
    assert (annual["type"], annual["start"], annual["end"]) == ("tahunan", f"{NEXT_YEAR}-01-01", f"{NEXT_YEAR}-12-31")
    assert intake.get(f"/v1/periods/{NEXT_YEAR}", headers=agency.auth).json() == body

    await eventually(lambda: all_sent(dbs["intake"], PERIOD_OPENED.topic, agency, 13), what="13 opened events sent")
    events = await read_topic(backend.kafka_bootstrap, PERIOD_OPENED.topic, agency, 13)
    assert sorted(e["data"]["period_id"] for e in events) == sorted(ids)
    assert {(e["subject"], e["data"]["skema"], e["data"]["tenggat_hari"]) for e in events} == {
        (agency.agency_id, "bulanan", 5)
    }

    again = declare(agency, NEXT_YEAR, "bulanan", tenggat_hari=5)  # the same scheme: nothing changes
    assert again.status_code == 200 and again.json() == body
    assert len(await outbox(dbs["intake"], PERIOD_OPENED.topic, agency)) == 13

    # Nothing has closed yet, so the agency may still change its mind.
    changed = declare(agency, NEXT_YEAR, "triwulanan", tenggat_hari=10)
    assert changed.status_code == 200, changed.text
    assert list(statuses(changed.json())) == [f"{NEXT_YEAR}-q{n}" for n in range(1, 5)] + [str(NEXT_YEAR)]
    await eventually(lambda: all_sent(dbs["intake"], PERIOD_OPENED.topic, agency, 18), what="5 more opened events")
    assert intake.get(f"/v1/periods/{NEXT_YEAR}", headers=agency.auth).json() == changed.json()


def test_periods_are_the_agencys_own_and_checked_on_the_way_in(intake):
    agency, other = register_agency(intake), register_agency(intake)
    assert declare(agency, NEXT_YEAR, "semesteran").status_code == 200

    missing = intake.get(f"/v1/periods/{NEXT_YEAR}", headers=other.auth)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "period_scheme_not_found"
    assert intake.get(f"/v1/periods/{NEXT_YEAR}").status_code == 401
    for bad in ({"skema": "tahunan"}, {"skema": "bulanan", "tenggat_hari": 91}, {"skema": "bulanan", "x": 1}):
        response = agency.client.put(f"/v1/periods/{NEXT_YEAR}", json=bad, headers=agency.auth)
        assert response.status_code == 422 and response.json()["error"]["code"] == "validation_failed", bad
    assert declare(agency, 1999, "bulanan").status_code == 422
    assert admin(intake, other, f"{NEXT_YEAR}-s1", "close", {"alasan": "x"}).json()["error"]["code"] == (
        "period_not_found"
    )
    assert (
        intake.post(
            f"/v1/admin/agencies/{agency.agency_id}/periods/{NEXT_YEAR}-s1/close",
            json={"alasan": "x"},
            headers=agency.auth,
        ).status_code
        == 401
    )  # an agency's key is not the administrator's


async def test_an_admin_closes_and_reopens_a_period_audited_and_published(intake, dbs, backend):
    agency = register_agency(intake)
    assert declare(agency, NEXT_YEAR, "triwulanan").status_code == 200
    q1, correlation = f"{NEXT_YEAR}-q1", f"e2e-periods-{uuid.uuid4().hex[:8]}"

    assert admin(intake, agency, q1, "close", {"alasan": "  "}).status_code == 422  # a reason is required
    closed = admin(intake, agency, q1, "close", {"alasan": "Penilaian difinalkan"}, **{"X-Correlation-Id": correlation})

    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["closed_by"]) == ("closed", "admin")
    listed = intake.get(f"/v1/periods/{NEXT_YEAR}", headers=agency.auth).json()
    assert statuses(listed)[q1] == "closed" and statuses(listed)[f"{NEXT_YEAR}-q2"] == "open"
    [entry] = await dbs["intake"].period_audit.find({"agency_id": agency.agency_id}).to_list()
    assert (entry["period_id"], entry["action"], entry["who"], entry["alasan"]) == (
        q1,
        "close",
        "admin",
        "Penilaian difinalkan",
    )
    assert entry["correlation_id"] == correlation and entry["at"] is not None
    [event] = await read_topic(backend.kafka_bootstrap, PERIOD_CLOSED.topic, agency, 1)
    assert (event["data"]["period_id"], event["data"]["by"], event["correlationid"]) == (q1, "admin", correlation)
    again = admin(intake, agency, q1, "close", {"alasan": "sekali lagi"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "period_already_closed"
    locked = declare(agency, NEXT_YEAR, "bulanan")
    assert locked.status_code == 409 and locked.json()["error"]["code"] == "period_scheme_locked"

    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    refused = admin(intake, agency, q1, "reopen", {"alasan": "Gangguan jaringan", "sampai": past})
    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "sampai"
    not_closed = admin(intake, agency, f"{NEXT_YEAR}-q2", "reopen", {"alasan": "x", "sampai": "2100-01-01T00:00:00"})
    assert not_closed.status_code == 409 and not_closed.json()["error"]["code"] == "period_not_closed"
    until = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    reopened = admin(intake, agency, q1, "reopen", {"alasan": "Gangguan jaringan", "sampai": until.isoformat()})

    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "reopened"
    assert datetime.fromisoformat(reopened.json()["reopened_until"]) == until
    assert statuses(intake.get(f"/v1/periods/{NEXT_YEAR}", headers=agency.auth).json())[q1] == "reopened"
    audit = await dbs["intake"].period_audit.find({"agency_id": agency.agency_id}).sort("at", 1).to_list()
    assert [(a["action"], a["who"], a["alasan"]) for a in audit] == [
        ("close", "admin", "Penilaian difinalkan"),
        ("reopen", "admin", "Gangguan jaringan"),
    ]
    assert audit[1]["reopened_until"] == until
    [event] = await read_topic(backend.kafka_bootstrap, PERIOD_REOPENED.topic, agency, 1)
    assert event["data"] == {
        "agency_id": agency.agency_id,
        "period_id": q1,
        "reopened_until": until.isoformat().replace("+00:00", "Z"),
        "alasan": "Gangguan jaringan",
        "by": "admin",
    }


async def test_the_clock_closes_periods_whose_deadline_has_passed(intake, dbs, backend):
    agency = register_agency(intake)

    response = declare(agency, LAST_YEAR, "triwulanan", tenggat_hari=0)

    assert response.status_code == 200, response.text
    ids = [f"{LAST_YEAR}-q{n}" for n in range(1, 5)] + [str(LAST_YEAR)]
    assert statuses(response.json()) == dict.fromkeys(ids, "closed")  # past the deadline: closed from the start

    async def closed_by_the_clock():
        stored = await dbs["intake"].period_schemes.find_one({"_id": f"{agency.agency_id}/{LAST_YEAR}"})
        periods = stored["periods"]
        return all(p["status"] == "closed" and p["closed_by"] == "deadline" for p in periods) and stored

    stored = await eventually(closed_by_the_clock, timeout_s=30, what="periods closed by the clock")
    assert stored["next_close_at"] is None
    listed = intake.get(f"/v1/periods/{LAST_YEAR}", headers=agency.auth).json()
    assert {(p["status"], p["closed_by"]) for p in listed["periods"]} == {("closed", "deadline")}
    events = await read_topic(backend.kafka_bootstrap, PERIOD_CLOSED.topic, agency, 5)
    assert sorted(e["data"]["period_id"] for e in events) == sorted(ids)
    assert {e["data"]["by"] for e in events} == {"deadline"}
    audit = await dbs["intake"].period_audit.find({"agency_id": agency.agency_id}).to_list()
    assert sorted(a["period_id"] for a in audit) == sorted(ids)
    assert {(a["action"], a["who"]) for a in audit} == {("close", "period_clock")}

    locked = declare(agency, LAST_YEAR, "bulanan")
    assert locked.status_code == 409 and locked.json()["error"]["code"] == "period_scheme_locked"
    assert "sudah pernah ditutup" in locked.json()["error"]["message"]

    # Reopened until a moment that passes during the test: the clock closes it again.
    until = datetime.now(UTC) + timedelta(seconds=3)
    reopened = admin(intake, agency, str(LAST_YEAR), "reopen", {"alasan": "Koreksi", "sampai": until.isoformat()})
    assert reopened.status_code == 200, reopened.text

    async def closed_again():
        stored = await dbs["intake"].period_schemes.find_one({"_id": f"{agency.agency_id}/{LAST_YEAR}"})
        annual = next(p for p in stored["periods"] if p["period_id"] == str(LAST_YEAR))
        return annual["status"] == "closed" and annual["closed_at"] > until

    await eventually(closed_again, timeout_s=30, what="the reopened period closed again by the clock")
    await eventually(lambda: all_sent(dbs["intake"], PERIOD_CLOSED.topic, agency, 6), what="the second closing sent")


async def test_a_closed_period_rejects_reports_and_a_reopened_one_accepts_them(intake, dbs):
    agency = register_agency(intake)
    nip = agency.employee()
    agency.skp(nip)
    assert declare(agency, 2026, "bulanan", tenggat_hari=5).status_code == 200  # October closed on 5 November
    july = agency.report_body(nip, month=7)
    refused = agency.submit(july)
    assert refused.status_code == 422
    assert [d["code"] for d in refused.json()["error"]["details"]] == ["period_closed"]
    quarterly = {
        **agency.report_body(nip),
        "period": {"type": "triwulanan", "start": "2026-10-01", "end": "2026-12-31"},
    }
    assert agency.submit(quarterly).json()["error"]["details"][0]["code"] == "period_not_in_scheme"

    until = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)

    async def reopen():  # the clock may be closing the past periods at this very moment: a 409 says try again
        answer = admin(
            intake, agency, "2026-07", "reopen", {"alasan": "Server dinas mati", "sampai": until.isoformat()}
        )
        assert answer.status_code in (200, 409), answer.text
        return answer.status_code == 200

    await eventually(reopen, what="July reopened")
    accepted = agency.submit(july)  # the same report again: checked again, now the period is open
    assert accepted.status_code == 202, accepted.text
    audit = await dbs["intake"].period_audit.find({"agency_id": agency.agency_id, "period_id": "2026-07"}).to_list()
    assert [a["action"] for a in audit][-1] == "reopen" and audit[-1]["alasan"] == "Server dinas mati"
