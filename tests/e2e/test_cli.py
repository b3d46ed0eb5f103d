"""The operator CLI against the running platform, as an operator runs it (a child process): `status` shows a
stopped consumer's lag rising and falling; `dlq replay` brings a dead-lettered report back through scoring once;
`submit` summarises a sheet's rejected rows; `keys` issue a key shown once; `rescore` follows its job."""

import asyncio
import os
import re
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from services.scoring.domain import national_policy
from shared.contracts import PERIOD_OPENED
from shared.contracts.periods import PeriodOpened
from tests.conftest import eventually, outbox_records

from .api import ADMIN, register_agency

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def kinerja(platform, backend):
    """Runs `kinerja ...` pointed at the test platform: its URLs, broker and consumer groups."""
    env = {
        **os.environ,  # with the platform's KINERJA_ADMIN_TOKEN
        "KINERJA_KAFKA_BOOTSTRAP": backend.kafka_bootstrap,
        "KINERJA_GROUP_PREFIX": platform.extra_env["KINERJA_GROUP_PREFIX"],
        "COLUMNS": "250",  # one table row per line
        **{f"KINERJA_{name.upper()}_URL": platform.url(name) for name in platform.services},
    }

    async def run(*args: str) -> Ran:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "devtools.cli",
            *args,
            env=env,
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
        ran = Ran(process.returncode, stdout.decode(), stderr.decode())
        assert "Traceback" not in ran.stdout + ran.stderr, ran
        return ran

    return run


@pytest.fixture(scope="module")
def scoring(platform):
    with httpx.Client(base_url=platform.url("scoring"), headers=ADMIN, timeout=30) as client:
        yield client


def cell(stdout: str, row: str, column: int) -> str | None:
    """A table cell: the `column`th (from 0) of the line whose first cell is `row`."""
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip("│").split("│")]
        if cells and cells[0] == row:
            return cells[column]
    return None


async def test_status_shows_a_stopped_consumers_lag_rising_and_falling_when_it_returns(platform, intake, kinerja):
    group = f"{platform.extra_env['KINERJA_GROUP_PREFIX']}-scoring"
    agency = register_agency(intake)
    nips = [agency.employee() for _ in range(5)]
    for nip in nips:
        agency.skp(nip)

    async def lag() -> int | None:
        ran = await kinerja("status")
        assert cell(ran.stdout, "scoring", 2) == group, ran.stdout
        value = cell(ran.stdout, "scoring", 3)
        return int(value) if value and value.isdigit() else None

    async def lag_above(floor: int) -> int | None:
        value = await lag()
        return value if value is not None and value > floor else None

    async def caught_up() -> bool:
        return await lag() == 0

    await eventually(caught_up, timeout_s=90, what="scoring caught up before the test")
    consumer = platform.processes["scoring"]
    consumer.stop()
    try:
        stopped = await kinerja("status")
        assert stopped.code == 1
        assert cell(stopped.stdout, "scoring", 1) == "unreachable"
        assert f"scoring: nothing answers at {platform.url('scoring')}" in stopped.stdout
        for nip in nips[:2]:
            assert agency.submit(agency.report_body(nip)).status_code == 202
        first = await eventually(lambda: lag_above(1), what="the stopped group's lag")
        for nip in nips[2:]:
            assert agency.submit(agency.report_body(nip)).status_code == 202
        second = await eventually(lambda: lag_above(first + 2), what="the lag growing")
        assert second >= first + 3
    finally:
        if not consumer.running:
            consumer.start()
            platform.wait_ready("scoring")
    await eventually(caught_up, timeout_s=90, what="the lag back to 0")
    assert (await kinerja("status")).code == 0


async def _dead_letter_of(kinerja, nip: str) -> str:
    """The id of the dead letter of this employee's report, as `kinerja dlq list` shows it."""

    async def listed():
        ran = await kinerja("dlq", "list", "--topic", "report.submitted")
        row = next((line for line in ran.stdout.splitlines() if nip in line), None)
        return row

    row = await eventually(listed, what=f"the dead letter of {nip}'s report")
    cells = [c.strip() for c in row.strip().strip("│").split("│")]
    assert cells[1:4] == ["report.submitted", nip, "processing_failed"] and cells[5] == "no", row
    return cells[0]


async def test_a_dead_lettered_report_replayed_is_scored_exactly_once(backend, intake, scoring, dbs, kinerja):
    """Scoring cannot read the agency's stored policy (as after a rollback to a scoring that predates its
    shape): each try fails, and the report is dead-lettered. Once a policy it reads is published, the replay
    scores the report, once; a second replay is refused, and one forced with --again changes nothing."""
    agency = register_agency(intake)
    nip = agency.employee()
    agency.skp(nip)
    unreadable = f"masa-depan-{uuid.uuid4().hex[:8]}"
    policy = {"_id": agency.agency_id, "version": unreadable, "policy": {"version": unreadable, "skema": 2}}
    await dbs["scoring"].current_policies.insert_one(policy)
    body = agency.report_body(nip)
    assert agency.submit(body).status_code == 202
    reference = agency.reference(body)

    dead_letter = await _dead_letter_of(kinerja, nip)
    assert scoring.get(f"/v1/scores/{reference}").status_code == 404
    shown = await kinerja("dlq", "show", dead_letter[:16])
    assert "kinerja_dlq_reason" in shown.stdout and "ValidationError" in shown.stdout and reference in shown.stdout

    published = scoring.post(
        f"/v1/agencies/{agency.agency_id}/policies", json=national_policy().model_dump(mode="json")
    )
    assert published.status_code == 201, published.text
    replayed = await kinerja("dlq", "replay", dead_letter)
    assert replayed.code == 0, replayed
    event_id = re.search(r"as event (\S+)", replayed.stdout)[1]

    score = await eventually(lambda: _score(scoring, reference), what="the replayed report scored")
    assert score["revision"] == 1 and score["policy_version"] == f"{agency.agency_id}@1"
    assert await dbs["scoring"].inbox.find_one({"_id": event_id})

    refused = await kinerja("dlq", "replay", dead_letter)
    assert refused.code == 1 and "replayed already" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    listed = await kinerja("dlq", "list", "--topic", "report.submitted")
    assert cell(listed.stdout, dead_letter, 5).startswith("yes"), listed.stdout
    assert (await kinerja("dlq", "replay", dead_letter, "--again")).code == 0

    # A later report of the same employee (same key, same partition) is scored after the forced replay.
    later = agency.report_body(nip, month=11)
    assert agency.submit(later).status_code == 202
    await eventually(lambda: _score(scoring, agency.reference(later)), what="the later report scored")
    assert (await _score(scoring, reference))["revision"] == 1
    computed = await outbox_records(dbs["scoring"], topic="kinerja.score.computed.v1", key=nip.encode())
    assert len(computed) == 2  # one score per report: the replay was processed once

    rescored = await _rescore_when_the_period_is_known(kinerja, backend, agency.agency_id)
    assert "1 checked, 0 revised" in rescored.stdout


async def _score(scoring, reference: str) -> dict | None:
    answer = scoring.get(f"/v1/scores/{reference}")
    return answer.json() if answer.status_code == 200 else None


async def _rescore_when_the_period_is_known(kinerja, backend, agency_id: str) -> Ran:
    """Scoring learns an agency's periods from intake's events: here, one published as intake would."""
    data = PeriodOpened.model_validate(
        {
            "agency_id": agency_id,
            "period_id": "2026-10",
            "skema": "bulanan",
            "type": "bulanan",
            "start": "2026-10-01",
            "end": "2026-10-31",
            "deadline": "2026-11-05T16:59:59Z",
            "tenggat_hari": 5,
        }
    )
    event = PERIOD_OPENED.envelope(data=data, subject=agency_id, source="tests", correlationid=str(uuid.uuid4()))
    producer = AIOKafkaProducer(bootstrap_servers=backend.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(PERIOD_OPENED.topic, event.model_dump_json().encode(), key=agency_id.encode())
    finally:
        await producer.stop()

    async def done() -> Ran | None:
        ran = await kinerja("rescore", agency_id, "--period", "2026-10")
        return ran if ran.code == 0 else None  # 404 period_not_found until scoring has the event

    return await eventually(done, what="the rescore accepted and done")


async def test_a_sheet_with_a_bad_row_is_summarised_and_its_score_tailed(tmp_path, intake, kinerja):
    agency = register_agency(intake)
    good, bad = agency.employee(), agency.employee()
    for nip in (good, bad):
        agency.skp(nip)
    header = "nip;skp_id;row_id_1;realisasi_1;row_id_2;realisasi_2\n"
    sheet = tmp_path / "laporan-oktober.csv"
    sheet.write_text(f"{header}{good};skp-{good};layanan;8;cakupan;90\n{bad};skp-{bad};layanan;9o;cakupan;90\n")
    args = ("submit", str(sheet), "--period", "2026-10", "--key", agency.key)

    ran = await kinerja(*args)
    assert ran.code == 1, ran
    assert cell(ran.stdout, "3", 1) == "realisasi_1" and cell(ran.stdout, "3", 2) == "not_a_number", ran.stdout
    assert "'9o' bukan angka" in cell(ran.stdout, "3", 3)
    assert [cell(ran.stdout, "2", i) for i in range(4)] == ["2", "1", "0", "1"]  # rows, accepted, there, errors

    sheet.write_text(f"{header}{good};skp-{good};layanan;8;cakupan;90\n")
    again = await kinerja(*args)
    assert again.code == 0 and [cell(again.stdout, "1", i) for i in range(4)] == ["1", "0", "1", "0"], again

    # The accepted row is scored; tail waits for the score of this agency, reading the topic from its beginning.
    tailed = await kinerja("tail", "score.computed", "--from-beginning", "--agency", agency.agency_id, "--limit", "1")
    assert tailed.code == 0 and tailed.stdout.startswith("score.computed "), tailed
    assert f'"agency_id": "{agency.agency_id}"' in tailed.stdout and f'"nip": "{good}"' in tailed.stdout


async def test_a_key_is_issued_once_rotated_and_revoked_and_a_bad_key_is_one_line(intake, kinerja):
    agency = register_agency(intake)
    created = await kinerja("keys", "create", agency.agency_id, "--label", "SIMPEG")
    assert created.code == 0 and "shown only this once" in created.stdout, created
    key = re.search(r"^(kin_\S+)$", created.stdout, re.MULTILINE)[1]
    listed = await kinerja("keys", "list", "--key", key)
    assert listed.code == 0 and listed.stdout.count("active") == 2, listed.stdout

    key_id = re.search(r"key ([0-9a-f]{8}) \(SIMPEG\)", created.stdout)[1]
    rotated = await kinerja("keys", "rotate", key_id, "--key", agency.key, "--overlap-hours", "0")
    assert rotated.code == 0 and f"key {key_id} works until" in rotated.stdout, rotated
    refused = await kinerja("keys", "list", "--key", key)
    assert refused.code == 2 and refused.stderr.count("\n") == 1
    assert refused.stderr.startswith("error: intake refused (401") and "--key" in refused.stderr

    revoked = await kinerja("keys", "revoke", key_id, "--key", agency.key)
    assert revoked.code == 0 and f"key {key_id} (SIMPEG) revoked at" in revoked.stdout, revoked
