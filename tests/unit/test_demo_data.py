"""The demo `make run` loads: valid for intake's contracts, the same at every start, spread as an agency's year
is, and one agency that really breaks its curve (every report scored by scoring's own domain, every month's
spread checked by its distribution rules)."""

import json
from collections import Counter
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from statistics import fmean

import pytest

from devtools.devstack.demo import Demo, DemoAgency
from devtools.devstack.demo_data import AGENCIES as SCENARIOS
from devtools.devstack.demo_data import NAMED_LAST_MONTH, REALISASI, STORIES
from devtools.devstack.demo_rows import skp_sheet
from devtools.devstack.demo_year import build_demo, months_to_report
from services.intake.contracts_in import EmployeeRegistration, SkpSubmission, UnitKerjaRegistration
from services.intake.files import read_table, skp_plans_from_table
from services.scoring.domain import evaluate_distribution, national_policy, score_report
from services.training.domain.catalogue import load_seed_catalogue
from shared.contracts.common import Predikat
from shared.contracts.reports import IndicatorRealisation, ReportSubmission, ReportSubmitted
from shared.contracts.scores import OrganisationPredikat

REPO = Path(__file__).resolve().parents[2]
WHOLE_YEAR = months_to_report(date(2027, 1, 15))
AHMAD_FAUZI = "198503122010011002"
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@cache
def demo():
    return build_demo(WHOLE_YEAR)


@cache
def scored() -> dict[tuple[str, str, int], Predikat]:
    """(agency, NIP, month) -> the predikat scoring gives the demo's report."""
    policy, predikat = national_policy(), {}
    for agency in demo():
        employees = {e["nip"]: e for e in agency.employees}
        rows = {m.nip: {row["row_id"]: row for row in m.rows} for m in agency.members}
        for month, reports in agency.reports.items():
            for report in reports:
                submitted = _as_submitted(
                    agency.agency.agency_id, report, employees[report["nip"]], rows[report["nip"]]
                )
                predikat[agency.agency.agency_id, report["nip"], month] = score_report(submitted, policy, NOW).predikat
    return predikat


def _as_submitted(agency_id: str, report: dict, employee: dict, rows: dict) -> ReportSubmitted:
    """The report as intake would pass it to scoring: each realisation beside its SKP row."""
    indicators = [
        IndicatorRealisation(**rows[item["row_id"]], **{k: v for k, v in item.items() if k != "row_id"})
        for item in report["realisasi"]
    ]
    return ReportSubmitted(
        report_id=f"{agency_id}/{report['report_id']}",
        agency_id=agency_id,
        nip=report["nip"],
        atasan_nip=employee["atasan_nip"],
        skp_id=report["skp_id"],
        period=report["period"],
        indicators=indicators,
        perilaku=report["perilaku"],
        submitted_at=NOW,
        unit_kerja=employee["unit_kerja"],
    )


def test_the_months_are_those_whose_period_has_begun():
    assert months_to_report(date(2026, 11, 23)) == tuple(range(1, 12))
    assert months_to_report(date(2026, 1, 1)) == (1,)
    assert months_to_report(date(2027, 3, 1)) == tuple(range(1, 13))
    assert months_to_report(date(2025, 12, 31)) == ()


def test_agencies_of_bungo_and_its_neighbours_with_a_few_hundred_staff_in_units():
    agencies = demo()
    wilayah = Counter(a.agency.wilayah for a in agencies)
    assert wilayah["Kabupaten Bungo"] == 4 and len(wilayah) >= 3 and len(agencies) - 4 in (2, 3)
    assert {s["agency_id"] for s in SCENARIOS} <= {a.agency.agency_id for a in agencies}
    assert 300 <= sum(len(a.members) for a in agencies) <= 400
    nips = [e["nip"] for a in agencies for e in a.employees]
    assert len(nips) == len(set(nips))
    for agency in agencies:
        assert 2 <= len(agency.units) <= 4
        registered = set()
        for unit in agency.units:
            UnitKerjaRegistration.model_validate(unit)
            assert unit.get("induk") in registered | {None}  # a parent is registered before its child
            registered.add(unit["unit_id"])
        for employee in agency.employees:
            EmployeeRegistration.model_validate(employee)  # the NIP contract: birth date, TMT, gender, sequence
            assert employee["unit_kerja"] in registered
    jenis = Counter(e["jenis_asn"] for a in agencies for e in a.employees)
    assert 0.05 < jenis["pppk"] / sum(jenis.values()) < 0.3


def test_every_atasan_chain_leads_to_the_agency_head():
    depths = []
    for agency in demo():
        atasan = {e["nip"]: e["atasan_nip"] for e in agency.employees}
        heads = [nip for nip, boss in atasan.items() if boss is None]
        assert len(heads) == 1, agency.agency.agency_id
        for nip in atasan:
            chain = [nip]
            while atasan[chain[-1]] is not None:
                assert atasan[chain[-1]] in atasan, "an atasan of another agency"
                chain.append(atasan[chain[-1]])
                assert len(chain) <= 5, chain
            assert chain[-1] == heads[0]
        depths.append(max(_depth(atasan, nip) for nip in atasan))
    assert min(depths) >= 2 and max(depths) == 3  # head, kepala, (kepala seksi,) staff


def _depth(atasan: dict[str, str | None], nip: str) -> int:
    return 0 if atasan[nip] is None else 1 + _depth(atasan, atasan[nip])


def test_plans_are_valid_varied_and_fund_courses_of_the_catalogue():
    catalogue_tags = {tag for course in load_seed_catalogue() for tag in course.kompetensi}
    kinds = Counter()
    for agency in demo():
        scenario = next((s for s in SCENARIOS if s["agency_id"] == agency.agency.agency_id), None)
        for member, plan in zip(agency.members, agency.plans, strict=True):
            SkpSubmission.model_validate(plan)
            if member.nip in STORIES:
                assert plan["rows"] == scenario["rows"]  # the hand-written plans as written
            else:
                assert 5 <= len(plan["rows"]) <= 8
            for row in plan["rows"]:
                kinds[row["polaritas"], "target_range" in row, row["jenis"]] += 1
                assert set(row["kompetensi"]) <= catalogue_tags, row
    assert kinds["higher_is_better", True, "utama"] and kinds["lower_is_better", True, "utama"]  # ranges
    assert kinds["lower_is_better", False, "utama"] and kinds["qualitative", False, "utama"]
    assert kinds["qualitative", False, "tambahan"] and kinds["higher_is_better", False, "tambahan"]


def test_the_skp_sheet_reads_back_as_the_plans():
    for agency in demo():
        table = read_table(
            skp_sheet(agency.plans), filename="skp.csv", content_type="text/csv", max_bytes=1 << 20, max_rows=10_000
        )
        sheet = skp_plans_from_table(table)
        assert sheet.errors == []
        read = [SkpSubmission.model_validate(item.body) for item in sheet.items]
        assert read == [SkpSubmission.model_validate(plan) for plan in agency.plans]


def test_a_report_per_employee_and_month_on_every_row_of_the_plan():
    for agency in demo():
        rows = {m.nip: [row["row_id"] for row in m.rows] for m in agency.members}
        for month in WHOLE_YEAR:
            reports = agency.reports[month]
            expected = {m.nip for m in agency.members if m.nip not in STORIES or month <= NAMED_LAST_MONTH}
            assert [r["nip"] for r in reports] == [nip for nip in rows if nip in expected]
            for report in reports:
                submission = ReportSubmission.model_validate(report)
                assert (submission.period.start.month, submission.period.end.month) == (month, month)
                assert [item.row_id for item in submission.realisasi] == rows[report["nip"]]
                assert len(submission.perilaku) == 7


def test_the_demo_is_the_same_at_every_start_whatever_the_months():
    again = build_demo(WHOLE_YEAR)
    assert again == demo()
    november = build_demo(months_to_report(date(2026, 11, 23)))
    for first, whole in zip(november, demo(), strict=True):
        assert first.members == whole.members
        assert first.reports == {m: r for m, r in whole.reports.items() if m <= 11}


def test_every_report_scores_to_the_predikat_it_was_written_for():
    scores = scored()
    intended = {(a.agency.agency_id, nip, month): p for a in demo() for (nip, month), p in a.intended.items()}
    assert {key: p.value for key, p in scores.items()} == intended
    spread = Counter(scores.values())
    assert spread[Predikat.BAIK] > spread[Predikat.SANGAT_BAIK] > spread[Predikat.BUTUH_PERBAIKAN] > 0
    assert 0 < spread[Predikat.KURANG] < spread[Predikat.BUTUH_PERBAIKAN]


def test_one_agency_breaks_its_curve_every_month_and_the_others_keep_to_theirs():
    policy, scores = national_policy(), scored()
    breakers = [a.agency.agency_id for a in demo() if a.agency.breaks_curve]
    assert len(breakers) == 1
    for agency in demo():
        units = {e["nip"]: e["unit_kerja"] for e in agency.employees}
        for month, reports in agency.reports.items():
            members = [(units[r["nip"]], scores[agency.agency.agency_id, r["nip"], month]) for r in reports]
            evaluated = evaluate_distribution(
                agency_id=agency.agency.agency_id,
                scope=f"2026-{month:02d}",
                members=members,
                organisation_predikat=OrganisationPredikat(agency.agency.organisation_predikat),
                policy=policy,
                evaluated_at=NOW,
            )
            if agency.agency.breaks_curve:
                assert evaluated.violations > 0, (month, [c.message for c in evaluated.checks])
                assert evaluated.overall.percent[Predikat.SANGAT_BAIK] > 40  # far more than its curve's 10%
            else:
                assert evaluated.violations == 0, (
                    agency.agency.agency_id,
                    month,
                    [c.message for c in evaluated.checks],
                )


def test_some_improve_and_some_slip_over_the_year():
    value = {Predikat.SANGAT_BAIK: 3, Predikat.BAIK: 2, Predikat.BUTUH_PERBAIKAN: 1, Predikat.KURANG: 1}
    changes = []
    for agency_id, nip, month in scored():
        if month == 1 and nip not in STORIES:
            year = [value[scored()[agency_id, nip, m]] for m in WHOLE_YEAR]
            changes.append(fmean(year[-3:]) - fmean(year[:3]))
    assert sum(c >= 1 for c in changes) >= 5 and sum(c <= -1 for c in changes) >= 5


def test_the_named_people_keep_their_stories_and_leave_november_to_the_readme():
    bungo = {a.agency.agency_id: a for a in demo()}
    dinkes = bungo["bungo-dinkes"]
    october = {r["nip"]: r for r in dinkes.reports[10]}
    assert october[AHMAD_FAUZI]["realisasi"][:2] == [
        {"row_id": "imunisasi", "realisasi": 81},
        {"row_id": "surveilans", "realisasi": 5},
    ]
    assert set(REALISASI) <= {nip for a in demo() for r in a.reports[10] for nip in [r["nip"]]}
    story = [scored()["bungo-dinkes", AHMAD_FAUZI, month].value for month in range(1, 11)]
    assert story[0] == "baik" and story[-1] == "butuh_perbaikan"  # slipping
    assert all(r["nip"] not in STORIES for a in demo() for r in a.reports[11])
    # The README's and the banner's example, Ahmad Fauzi's November report, fits his plan and is new to intake.
    example = ReportSubmission.model_validate(json.loads((REPO / "docs/examples/laporan-november.json").read_text()))
    ahmad = next(m for m in dinkes.members if m.nip == AHMAD_FAUZI)
    assert [item.row_id for item in example.realisasi] == [row["row_id"] for row in ahmad.rows]
    assert example.skp_id == f"skp-2026-{AHMAD_FAUZI}"


@pytest.mark.parametrize("breaks", [True, False])
def test_the_summary_says_what_was_loaded_and_who_breaks_the_curve(breaks):
    agencies = [
        DemoAgency("bungo-dinkes", "Dinas Kesehatan Kabupaten Bungo", "kin_dev_bungo-dinkes", "Kabupaten Bungo", 61),
        DemoAgency("tebo-bappeda", "Bappeda Kabupaten Tebo", "kin_dev_tebo-bappeda", "Kabupaten Tebo", 44),
        DemoAgency("merangin-diskominfo", "Diskominfo Kabupaten Merangin", "k", "Kabupaten Merangin", 44)
        if not breaks
        else DemoAgency(
            "merangin-diskominfo",
            "Diskominfo Kabupaten Merangin",
            "k",
            "Kabupaten Merangin",
            44,
            "butuh_perbaikan",
            True,
        ),
    ]
    summary = Demo(agencies, reports=1617, months=tuple(range(1, 12)), employees=149, units=12, sent=1617)
    text = str(summary)
    assert text.startswith(
        "demo loaded: 3 agencies (1 of Kabupaten Bungo, 1 of Kabupaten Tebo, 1 of Kabupaten Merangin)"
    )
    assert "149 employees in 12 unit kerja" in text and "1,617 monthly reports (January-November 2026" in text
    assert (summary.curve_breaker is agencies[2]) is breaks
    breaking = "Diskominfo Kabupaten Merangin (merangin-diskominfo) breaks its curve: organisation predikat Butuh"
    assert (breaking in text) is breaks
