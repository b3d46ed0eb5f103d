"""Intake's decisions, pure: resend, correction or conflict; employees in any order; versioned SKP plans."""

import math
from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from services.intake.contracts_in import EmployeeRegistration, SkpSubmission, UnitKerjaRegistration
from services.intake.domain.master_data import (
    PlanChange,
    Refusal,
    Registration,
    decide_employees,
    decide_skp,
    decide_unit,
)
from services.intake.domain.models import Employee, ReportStatus, SkpPlan, SkpVersion, StoredReport
from services.intake.domain.report_checks import build_report, check_report
from services.intake.domain.submissions import Check, Conflict, Resend, decide_submission
from services.scoring.domain import national_policy, score_report
from shared.contracts.common import SkpRow
from shared.contracts.reports import ReportSubmission

AGENCY = "bungo-dinkes"
NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
REF = f"{AGENCY}/lap-1"
PERIOD = {"type": "bulanan", "start": "2026-10-01", "end": "2026-10-31"}
ROW = {"row_id": "r1", "rhk": "Layanan", "jenis": "utama", "aspek": "kuantitas", "indikator": "Jumlah"}


def stored(status=ReportStatus.ACCEPTED, accepted_version=1, fingerprint="f1") -> StoredReport:
    return StoredReport.model_validate(
        {
            "_id": REF,
            "report_id": "lap-1",
            "agency_id": AGENCY,
            "nip": "198503122010011002",
            "skp_id": "s",
            "period": PERIOD,
            "status": status,
            "accepted_version": accepted_version,
            "fingerprint": fingerprint,
            "correlation_id": "c",
            "received_at": NOW,
        }
    )


def decide(by_reference=None, live=None, fingerprint="f2", correction=False):
    return decide_submission(
        reference=REF, fingerprint=fingerprint, correction=correction, by_reference=by_reference, live_in_slot=live
    )


# --- resend, correction, conflict ---------------------------------------------------------


def test_a_new_report_is_version_one():
    assert decide() == Check(version=1, supersedes=None, replaces_attempt=None)


def test_the_same_accepted_report_again_gets_the_first_answer():
    first = stored(fingerprint="f2")
    assert decide(first, live=REF) == Resend(first)


def test_the_same_rejected_report_again_is_checked_again_since_master_data_may_have_been_fixed():
    rejected = stored(status=ReportStatus.REJECTED, accepted_version=0, fingerprint="f2")
    assert decide(rejected) == Check(version=1, supersedes=None, replaces_attempt=rejected, recheck=True)


def test_a_changed_report_under_an_accepted_id_is_a_conflict_unless_it_says_correction():
    first = stored()
    conflict = decide(first, live=REF)
    assert isinstance(conflict, Conflict) and conflict.code == "report_id_conflict"
    assert "correction: true" in conflict.message
    assert decide(first, live=REF, correction=True) == Check(version=2, supersedes=1, replaces_attempt=first)


def test_a_corrected_correction_is_version_three():
    second = stored(accepted_version=2)
    assert decide(second, live=REF, correction=True) == Check(version=3, supersedes=2, replaces_attempt=second)


def test_a_fixed_report_after_a_rejection_is_checked_again_as_version_one():
    rejected = stored(status=ReportStatus.REJECTED, accepted_version=0)
    assert decide(rejected) == Check(version=1, supersedes=None, replaces_attempt=rejected)


def test_a_second_report_for_an_occupied_slot_is_refused_naming_the_live_one():
    for correction in (False, True):
        conflict = decide(live=f"{AGENCY}/oktober-ahmad", correction=correction)
        assert isinstance(conflict, Conflict) and conflict.code == "report_exists_for_period"
        assert "oktober-ahmad" in conflict.message and conflict.reference == f"{AGENCY}/oktober-ahmad"


def test_a_rejected_attempt_cannot_take_a_slot_another_report_holds():
    rejected = stored(status=ReportStatus.REJECTED, accepted_version=0)
    assert isinstance(decide(rejected, live=f"{AGENCY}/other"), Conflict)


# --- employees in any order ----------------------------------------------------------------

BOSS, STAFF, STAFF2 = "197602142000032001", "198503122010011002", "199107252019032005"


def person(nip, atasan=None, **extra) -> EmployeeRegistration:
    return EmployeeRegistration(nip=nip, nama=f"P {nip[-3:]}", jabatan="Analis", atasan_nip=atasan, **extra)


def test_staff_may_come_before_their_supervisor_in_one_batch():
    decided = decide_employees([person(STAFF, BOSS), person(STAFF2, STAFF), person(BOSS)], AGENCY, {}, set())
    assert all(isinstance(d, Registration) and d.changed for d in decided)


def test_an_unknown_supervisor_refuses_the_whole_chain_below():
    decided = decide_employees([person(STAFF2, STAFF), person(STAFF, "196001011990031001")], AGENCY, {}, set())
    assert [d.reason.code for d in decided] == ["unknown_atasan", "unknown_atasan"]


def test_an_employee_of_another_agency_is_refused_without_naming_it():
    other = Employee(nip=STAFF, agency_id="kerinci-bkpsdm", nama="X", jabatan="Y")
    [refusal] = decide_employees([person(STAFF)], AGENCY, {STAFF: other}, set())
    assert isinstance(refusal, Refusal) and (refusal.status, refusal.reason.code) == (409, "employee_not_available")
    assert "kerinci" not in refusal.reason.message


def test_registering_the_same_data_again_changes_nothing():
    existing = Employee(agency_id=AGENCY, **person(BOSS).model_dump())
    [again] = decide_employees([person(BOSS)], AGENCY, {BOSS: existing}, set())
    assert isinstance(again, Registration) and not again.changed


def test_unit_kerja_must_be_registered_and_a_supervisor_is_not_oneself():
    decided = decide_employees(
        [person(BOSS, unit_kerja="puskesmas-9"), person(STAFF, STAFF)], AGENCY, {}, {"bidang-kesmas"}
    )
    assert [d.reason.code for d in decided] == ["unknown_unit_kerja", "atasan_is_self"]


def test_units_need_an_existing_parent_and_no_cycle():
    units = {"dinkes": None, "bidang": "dinkes"}
    assert decide_unit(UnitKerjaRegistration(unit_id="seksi", nama="S", induk="bidang"), AGENCY, units) is None
    assert decide_unit(UnitKerjaRegistration(unit_id="x", nama="X", induk="nope"), AGENCY, units).reason.code == (
        "unknown_unit_kerja"
    )
    cyclic = {"a": "b", "b": "a"}
    assert decide_unit(UnitKerjaRegistration(unit_id="a", nama="A", induk="b"), AGENCY, cyclic).reason.code == (
        "unit_cycle"
    )


# --- versioned SKP plans ---------------------------------------------------------------------

ROWS = [{**ROW, "polaritas": "higher_is_better", "target": 10}]


def skp(rows=ROWS, berlaku_mulai=None) -> SkpSubmission:
    return SkpSubmission(skp_id="skp-1", nip=STAFF, tahun=2026, rows=rows, berlaku_mulai=berlaku_mulai)


EMPLOYEE = Employee(nip=STAFF, agency_id=AGENCY, nama="A", jabatan="B")


def test_the_first_plan_is_version_one_in_force_from_january():
    change = decide_skp(skp(), AGENCY, EMPLOYEE, None, NOW)
    assert isinstance(change, PlanChange) and change.new_version.version == 1
    assert change.new_version.berlaku_mulai == date(2026, 1, 1)


def test_a_changed_plan_is_a_new_version_from_today_and_the_same_plan_changes_nothing():
    first = decide_skp(skp(), AGENCY, EMPLOYEE, None, NOW).plan
    assert decide_skp(skp(), AGENCY, EMPLOYEE, first, NOW).new_version is None
    second = decide_skp(skp([{**ROWS[0], "target": 12}]), AGENCY, EMPLOYEE, first, NOW)
    assert (second.new_version.version, second.new_version.berlaku_mulai) == (2, date(2026, 11, 20))
    assert [v.version for v in second.plan.versions] == [1, 2]


def test_a_new_version_cannot_start_before_the_current_one_or_outside_the_year():
    first = decide_skp(skp(berlaku_mulai=date(2026, 7, 1)), AGENCY, EMPLOYEE, None, NOW).plan
    early = decide_skp(skp([{**ROWS[0], "target": 12}], date(2026, 3, 1)), AGENCY, EMPLOYEE, first, NOW)
    assert early.reason.code == "berlaku_mulai_before_current"
    assert decide_skp(skp(berlaku_mulai=date(2027, 1, 1)), AGENCY, EMPLOYEE, None, NOW).reason.code == (
        "berlaku_mulai_outside_year"
    )


# --- whatever intake accepts can be scored ------------------------------------------------------

numbers = st.floats(min_value=0, max_value=1e300, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-300, max_value=1e300, allow_nan=False, allow_infinity=False)


@st.composite
def plans_and_reports(draw):
    polaritas = draw(st.sampled_from(["higher_is_better", "lower_is_better"]))
    if draw(st.booleans()):
        lower = draw(numbers)
        upper = draw(st.floats(min_value=max(lower, 1e-300), max_value=1e300, allow_nan=False))
        target = {"target_range": {"lower": lower, "upper": upper}}
    else:
        target = {"target": draw(positive)}
    row = SkpRow.model_validate({**ROW, "polaritas": polaritas, **target})
    plan = SkpPlan(
        skp_id="s",
        agency_id=AGENCY,
        nip=STAFF,
        tahun=2026,
        versions=[SkpVersion(version=1, berlaku_mulai=date(2026, 1, 1), rows=[row], published_at=NOW)],
    )
    sub = ReportSubmission(
        nip=STAFF, skp_id="s", period=PERIOD, realisasi=[{"row_id": "r1", "realisasi": draw(numbers)}]
    )
    return plan, sub


@settings(max_examples=300, deadline=None)
@given(plans_and_reports())
def test_every_report_intake_accepts_yields_a_finite_score(case):
    plan, sub = case
    if check_report(sub, AGENCY, EMPLOYEE, plan):
        return  # refused with a reason: nothing to score
    score = score_report(build_report(sub, f"{AGENCY}/x", EMPLOYEE, plan, NOW), national_policy(), computed_at=NOW)
    [indicator] = score.indicators
    assert math.isfinite(indicator.capaian) and math.isfinite(indicator.nilai)
