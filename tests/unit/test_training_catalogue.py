"""Training's catalogue: the seeded shared courses, what the optimiser sees of a course, prerequisite checks."""

import json
from datetime import date

import pytest

from bench.population import ROW_POOL
from devtools.devstack.demo_data import AGENCIES
from services.training.domain.catalogue import (
    SEED_CATALOGUE_PATH,
    CatalogueError,
    check_catalogue_change,
    course_offer,
    load_seed_catalogue,
)
from services.training.domain.errors import TrainingDomainError
from shared.contracts.common import BerAKHLAK
from shared.contracts.training import CompetencyKind, Course, LearningMode

SEED = load_seed_catalogue()
BY_ID = {course.id: course for course in SEED}

# Tags of the SKP rows the demo and the benchmarks report on; bench/scoring.py tags every row manajemen-publik.
USED_TAGS = (
    {tag for template in ROW_POOL for tag in template.kompetensi}
    | {tag for agency in AGENCIES for row in agency["rows"] for tag in row["kompetensi"]}
    | {"manajemen-publik"}
)


def course(course_id, prasyarat=(), agency_id=None, **changes) -> Course:
    fields = {
        "id": course_id,
        "judul": f"Pelatihan {course_id}",
        "jenis_kompetensi": CompetencyKind.TEKNIS,
        "kompetensi": ["analisis-data"],
        "mode": LearningMode.E_LEARNING,
        "jp": 16,
        "biaya": 0,
        "kursi_per_kelas": 30,
        "penyelenggara": "LAN RI",
        "prasyarat": list(prasyarat),
        "agency_id": agency_id,
    }
    return Course(**(fields | changes))


def catalogue(*courses: Course) -> dict[str, Course]:
    return {c.id: c for c in courses}


# --- the seed ------------------------------------------------------------------------------------------------


def test_the_seed_is_a_realistic_shared_catalogue_of_unique_courses():
    assert 36 <= len(SEED) <= 45
    assert len(BY_ID) == len(SEED)
    assert all(c.agency_id is None and c.version == 1 for c in SEED)


def test_every_tag_of_the_demo_and_benchmark_rows_has_a_course():
    covered = {tag for c in SEED for tag in c.kompetensi}
    assert USED_TAGS - covered == set()
    assert {"kesehatan-masyarakat", "inovasi", "kompeten", "kolaboratif"} <= USED_TAGS  # the lists were read


def test_every_berakhlak_value_has_a_course_of_its_own():
    for value in BerAKHLAK:
        own = [c for c in SEED if c.jenis_kompetensi is CompetencyKind.BERAKHLAK and c.kompetensi[0] == value.value]
        assert len(own) == 1, value
    berakhlak_tags = {t for c in SEED if c.jenis_kompetensi is CompetencyKind.BERAKHLAK for t in c.kompetensi}
    assert {v.value for v in BerAKHLAK} <= berakhlak_tags


def test_every_mode_and_competency_kind_is_offered():
    assert {c.mode for c in SEED} == set(LearningMode)
    assert {c.jenis_kompetensi for c in SEED} == set(CompetencyKind)


def test_jp_costs_seats_and_runs_are_realistic():
    for c in SEED:
        assert 8 <= c.jp <= 80, c.id
        assert 0 <= c.biaya <= 9_000_000, c.id
        assert c.kursi_per_kelas > 0, c.id
        assert 1 <= len(c.jadwal) <= 4, c.id
        assert all(date(2026, 1, 1) <= day <= date(2027, 12, 31) for day in c.jadwal), c.id
        assert c.jadwal == sorted(set(c.jadwal)), c.id
        assert c.penyelenggara.strip(), c.id


def test_cheaper_modes_cost_less_than_klasikal():
    klasikal = [c.biaya for c in SEED if c.mode is LearningMode.KLASIKAL]
    e_learning = [c.biaya for c in SEED if c.mode is LearningMode.E_LEARNING]
    cheaper = [c.biaya for c in SEED if c.mode is not LearningMode.KLASIKAL]
    assert min(klasikal) >= 2_000_000
    assert max(e_learning) <= 250_000 and e_learning.count(0) >= 5
    assert max(cheaper) < min(klasikal)


def test_prerequisites_resolve_and_pass_the_change_check():
    with_prerequisites = [c for c in SEED if c.prasyarat]
    assert len(with_prerequisites) >= 3
    for c in with_prerequisites:
        assert all(p in BY_ID for p in c.prasyarat)
        assert "Lanjutan" in c.judul or BY_ID[c.prasyarat[0]].mode is LearningMode.E_LEARNING
    for c in SEED:
        check_catalogue_change(c, BY_ID)


def test_the_seed_is_cached_but_each_caller_gets_its_own_list():
    first, second = load_seed_catalogue(), load_seed_catalogue()
    assert first == second and first is not second
    assert first[0] is second[0]


def test_a_broken_catalogue_file_names_the_course(tmp_path):
    documents = json.loads(SEED_CATALOGUE_PATH.read_text())
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps([*documents, documents[0]]))
    with pytest.raises(ValueError, match="duplicate course id 'kes-surveilans-klasikal'"):
        load_seed_catalogue(path)
    documents[1]["prasyarat"] = ["tidak-ada"]
    path.write_text(json.dumps(documents))
    with pytest.raises(ValueError, match=f"{documents[1]['id']}: Prasyarat tidak-ada"):
        load_seed_catalogue(path)
    documents[1]["prasyarat"] = []
    documents[2]["jp"] = 0
    path.write_text(json.dumps(documents))
    with pytest.raises(ValueError, match=r"2\.jp"):
        load_seed_catalogue(path)


# --- what the optimiser sees ---------------------------------------------------------------------------------


def test_a_course_offer_has_the_seats_of_every_run():
    c = course("kelas", kursi_per_kelas=25, jadwal=[date(2026, 3, 1), date(2026, 9, 1)], prasyarat=["dasar"])
    offer = course_offer(c)
    assert (offer.id, offer.mode, offer.jp, offer.biaya, offer.kursi) == ("kelas", LearningMode.E_LEARNING, 16, 0, 50)
    assert offer.kompetensi == ("analisis-data",) and offer.prasyarat == ("dasar",)
    assert course_offer(course("sekali", kursi_per_kelas=25)).kursi == 25  # no dates: one run


# --- changes -------------------------------------------------------------------------------------------------


def test_an_unknown_prerequisite_is_refused():
    with pytest.raises(CatalogueError) as caught:
        check_catalogue_change(course("lanjutan", ["dasar"]), catalogue(course("lain")))
    error = caught.value
    assert isinstance(error, TrainingDomainError)
    assert (error.code, error.field) == ("prasyarat_tidak_dikenal", "prasyarat")
    assert "dasar" in error.message and "lanjutan" in error.message


def test_a_course_cannot_require_itself():
    with pytest.raises(CatalogueError) as caught:
        check_catalogue_change(course("dasar", ["dasar"]), {})
    assert caught.value.code == "prasyarat_diri_sendiri"


def test_a_change_that_closes_a_cycle_is_refused_with_the_cycle():
    stored = catalogue(course("k-a"), course("k-b", ["k-a"]), course("k-c", ["k-b"]))
    with pytest.raises(CatalogueError) as caught:
        check_catalogue_change(course("k-a", ["k-c"]), stored)
    assert caught.value.code == "prasyarat_melingkar"
    assert "k-a → k-c → k-b → k-a" in caught.value.message
    with pytest.raises(CatalogueError, match="prasyarat_melingkar"):
        check_catalogue_change(course("k-a", ["k-b"]), stored)


def test_a_change_is_checked_against_its_new_version_not_the_stored_one():
    stored = catalogue(course("k-a", ["k-b"]), course("k-b"))
    check_catalogue_change(course("k-a"), stored)  # dropping a prerequisite
    check_catalogue_change(course("k-b", ["k-c"]), stored | catalogue(course("k-c")))  # b -> c, no way back to b
    check_catalogue_change(course("k-d", ["k-a"]), stored)  # a new course on top of a chain


def test_prerequisites_follow_the_agency_scope():
    own = course("bungo-siak", agency_id="bungo-dukcapil")
    stored = catalogue(course("shared"), own)
    check_catalogue_change(course("bungo-lanjutan", ["shared", "bungo-siak"], agency_id="bungo-dukcapil"), stored)
    with pytest.raises(CatalogueError, match="prasyarat_tidak_dikenal") as other:
        check_catalogue_change(course("kes-lanjutan", ["bungo-siak"], agency_id="bungo-dinkes"), stored)
    assert "bungo-dukcapil" in other.value.message
    with pytest.raises(CatalogueError, match="prasyarat_tidak_dikenal"):
        check_catalogue_change(course("shared-lanjutan", ["bungo-siak"]), stored)
