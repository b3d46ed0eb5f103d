"""Contracts: NIP structure, shared vocabulary rules, the envelope, topics and the published schemas."""

from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from devtools.schema_export import event_schemas, render
from shared.contracts import ALL_EVENTS, BY_TOPIC, REPORT_SUBMITTED, SCORE_COMPUTED, all_topics
from shared.contracts.common import (
    Aspek,
    JenisHasilKerja,
    Period,
    PeriodType,
    Polaritas,
    Predikat,
    Rating,
    SkpRow,
    TargetRange,
)
from shared.contracts.nip import Nip, NipError, check_nip
from shared.contracts.reports import IndicatorRealisation, ReportSubmitted
from shared.contracts.scores import IndicatorScore, RatingSource, ScoreComputed

NIP = "198503122010011002"
REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = REPO_ROOT / "docs" / "schemas"


class WithNip(BaseModel):
    nip: Nip


def skp_row(**overrides) -> dict:
    row = {
        "row_id": "rhk-1",
        "rhk": "Cakupan imunisasi dasar lengkap",
        "jenis": "utama",
        "aspek": "kuantitas",
        "indikator": "Persentase bayi diimunisasi",
        "polaritas": "higher_is_better",
        "target": 95,
    }
    return row | overrides


def period(start: date = date(2026, 10, 1), end: date = date(2026, 10, 31)) -> Period:
    return Period(type=PeriodType.BULANAN, start=start, end=end)


def report_submitted() -> ReportSubmitted:
    return ReportSubmitted(
        report_id="rpt-2026-10-1",
        agency_id="bungo-dinkes",
        nip=NIP,
        skp_id="skp-2026-1",
        period=period(),
        indicators=[
            IndicatorRealisation.model_validate(skp_row(realisasi=92.5, kompetensi=["kesehatan-masyarakat"])),
            IndicatorRealisation.model_validate(
                skp_row(row_id="rhk-2", polaritas="qualitative", target=None, rating_atasan="di_atas_ekspektasi")
            ),
        ],
        perilaku={"akuntabel": "sesuai_ekspektasi"},
        evidence=["https://example.go.id/bukti/1.pdf"],
        feedback="Pertahankan.",
        submitted_at=datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
    )


def score_computed() -> ScoreComputed:
    return ScoreComputed(
        report_id="rpt-2026-10-1",
        agency_id="bungo-dinkes",
        nip=NIP,
        period=period(),
        indicators=[
            IndicatorScore(
                row_id="rhk-1",
                jenis=JenisHasilKerja.UTAMA,
                aspek=Aspek.KUANTITAS,
                polaritas=Polaritas.HIGHER_IS_BETTER,
                capaian=97.4,
                nilai=101.2,
                rating=Rating.SESUAI,
            )
        ],
        nilai_hasil_kerja=101.2,
        rating_hasil_kerja=Rating.SESUAI,
        rating_hasil_kerja_source=RatingSource.COMPUTED,
        rating_perilaku=Rating.SESUAI,
        rating_perilaku_source=RatingSource.DEFAULT,
        predikat=Predikat.BAIK,
        computed_at=datetime(2026, 11, 1, 8, 5, tzinfo=UTC),
    )


# --- NIP ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "nip",
    [
        NIP,
        "198503122010012002",  # female
        "198802292010011002",  # born on a leap day
        "198503121985041002",  # TMT the month after birth
    ],
)
def test_valid_nip_is_returned_unchanged(nip):
    assert check_nip(nip) == nip


@pytest.mark.parametrize(
    ("nip", "part"),
    [
        ("19850312201001100", "format"),  # 17 digits
        ("1985031220100110021", "format"),  # 19 digits
        ("19850312201001100A", "format"),
        ("1985-03-12-2010011", "format"),
        ("198502302010011002", "tanggal_lahir"),  # 30 February
        ("198513122010011002", "tanggal_lahir"),  # birth month 13
        ("198503122010131002", "tmt_cpns"),  # TMT month 13
        ("198503122010001002", "tmt_cpns"),  # TMT month 00
        ("198503121980011002", "tmt_cpns"),  # TMT before birth
        ("198503121985031002", "tmt_cpns"),  # TMT in the birth month
        ("198503122010013002", "jenis_kelamin"),
        ("198503122010010002", "jenis_kelamin"),
    ],
)
def test_wrong_nip_names_the_wrong_part(nip, part):
    with pytest.raises(NipError) as caught:
        check_nip(nip)
    assert caught.value.part == part
    assert str(caught.value)  # a message for the operator


@pytest.mark.parametrize(
    "nip",
    [
        "19850312201001100²",  # superscript two as last sequence digit
        "１９８５０３１２２０１００１1００２",  # fullwidth digits, ASCII sex digit
        "١٩٨٥٠٣١٢٢٠١٠٠١1٠٠٢",  # Arabic-Indic digits, ASCII sex digit
    ],
)
def test_nip_with_non_ascii_digits_is_a_format_error(nip):
    with pytest.raises(NipError) as caught:
        check_nip(nip)
    assert caught.value.part == "format"


def test_nip_field_accepts_a_valid_nip():
    assert WithNip(nip=NIP).nip == NIP


@pytest.mark.parametrize(
    ("nip", "part"),
    [("12345", "format"), ("198502302010011002", "tanggal_lahir"), ("198503122010013002", "jenis_kelamin")],
)
def test_nip_field_errors_are_validation_errors_carrying_the_part(nip, part):
    with pytest.raises(ValidationError) as caught:
        WithNip(nip=nip)
    [error] = caught.value.errors()
    assert error["loc"] == ("nip",)
    assert isinstance(error["ctx"]["error"], NipError)
    assert error["ctx"]["error"].part == part


# --- Period, TargetRange, SkpRow, IndicatorRealisation -------------------------


def test_period_within_one_year_is_accepted():
    p = period(date(2026, 1, 1), date(2026, 12, 31))
    assert (p.start, p.end) == (date(2026, 1, 1), date(2026, 12, 31))


def test_single_day_period_is_accepted():
    assert period(date(2026, 5, 1), date(2026, 5, 1)).start == date(2026, 5, 1)


def test_period_ending_before_it_starts_is_rejected():
    with pytest.raises(ValidationError, match="akhir periode"):
        period(date(2026, 10, 31), date(2026, 10, 1))


def test_period_spanning_two_years_is_rejected():
    with pytest.raises(ValidationError, match="satu tahun"):
        period(date(2026, 12, 1), date(2027, 1, 31))


def test_target_range_with_upper_below_lower_is_rejected():
    with pytest.raises(ValidationError, match="batas atas"):
        TargetRange(lower=100, upper=90)


def test_target_range_may_be_a_single_point():
    assert TargetRange(lower=5, upper=5).upper == 5


def test_qualitative_row_without_target_is_accepted():
    row = SkpRow.model_validate(skp_row(polaritas="qualitative", target=None))
    assert row.target is None and row.target_range is None


@pytest.mark.parametrize("target", [{"target": 95}, {"target": None, "target_range": {"lower": 1, "upper": 2}}])
def test_qualitative_row_with_a_target_is_rejected(target):
    with pytest.raises(ValidationError, match="kualitatif"):
        SkpRow.model_validate(skp_row(polaritas="qualitative", **target))


@pytest.mark.parametrize("polaritas", ["higher_is_better", "lower_is_better"])
def test_quantitative_row_with_both_target_and_range_is_rejected(polaritas):
    with pytest.raises(ValidationError, match="tepat satu"):
        SkpRow.model_validate(skp_row(polaritas=polaritas, target=95, target_range={"lower": 90, "upper": 100}))


@pytest.mark.parametrize("polaritas", ["higher_is_better", "lower_is_better"])
def test_quantitative_row_with_neither_target_nor_range_is_rejected(polaritas):
    with pytest.raises(ValidationError, match="tepat satu"):
        SkpRow.model_validate(skp_row(polaritas=polaritas, target=None))


def test_quantitative_row_with_only_a_range_is_accepted():
    row = SkpRow.model_validate(skp_row(target=None, target_range={"lower": 90, "upper": 100}))
    assert row.target_range == TargetRange(lower=90, upper=100)


def test_quantitative_realisation_requires_realisasi():
    with pytest.raises(ValidationError, match="realisasi"):
        IndicatorRealisation.model_validate(skp_row(rating_atasan="sesuai_ekspektasi"))


def test_quantitative_realisation_with_realisasi_is_accepted():
    assert IndicatorRealisation.model_validate(skp_row(realisasi=0)).realisasi == 0


def test_qualitative_realisation_requires_rating_atasan():
    with pytest.raises(ValidationError, match="rating_atasan"):
        IndicatorRealisation.model_validate(skp_row(polaritas="qualitative", target=None, realisasi=1))


def test_qualitative_realisation_with_rating_is_accepted():
    item = IndicatorRealisation.model_validate(
        skp_row(polaritas="qualitative", target=None, rating_atasan="di_bawah_ekspektasi")
    )
    assert item.rating_atasan is Rating.DI_BAWAH


# --- Envelope and topics -------------------------------------------------------


def test_envelope_carries_the_spec_type_and_version():
    env = REPORT_SUBMITTED.envelope(data=report_submitted(), subject=NIP, source="kinerja/intake", correlationid="c-1")
    assert env.type == "kinerja.report.submitted"
    assert env.schemaversion == 1
    assert env.specversion == "1.0"
    assert (env.subject, env.source, env.correlationid) == (NIP, "kinerja/intake", "c-1")
    assert env.id


def test_each_envelope_gets_its_own_id():
    make = lambda: SCORE_COMPUTED.envelope(data=score_computed(), subject=NIP, source="s", correlationid="c")  # noqa: E731
    assert make().id != make().id


@pytest.mark.parametrize(
    ("spec", "make_data"), [(REPORT_SUBMITTED, report_submitted), (SCORE_COMPUTED, score_computed)]
)
def test_envelope_survives_a_json_round_trip(spec, make_data):
    env = spec.envelope(data=make_data(), subject=NIP, source="kinerja/test", correlationid="c-1")
    assert spec.envelope_model.model_validate_json(env.model_dump_json()) == env


def test_envelope_rejects_unknown_top_level_fields():
    env = SCORE_COMPUTED.envelope(data=score_computed(), subject=NIP, source="s", correlationid="c")
    with pytest.raises(ValidationError, match="extra"):
        SCORE_COMPUTED.envelope_model.model_validate({**env.model_dump(mode="json"), "partitionkey": "x"})


def test_envelope_rejects_unknown_fields_inside_data():
    env = SCORE_COMPUTED.envelope(data=score_computed(), subject=NIP, source="s", correlationid="c")
    raw = env.model_dump(mode="json")
    raw["data"]["predicate"] = "baik"
    with pytest.raises(ValidationError, match="extra"):
        SCORE_COMPUTED.envelope_model.model_validate(raw)


def test_topic_names_are_type_dot_v_version():
    assert REPORT_SUBMITTED.topic == "kinerja.report.submitted.v1"
    for spec in ALL_EVENTS:
        assert spec.topic == f"{spec.type}.v{spec.version}"
        assert BY_TOPIC[spec.topic] is spec


def test_every_topic_has_a_dlq_twin():
    topics = all_topics()
    assert len(topics) == len(set(topics)) == 2 * len(ALL_EVENTS)
    main = [t for t in topics if not t.endswith(".dlq")]
    assert sorted(main) == sorted(spec.topic for spec in ALL_EVENTS)
    for topic in main:
        assert f"{topic}.dlq" in topics


# --- published schemas ---------------------------------------------------------


def test_schema_files_in_docs_match_the_models():
    expected = {name: render(schema).encode("utf-8") for name, schema in event_schemas().items()}
    present = {p.name for p in SCHEMA_DIR.glob("*")} if SCHEMA_DIR.is_dir() else set()
    missing = sorted(expected.keys() - present)
    extra = sorted(present - expected.keys())
    stale = sorted(n for n in expected.keys() & present if (SCHEMA_DIR / n).read_bytes() != expected[n])
    assert not (missing or stale or extra), (
        "docs/schemas is out of date with shared/contracts: run `python -m devtools.schema_export` "
        f"(and delete files no event produces). missing={missing} stale={stale} extra={extra}"
    )


def test_schema_export_covers_every_event():
    assert sorted(event_schemas()) == sorted(f"{spec.topic}.json" for spec in ALL_EVENTS)


# --- field documentation ---------------------------------------------------------

# Fields that may go without description/examples, and why. Kept short on purpose:
# a new undocumented field on these events fails the test below.
UNDOCUMENTED_OK = {
    "report_id": "identifier, its meaning is its name",
    "skp_id": "identifier, its meaning is its name",
    "submitted_at": "timestamp, its meaning is its name",
    "computed_at": "timestamp, its meaning is its name",
    "period": "typed by Period, whose own fields are documented",
    "indicators": "list of a nested contract whose own fields are documented",
}


def _is_enum(annotation) -> bool:
    # Enum-typed fields document themselves: the schema lists every allowed value.
    return isinstance(annotation, type) and issubclass(annotation, Enum)


@pytest.mark.parametrize("model", [ReportSubmitted, ScoreComputed])
def test_top_level_fields_of_main_events_are_documented(model):
    undocumented = [
        name
        for name, info in model.model_fields.items()
        if not (info.description or info.examples) and name not in UNDOCUMENTED_OK and not _is_enum(info.annotation)
    ]
    assert not undocumented, f"{model.__name__}: add description= or examples= to {undocumented}"
