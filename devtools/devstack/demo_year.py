"""The whole demo, generated: each agency's unit kerja, staff with their atasan, SKP plans and a year of monthly
reports, the same at every start (every draw comes from a `random.Random` seeded by a name).

How the ratings spread: each generated employee has a standing, a trend (most steady, some improving, some
slipping) and a little luck each month. Every month the agency's best-standing staff get Sangat Baik and its
lowest Butuh Perbaikan (Kurang for the few whose conduct is at issue), in the shares the agency rates with
(demo_agencies.py), around the named people, whose year is written out (demo_data.STORIES). Each report's
numbers are then chosen so that scoring arrives at exactly that predikat.
"""

import calendar
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from shared.contracts.common import BerAKHLAK, Predikat, Rating

from .demo_agencies import AGENCIES, Agency, Jabatan, Unit
from .demo_data import AGENCIES as SCENARIOS
from .demo_data import HEAD, KEPALA, NAMED_LAST_MONTH, REALISASI, STORIES, TAHUN
from .demo_people import person
from .demo_rows import ATAS, BAWAH, QUALITATIVE, SESUAI, can_be, draw_plan, realisasi_for

WIB = timezone(timedelta(hours=7), "WIB")  # periods open and close by the clock of Asia/Jakarta
# fmt: off
BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November",
         "Desember")
# fmt: on
SANGAT_BAIK, BAIK, BUTUH_PERBAIKAN, KURANG = (
    Predikat.SANGAT_BAIK,
    Predikat.BAIK,
    Predikat.BUTUH_PERBAIKAN,
    Predikat.KURANG,
)
PREDIKAT_OF_LETTER = {"S": SANGAT_BAIK, "B": BAIK, "P": BUTUH_PERBAIKAN, "K": KURANG}
FEEDBACK = {
    SANGAT_BAIK: (
        "capaian melampaui target; bagikan praktik baiknya kepada tim",
        "kinerja sangat baik, inisiatif dan kerja sama menonjol",
    ),
    BAIK: (
        "kinerja sesuai target",
        "target tercapai; tingkatkan ketepatan waktu pelaporan",
        "pekerjaan berjalan sesuai rencana",
    ),
    BUTUH_PERBAIKAN: (
        "beberapa target utama belum tercapai; susun rencana perbaikan bersama atasan",
        "capaian di bawah target; perlu pendampingan",
    ),
    KURANG: ("hasil kerja cukup, namun perilaku kerja perlu dibina melalui bimbingan kinerja",),
}
# Born and TMT (first year of service) ranges by level, so NIPs and careers fit each other.
CAREERS = {"head": ((1966, 1975), (1992, 2000)), "kepala": ((1970, 1982), (1996, 2008))}
CAREERS |= {
    "seksi": ((1974, 1986), (2000, 2012)),
    "pns": ((1978, 2000), (2003, 2024)),
    "pppk": ((1980, 1998), (2022, 2024)),
}


@dataclass(frozen=True)
class Member:
    """An employee of the demo: the registration sent to intake, the plan's rows, and how their year goes."""

    employee: dict[str, Any]
    rows: tuple[dict[str, Any], ...]
    standing: float = 0.0
    trend: float = 0.0  # per month
    conduct_at_issue: bool = False
    story: str | None = None  # the named people's year, one letter a month

    @property
    def nip(self) -> str:
        return self.employee["nip"]

    def reports_in(self, month: int) -> bool:
        return self.story is None or month <= NAMED_LAST_MONTH


@dataclass(frozen=True)
class AgencyDemo:
    agency: Agency
    units: tuple[dict[str, Any], ...]
    members: tuple[Member, ...]
    reports: dict[int, tuple[dict[str, Any], ...]]  # by month
    intended: dict[tuple[str, int], Predikat]  # (NIP, month) -> the predikat its report is written to earn

    @property
    def employees(self) -> list[dict[str, Any]]:
        return [m.employee for m in self.members]

    @property
    def plans(self) -> list[dict[str, Any]]:
        return [{"skp_id": skp_id(m.nip), "nip": m.nip, "tahun": TAHUN, "rows": list(m.rows)} for m in self.members]


def skp_id(nip: str) -> str:
    return f"skp-{TAHUN}-{nip}"


def months_to_report(today: date) -> tuple[int, ...]:
    """January to the latest month of the demo's year whose period has begun by `today`."""
    if today.year < TAHUN:
        return ()
    return tuple(range(1, (12 if today.year > TAHUN else today.month) + 1))


def today_in_wib() -> date:
    return datetime.now(WIB).date()


def build_demo(months: tuple[int, ...]) -> tuple[AgencyDemo, ...]:
    """Every agency with its staff, plans and the reports of `months`; the same for the same months."""
    taken = set(STORIES)  # NIPs in use: the named people's, then each generated one as it is drawn
    return tuple(_agency_demo(agency, months, taken) for agency in AGENCIES)


def _agency_demo(agency: Agency, months: tuple[int, ...], taken: set[str]) -> AgencyDemo:
    members = _members(agency, taken)
    reports, intended = {}, {}
    for month in months:
        predikat = _predikat_of_month(agency, members, month)
        reports[month] = tuple(_report(agency, m, month, predikat[m.nip]) for m in members if m.nip in predikat)
        intended |= {(nip, month): p for nip, p in predikat.items()}
    units = tuple(
        {"unit_id": u.unit_id, "nama": u.nama} | ({"induk": u.induk} if u.induk else {}) for u in agency.units
    )
    return AgencyDemo(agency, units, tuple(members), reports, intended)


# --- staff ----------------------------------------------------------------------------------------------------


def _members(agency: Agency, taken: set[str]) -> list[Member]:
    rng = random.Random(f"kinerja-demo/{agency.agency_id}")
    named = _named(agency)
    head = _generated(rng, agency.sector, agency.head, agency.units[0].unit_id, None, "head", taken)
    members = [head]
    for unit in agency.units:
        members += _unit_members(rng, agency, unit, head.nip, named, taken)
    return members


def _unit_members(
    rng: random.Random, agency: Agency, unit: Unit, head: str, named: dict[str, Member], taken: set[str]
) -> list[Member]:
    sector = unit.sector or agency.sector
    if isinstance(unit.kepala, str):
        kepala = named[unit.kepala]
    else:
        kepala = _generated(rng, sector, unit.kepala, unit.unit_id, head, "kepala", taken)
    seksi = [_generated(rng, sector, j, unit.unit_id, kepala.nip, "seksi", taken) for j in unit.seksi]
    leads = [m.nip for m in seksi] or [kepala.nip]
    staff = [
        _generated(rng, sector, rng.choice(unit.jabatan), unit.unit_id, leads[i % len(leads)], "staff", taken)
        for i in range(unit.staff)
    ]
    placed = {HEAD: head, KEPALA: kepala.nip}
    others = [
        _placed(member, placed)
        for nip, member in named.items()
        if STORIES[nip].unit_kerja == unit.unit_id and nip != kepala.nip
    ]
    return [_placed(kepala, placed), *seksi, *others, *staff]


def _generated(
    rng: random.Random, sector: str, jabatan: Jabatan, unit_id: str, atasan: str | None, level: str, taken: set[str]
) -> Member:
    pppk = level == "staff" and rng.random() < jabatan.pppk
    born, tmt = CAREERS["pppk" if pppk else "pns" if level == "staff" else level]
    someone = person(rng, jabatan.gelar, taken, born=born, tmt=tmt)
    employee = {"nip": someone.nip, "nama": someone.nama, "jabatan": jabatan.nama}
    employee |= {"jenis_asn": "pppk" if pppk else "pns", "unit_kerja": unit_id, "atasan_nip": atasan}
    leader = level != "staff"
    trend = rng.choices((0.0, 0.16, -0.16), weights=(73, 15, 12))[0]
    conduct_at_issue = not leader and rng.random() < 0.06
    standing = rng.gauss(0, 1) + (0.3 if leader else 0.0) - (0.6 if conduct_at_issue else 0.0)
    if level == "head":
        standing = abs(standing)  # an agency's head holds the post for a record
    rows = tuple(draw_plan(rng, sector, leader))
    return Member(employee, rows, standing, trend, conduct_at_issue)


def _named(agency: Agency) -> dict[str, Member]:
    """The hand-written people of the agency, with their plans as written; atasan placed later."""
    scenario = next((s for s in SCENARIOS if s["agency_id"] == agency.agency_id), None)
    if scenario is None:
        return {}
    named = {}
    for nip, nama, jabatan, _ in scenario["employees"]:
        story = STORIES[nip]
        employee = {"nip": nip, "nama": nama, "jabatan": jabatan, "jenis_asn": "pns"}
        employee |= {"unit_kerja": story.unit_kerja, "atasan_nip": story.atasan}
        named[nip] = Member(employee, tuple(scenario["rows"]), story=story.year)
    return named


def _placed(member: Member, placed: dict[str, str]) -> Member:
    atasan = member.employee["atasan_nip"]
    if atasan not in placed:
        return member
    return Member({**member.employee, "atasan_nip": placed[atasan]}, member.rows, story=member.story)


# --- a month's predikat -------------------------------------------------------------------------------------


def _predikat_of_month(agency: Agency, members: list[Member], month: int) -> dict[str, Predikat]:
    """Who earns what this month: the named people as written, the rest by standing, in the agency's shares."""
    reporting = [m for m in members if m.reports_in(month)]
    fixed = {m.nip: PREDIKAT_OF_LETTER[m.story[month - 1]] for m in reporting if m.story}
    january, december = agency.sangat_baik
    share = january + (december - january) * (month - 1) / 11
    top = round(len(reporting) * share) - sum(p == SANGAT_BAIK for p in fixed.values())
    bottom = max(1, round(len(reporting) * agency.below_baik))
    bottom -= sum(p in (BUTUH_PERBAIKAN, KURANG) for p in fixed.values())
    ranked = sorted((m for m in reporting if not m.story), key=lambda m: _form(m, month), reverse=True)
    top = min(max(top, 0), len(ranked))
    bottom = min(max(bottom, 0), len(ranked) - top)
    predikat = dict(fixed)
    for place, member in enumerate(ranked):
        if place < top:
            predikat[member.nip] = SANGAT_BAIK
        elif place >= len(ranked) - bottom:
            predikat[member.nip] = KURANG if member.conduct_at_issue else BUTUH_PERBAIKAN
        else:
            predikat[member.nip] = BAIK
    return predikat


def _form(member: Member, month: int) -> float:
    luck = random.Random(f"{member.nip}/{month}").gauss(0, 0.35)
    return member.standing + member.trend * (month - 6.5) + luck


# --- a report -----------------------------------------------------------------------------------------------


def _report(agency: Agency, member: Member, month: int, predikat: Predikat) -> dict[str, Any]:
    if member.story and month == 10:
        return _hand_written_october(member)
    rng = random.Random(f"{member.nip}/{month}/report")
    hasil_kerja, perilaku = _quadrant(predikat, member.rows, rng)
    ratings = _row_ratings(hasil_kerja, member.rows, rng)
    last_day = calendar.monthrange(TAHUN, month)[1]
    return {
        "report_id": f"demo-{TAHUN}-{month:02d}-{member.nip}",
        "nip": member.nip,
        "skp_id": skp_id(member.nip),
        "period": {"type": "bulanan", "start": f"{TAHUN}-{month:02d}-01", "end": f"{TAHUN}-{month:02d}-{last_day}"},
        "realisasi": [realisasi_for(row, rating, rng) for row, rating in zip(member.rows, ratings, strict=True)],
        "perilaku": _perilaku(perilaku, rng),
        "evidence": [f"https://arsip.{agency.domain}/kinerja/{member.nip}/{TAHUN}-{month:02d}"],
        "feedback": f"Laporan bulanan {BULAN[month - 1]} {TAHUN}: {rng.choice(FEEDBACK[predikat])}",
    }


def _hand_written_october(member: Member) -> dict[str, Any]:
    """The named person's October as first written: rows without a written value reported on target."""
    values, perilaku = REALISASI.get(member.nip, ({}, {}))
    realisasi = []
    for row in member.rows:
        value = values.get(row["row_id"])
        if row["polaritas"] == QUALITATIVE:
            realisasi.append({"row_id": row["row_id"], "rating_atasan": value or SESUAI})
        else:
            on_target = row["target"] if "target" in row else row["target_range"]["upper"]
            realisasi.append({"row_id": row["row_id"], "realisasi": on_target if value is None else value})
    return {
        "report_id": f"demo-{TAHUN}-10-{member.nip}",
        "nip": member.nip,
        "skp_id": skp_id(member.nip),
        "period": {"type": "bulanan", "start": f"{TAHUN}-10-01", "end": f"{TAHUN}-10-31"},
        "realisasi": realisasi,
        "perilaku": {value.value: perilaku.get(value.value, SESUAI) for value in BerAKHLAK},
        "evidence": [f"https://arsip.bungokab.go.id/kinerja/{member.nip}/{TAHUN}-10"],
        "feedback": f"Laporan bulanan Oktober {TAHUN}",
    }


def _quadrant(predikat: Predikat, rows: tuple[dict[str, Any], ...], rng: random.Random) -> tuple[Rating, Rating]:
    """Rating hasil kerja and rating perilaku that the national matrix turns into `predikat`.

    Baik is mostly Sesuai on both, sometimes results above expectation with conduct as expected, or the
    other way round, as real months are.
    """
    if predikat == SANGAT_BAIK:
        return ATAS, ATAS
    if predikat == BUTUH_PERBAIKAN:
        return BAWAH, SESUAI
    if predikat == KURANG:
        return SESUAI, BAWAH
    roll = rng.random()
    if roll < 0.2 and sum(can_be(row, ATAS) for row in rows) * 2 > len(rows):
        return ATAS, SESUAI
    return (SESUAI, ATAS) if roll < 0.3 else (SESUAI, SESUAI)


def _row_ratings(hasil_kerja: Rating, rows: tuple[dict[str, Any], ...], rng: random.Random) -> list[Rating]:
    """A rating per row that rating hasil kerja (PermenPANRB 6/2022, as scoring reads it) makes `hasil_kerja`.

    Di Atas: most rows above and no utama below. Sesuai: at most half above, and at most one below (a tambahan,
    or one utama of four or more: a small part). Di Bawah: more than a quarter of the utama rows below.
    """
    ratings = [SESUAI] * len(rows)
    able = [i for i, row in enumerate(rows) if can_be(row, ATAS)]
    utama = [i for i, row in enumerate(rows) if row["jenis"] == "utama"]
    if hasil_kerja == ATAS:
        for i in rng.sample(able, rng.randint(len(rows) // 2 + 1, len(able))):
            ratings[i] = ATAS
    elif hasil_kerja == SESUAI:
        for i in rng.sample(able, rng.randint(0, min(len(able), len(rows) // 2))):
            ratings[i] = ATAS
        spare = [i for i, r in enumerate(ratings) if r == SESUAI and (i not in utama or len(utama) >= 4)]
        if len(rows) >= 3 and spare and rng.random() < 0.3:
            ratings[rng.choice(spare)] = BAWAH
    else:
        for i in rng.sample(utama, min(len(utama), len(utama) // 4 + 1 + rng.randint(0, 1))):
            ratings[i] = BAWAH
    return ratings


def _perilaku(rating: Rating, rng: random.Random) -> dict[str, Rating]:
    """The atasan's rating of each BerAKHLAK value, adding up to `rating` for perilaku as a whole."""
    values = [value.value for value in BerAKHLAK]
    rng.shuffle(values)
    given = dict.fromkeys(values, SESUAI)
    if rating == ATAS:
        given |= dict.fromkeys(values[: rng.randint(4, 7)], ATAS)
    elif rating == BAWAH:
        given |= dict.fromkeys(values[: rng.randint(4, 6)], BAWAH)
    else:
        given |= dict.fromkeys(values[: rng.randint(0, 3)], ATAS)
        if rng.random() < 0.25:
            given[values[-1]] = BAWAH  # one value to work on: a gap training can close
    return {value.value: given[value.value] for value in BerAKHLAK}
