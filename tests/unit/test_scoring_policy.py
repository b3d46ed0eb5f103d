"""The scoring policy document: the national default and the validation an agency's version must pass."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from services.scoring.domain import ScoringPolicy, national_policy, nilai_from_capaian
from services.scoring.domain.policy import NATIONAL_POLICY_PATH
from shared.contracts.common import Predikat
from shared.contracts.scores import NATIONAL_POLICY_VERSION, AnnualMethod, CurveLimit, OrganisationPredikat

ATAS, SESUAI, BAWAH = "di_atas_ekspektasi", "sesuai_ekspektasi", "di_bawah_ekspektasi"


def national_document() -> dict[str, Any]:
    """A fresh, mutable copy of the national policy as JSON, the shape an agency sends."""
    return json.loads(NATIONAL_POLICY_PATH.read_text(encoding="utf-8"))


# --- the national default --------------------------------------------------


def test_national_policy_is_the_versioned_default_and_is_cached():
    policy = national_policy()
    assert policy.version == NATIONAL_POLICY_VERSION == "nasional@1"
    assert national_policy() is policy
    assert policy.annual_method is AnnualMethod.DOMINANT
    thresholds = policy.rating_thresholds
    assert (thresholds.di_atas_min_capaian, thresholds.sesuai_min_capaian, thresholds.small_part_of_utama) == (
        110,
        100,
        0.25,
    )
    assert ScoringPolicy.model_validate_json(policy.model_dump_json()) == policy


def test_national_bands_are_the_pp_30_2019_table():
    assert [(b.name, b.min_capaian, b.nilai_at_min, b.slope) for b in national_policy().nilai_bands] == [
        ("sangat_baik", 110, 120, 0),
        ("baik", 100, 90, 3),
        ("cukup", 80, 70, 1),
        ("kurang", 60, 50, 1),
        ("sangat_kurang", 0, 0, pytest.approx(49 / 59)),
    ]


SB, B, BP, K, SK = (
    Predikat.SANGAT_BAIK,
    Predikat.BAIK,
    Predikat.BUTUH_PERBAIKAN,
    Predikat.KURANG,
    Predikat.SANGAT_KURANG,
)


# docs/domain.md, "Distribution curve", written out again as (predikat, limit, percent) per organisation predikat.
DOMAIN_MD_CURVES = {
    OrganisationPredikat.ISTIMEWA: [([SB], CurveLimit.AT_MOST, 70)],
    OrganisationPredikat.BAIK: [([B], CurveLimit.AT_MOST, 70), ([BP, K, SK], CurveLimit.SOME, None)],
    OrganisationPredikat.BUTUH_PERBAIKAN: [([BP], CurveLimit.AT_LEAST, 60), ([SB], CurveLimit.AT_MOST, 10)],
    OrganisationPredikat.KURANG: [([K], CurveLimit.AT_LEAST, 60)],
    OrganisationPredikat.SANGAT_KURANG: [([SK], CurveLimit.AT_LEAST, 60), ([SB], CurveLimit.NONE, None)],
}


@pytest.mark.parametrize("organisation", list(OrganisationPredikat))
def test_national_curves_follow_domain_md(organisation):
    rules = national_policy().curves[organisation]
    assert [(rule.predikat, rule.limit, rule.percent) for rule in rules] == DOMAIN_MD_CURVES[organisation]


def test_a_national_file_whose_version_drifts_from_the_constant_is_refused(tmp_path, monkeypatch):
    document = national_document() | {"version": "nasional@2"}
    path = tmp_path / "policy_nasional.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    monkeypatch.setattr("services.scoring.domain.policy.NATIONAL_POLICY_PATH", path)
    national_policy.cache_clear()
    try:
        with pytest.raises(ValueError, match="NATIONAL_POLICY_VERSION"):
            national_policy()
    finally:
        monkeypatch.undo()
        national_policy.cache_clear()


# --- validation of a policy document -----------------------------------------


def _matrix(document: dict[str, Any]) -> dict[str, dict[str, str]]:
    return document["predikat_matrix"]


def _band(document: dict[str, Any], name: str) -> dict[str, Any]:
    return next(band for band in document["nilai_bands"] if band["name"] == name)


def _swap_bands(document: dict[str, Any], first: int, second: int) -> None:
    bands = document["nilai_bands"]
    bands[first], bands[second] = bands[second], bands[first]


BROKEN: list[tuple[str, Callable[[dict[str, Any]], Any], tuple[Any, ...], str]] = [
    (
        "missing cell",
        lambda d: _matrix(d)[ATAS].pop(BAWAH),
        ("predikat_matrix",),
        "sel matriks di_atas_ekspektasi x di_bawah_ekspektasi tidak ada",
    ),
    (
        "missing row",
        lambda d: _matrix(d).pop(SESUAI),
        ("predikat_matrix",),
        "sel matriks sesuai_ekspektasi x di_atas_ekspektasi tidak ada; "
        "sel matriks sesuai_ekspektasi x sesuai_ekspektasi tidak ada; "
        "sel matriks sesuai_ekspektasi x di_bawah_ekspektasi tidak ada",
    ),
    (
        "unknown predikat",
        lambda d: _matrix(d)[ATAS].update({ATAS: "istimewa"}),
        ("predikat_matrix",),
        "sel matriks di_atas_ekspektasi x di_atas_ekspektasi: predikat 'istimewa' tidak dikenal",
    ),
    (
        "unknown rating hasil kerja",
        lambda d: _matrix(d).update(luar_biasa={}),
        ("predikat_matrix",),
        "rating hasil kerja 'luar_biasa' tidak dikenal",
    ),
    (
        "unknown rating perilaku",
        lambda d: _matrix(d)[BAWAH].update(luar_biasa="baik"),
        ("predikat_matrix",),
        "rating perilaku 'luar_biasa' pada baris di_bawah_ekspektasi tidak dikenal",
    ),
    (
        "bands out of order",
        lambda d: _swap_bands(d, 2, 3),
        ("nilai_bands",),
        "pita nilai 'cukup': min_capaian harus lebih kecil dari pita di atasnya ('kurang')",
    ),
    (
        "non-monotone bands",
        lambda d: _band(d, "cukup").update(nilai_at_min=75),
        ("nilai_bands",),
        "pita nilai 'cukup': nilai di ujung atasnya (95) melebihi nilai awal pita di atasnya 'baik' (90)",
    ),
    (
        "lowest band above 0",
        lambda d: _band(d, "sangat_kurang").update(min_capaian=10),
        ("nilai_bands",),
        "pita nilai terendah 'sangat_kurang' harus mulai dari min_capaian 0",
    ),
    (
        "duplicate band name",
        lambda d: _band(d, "kurang").update(name="cukup"),
        ("nilai_bands",),
        "nama pita nilai harus unik: 'cukup' muncul lebih dari sekali",
    ),
    (
        "negative slope",
        lambda d: _band(d, "cukup").update(slope=-1),
        ("nilai_bands", 2),
        "pita nilai 'cukup': slope tidak boleh negatif",
    ),
    (
        "nilai above 120",
        lambda d: _band(d, "sangat_baik").update(nilai_at_min=125),
        ("nilai_bands", 0),
        "pita nilai 'sangat_baik': nilai_at_min harus antara 0 dan 120",
    ),
    (
        "thresholds reversed",
        lambda d: d["rating_thresholds"].update(di_atas_min_capaian=100, sesuai_min_capaian=110),
        ("rating_thresholds",),
        "di_atas_min_capaian (100) harus lebih besar dari sesuai_min_capaian (110)",
    ),
    (
        "small part of all Utama",
        lambda d: d["rating_thresholds"].update(small_part_of_utama=1),
        ("rating_thresholds",),
        "small_part_of_utama harus paling kecil 0 dan lebih kecil dari 1",
    ),
    (
        "missing curve",
        lambda d: d["curves"].pop("kurang"),
        ("curves",),
        "kurva untuk predikat organisasi 'kurang' tidak ada",
    ),
    (
        "unknown organisation predikat",
        lambda d: d["curves"].update(luar_biasa=[]),
        ("curves",),
        "predikat organisasi 'luar_biasa' tidak dikenal",
    ),
    (
        "at_most without percent",
        lambda d: d["curves"]["baik"][0].pop("percent"),
        ("curves", "baik", 0),
        "batas at_most memerlukan percent antara 0 dan 100",
    ),
    (
        "percent over 100",
        lambda d: d["curves"]["kurang"][0].update(percent=160),
        ("curves", "kurang", 0),
        "batas at_least memerlukan percent antara 0 dan 100",
    ),
    (
        "percent on some",
        lambda d: d["curves"]["baik"][1].update(percent=5),
        ("curves", "baik", 1),
        "batas some tidak memakai percent",
    ),
    (
        "unknown predikat in a curve",
        lambda d: d["curves"]["istimewa"][0].update(predikat=["istimewa"]),
        ("curves", "istimewa", 0, "predikat"),
        "predikat 'istimewa' tidak dikenal",
    ),
]


@pytest.mark.parametrize(("mutate", "loc", "message"), [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_a_broken_document_is_refused_naming_the_cell_band_or_curve(mutate, loc, message):
    document = national_document()
    mutate(document)
    with pytest.raises(ValidationError) as refused:
        ScoringPolicy.model_validate(document)
    [error] = refused.value.errors()
    assert error["loc"] == loc
    assert message in error["msg"]


def test_an_unknown_field_is_refused():
    with pytest.raises(ValidationError, match="predikat_matriks"):
        ScoringPolicy.model_validate(national_document() | {"predikat_matriks": {}})


def test_a_jump_up_between_bands_is_allowed():
    document = national_document()
    _band(document, "sangat_kurang").update(slope=0.5)  # ends at 30, the next band starts at 50
    assert ScoringPolicy.model_validate(document).nilai_bands[-1].slope == 0.5


@st.composite
def rising_bands(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Bands that join or jump up at every end-point and never exceed 120, highest first."""
    inner = draw(st.lists(st.floats(1, 200), max_size=5, unique=True))
    starts = [0.0, *sorted(inner)]
    nilai = draw(st.floats(0, 120))
    bands = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else start + 100
        slope = draw(st.floats(0, 1)) * (120 - nilai) / (end - start)
        bands.append({"name": f"pita-{index}", "min_capaian": start, "nilai_at_min": nilai, "slope": slope})
        top = nilai + (end - start) * slope
        nilai = min(120.0, top + draw(st.floats(0, 1)) * (120 - top))
    return bands[::-1]


@given(rising_bands(), st.floats(0, 400), st.floats(0, 400))
def test_any_valid_bands_give_a_nilai_that_never_falls_and_never_passes_120(bands, a, b):
    policy = ScoringPolicy.model_validate(national_document() | {"nilai_bands": bands})
    low, high = sorted((a, b))
    assert 0 <= nilai_from_capaian(low, policy.nilai_bands) <= nilai_from_capaian(high, policy.nilai_bands) <= 120
