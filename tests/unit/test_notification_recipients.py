"""Who hears about what, through which channels, each person once."""

from datetime import UTC, date, datetime

import pytest

from services.notification.app import SERVICE
from services.notification.domain.deliveries import Channel, EventKind, Language, Preferences, Recipient, Role
from services.notification.domain.digest import goes_to_digest
from services.notification.domain.people import HrContact, Person
from services.notification.domain.recipients import (
    AUDIENCE,
    CAREER_KINDS,
    channels_for,
    kind_of_flag,
    kind_of_score,
    recipients_for,
)
from services.notification.fan_out import prefetch_audience
from services.notification.subscriptions import WEBHOOK_TOPICS, unknown_event_types
from shared.contracts import CAREER_FLAGGED, COACHING_REQUIRED, TRAINING_COMPLETED
from shared.contracts.common import Period, PeriodType, Predikat, Rating
from shared.contracts.master_data import EmployeeRegistered
from shared.contracts.scores import RatingSource, ScoreComputed
from shared.contracts.training import CareerFlag, CareerFlagged

AGENCY = "bungo-dinkes"
TODAY = date(2026, 11, 3)
SITI = Person(
    nip="198503122010011002",
    agency_id=AGENCY,
    nama="dr. Siti Rahmawati",
    email="siti@bungokab.go.id",
    atasan_nip="197801152003121001",
)
BUDI = Person(nip="197801152003121001", agency_id=AGENCY, nama="Ir. Budi Santoso", email="budi@bungokab.go.id")
RINA = HrContact(agency_id=AGENCY, nama="Rina", email="bkpsdm@bungokab.go.id")
OTHER_AGENCY_HR = HrContact(agency_id="bungo-dikbud", nama="Dodi", email="dodi@bungokab.go.id")


def hear(kind: EventKind, **overrides) -> list[Recipient]:
    """The people who hear `kind` (the agency's own inbox has its test below)."""
    return [r for r in everyone(kind, **overrides) if r.role is not Role.OPERATOR]


def everyone(kind: EventKind, **overrides) -> list[Recipient]:
    arguments = {
        "agency_id": AGENCY,
        "employee": SITI,
        "atasan": BUDI,
        "hr_contacts": [RINA, OTHER_AGENCY_HR],
        "preferences": {},
        "today": TODAY,
    } | overrides
    return recipients_for(kind, **arguments)


EXPECTED = {
    EventKind.SCORE: [Role.PEGAWAI, Role.ATASAN],
    EventKind.SCORE_REVISED: [Role.PEGAWAI, Role.ATASAN],
    EventKind.SCORE_ANNUAL: [Role.PEGAWAI, Role.ATASAN],
    EventKind.REPORT_REJECTED: [Role.HR],
    EventKind.TRAINING_PLAN: [Role.PEGAWAI],
    EventKind.COACHING: [Role.PEGAWAI, Role.ATASAN, Role.HR],
    EventKind.TALENT: [Role.ATASAN, Role.HR],
    EventKind.PROMOTION: [Role.ATASAN, Role.HR],
    EventKind.DISTRIBUTION_VIOLATION: [Role.HR],
    EventKind.DEADLINE_REMINDER: [Role.PEGAWAI, Role.ATASAN],
    EventKind.DEADLINE_MISSED: [Role.HR],
}


@pytest.mark.parametrize("kind", list(EventKind))
def test_who_hears_what(kind):
    recipients = hear(kind)
    assert [r.role for r in recipients] == EXPECTED[kind]
    assert all(r.agency_id == AGENCY for r in recipients)
    assert "Dodi" not in {r.name for r in recipients}  # another agency's HR
    assert set(AUDIENCE) == set(EventKind)


@pytest.mark.parametrize("kind", list(EventKind))
def test_the_agency_inbox_hears_what_hr_hears_even_with_no_hr_contact(kind):
    operators = [r for r in everyone(kind, hr_contacts=[]) if r.role is Role.OPERATOR]
    assert len(operators) == (Role.HR in EXPECTED[kind])
    for operator in operators:
        assert (operator.nip, operator.key, channels_for(operator)) == (
            None,
            f"operator_instansi:{AGENCY}",
            [Channel.INBOX],
        )


def test_recipients_carry_identity_and_default_preferences():
    pegawai, atasan = hear(EventKind.SCORE)
    assert (pegawai.nip, pegawai.name, pegawai.email) == (SITI.nip, SITI.nama, SITI.email)
    assert (atasan.nip, atasan.email) == (BUDI.nip, BUDI.email)
    assert pegawai.preferences == Preferences()
    assert pegawai.key == SITI.nip


def test_preferences_by_nip_and_by_hr_email():
    english_digest = Preferences(language=Language.EN, digest=True)
    inbox_only = Preferences(channels=[Channel.EMAIL])
    preferences = {SITI.nip: english_digest, f"hr:{RINA.email}": inbox_only}
    pegawai, _, hr = hear(EventKind.COACHING, preferences=preferences)
    assert pegawai.preferences == english_digest
    assert hr.key == "hr:bkpsdm@bungokab.go.id" and hr.preferences == inbox_only


def test_an_hr_contact_without_preferences_is_told_in_its_own_language():
    english_hr = RINA.model_copy(update={"language": Language.EN})
    (hr,) = hear(EventKind.REPORT_REJECTED, hr_contacts=[english_hr])
    assert hr.preferences.language is Language.EN


@pytest.mark.parametrize("since", [TODAY, date(2026, 1, 1)])
def test_inactive_people_hear_nothing(since):
    retired = SITI.model_copy(update={"nonaktif_sejak": since})
    assert [r.role for r in hear(EventKind.SCORE, employee=retired)] == [Role.ATASAN]
    moved = BUDI.model_copy(update={"nonaktif_sejak": since})
    assert [r.role for r in hear(EventKind.SCORE, atasan=moved)] == [Role.PEGAWAI]


def test_someone_leaving_tomorrow_still_hears_today():
    leaving = SITI.model_copy(update={"nonaktif_sejak": date(2026, 11, 4)})
    assert [r.role for r in hear(EventKind.SCORE, employee=leaving)] == [Role.PEGAWAI, Role.ATASAN]


def test_unknown_people_are_left_out():
    assert hear(EventKind.SCORE, employee=None, atasan=None) == []


def test_an_atasan_who_is_also_hr_hears_once_as_atasan():
    budi_at_hr = HrContact(agency_id=AGENCY, nama="Budi (BKPSDM)", email="BUDI@bungokab.go.id")
    recipients = hear(EventKind.COACHING, hr_contacts=[budi_at_hr, RINA])
    assert [(r.role, r.name) for r in recipients] == [
        (Role.PEGAWAI, SITI.nama),
        (Role.ATASAN, BUDI.nama),
        (Role.HR, "Rina"),
    ]


def test_an_hr_contact_with_a_nip_is_the_same_person_as_that_employee():
    budi_at_hr = HrContact(agency_id=AGENCY, nama="Budi", email="lain@bungokab.go.id", nip=BUDI.nip)
    recipients = hear(EventKind.TALENT, hr_contacts=[budi_at_hr])
    assert [r.role for r in recipients] == [Role.ATASAN]


def test_an_employee_who_supervises_themself_hears_once():
    assert [r.role for r in hear(EventKind.SCORE, atasan=SITI)] == [Role.PEGAWAI]


def test_the_same_hr_address_listed_twice_hears_once():
    assert len(hear(EventKind.DEADLINE_MISSED, hr_contacts=[RINA, RINA])) == 1


def recipient(
    role: Role = Role.PEGAWAI,
    *,
    nip: str | None = "198503122010011002",
    email: str | None = "a@b.id",
    channels: list[Channel] | None = None,
    digest: bool = False,
) -> Recipient:
    preferences = Preferences(digest=digest) if channels is None else Preferences(channels=channels, digest=digest)
    return Recipient(role=role, agency_id=AGENCY, nip=nip, email=email, preferences=preferences)


def test_channels_follow_preferences():
    assert channels_for(recipient()) == [Channel.INBOX, Channel.EMAIL]
    assert channels_for(recipient(channels=[Channel.EMAIL, Channel.INBOX])) == [Channel.EMAIL, Channel.INBOX]
    assert channels_for(recipient(channels=[Channel.INBOX])) == [Channel.INBOX]
    assert channels_for(recipient(channels=[Channel.INBOX, Channel.INBOX])) == [Channel.INBOX]


def test_no_email_without_an_address_and_no_webhook_for_a_person():
    assert channels_for(recipient(email=None)) == [Channel.INBOX]
    assert channels_for(recipient(email="")) == [Channel.INBOX]
    assert channels_for(recipient(channels=[Channel.WEBHOOK, Channel.INBOX])) == [Channel.INBOX]


def test_hr_always_gets_email_when_it_has_an_address_and_an_inbox_only_with_a_nip():
    assert channels_for(recipient(Role.HR, nip=None)) == [Channel.EMAIL]
    assert channels_for(recipient(Role.HR, nip=None, channels=[Channel.INBOX])) == [Channel.EMAIL]
    assert channels_for(recipient(Role.HR, nip="197801152003121001", channels=[Channel.INBOX])) == [
        Channel.INBOX,
        Channel.EMAIL,
    ]
    assert channels_for(recipient(Role.HR, nip=None, email=None)) == []


def test_digest_takes_email_only():
    quiet = recipient(digest=True)
    assert goes_to_digest(quiet, Channel.EMAIL) and not goes_to_digest(quiet, Channel.INBOX)
    assert not goes_to_digest(recipient(), Channel.EMAIL)


@pytest.mark.parametrize(("revision", "kind"), [(1, EventKind.SCORE), (2, EventKind.SCORE_REVISED)])
def test_kind_of_score_tells_a_revision_apart(revision, kind):
    score = ScoreComputed(
        report_id=f"{AGENCY}/rpt-1",
        agency_id=AGENCY,
        nip=SITI.nip,
        period=Period(type=PeriodType.BULANAN, start=date(2026, 10, 1), end=date(2026, 10, 31)),
        indicators=[],
        nilai_hasil_kerja=None,
        rating_hasil_kerja=Rating.SESUAI,
        rating_hasil_kerja_source=RatingSource.COMPUTED,
        rating_perilaku=Rating.SESUAI,
        rating_perilaku_source=RatingSource.DEFAULT,
        predikat=Predikat.BAIK,
        computed_at=datetime(2026, 11, 1, tzinfo=UTC),
        revision=revision,
    )
    assert kind_of_score(score) is kind


@pytest.mark.parametrize(
    ("flag", "kind"),
    [(CareerFlag.TALENT_POOL, EventKind.TALENT), (CareerFlag.PROMOTION_ELIGIBLE, EventKind.PROMOTION)],
)
def test_a_career_flag_is_heard_by_the_atasan_and_hr_not_the_employee(flag, kind):
    flagged = CareerFlagged(
        agency_id=AGENCY,
        nip=SITI.nip,
        flag=flag,
        rule_id="aturan",
        tahun=2026,
        reasons=["alasan"],
        flagged_at=datetime(2026, 12, 31, tzinfo=UTC),
    )
    assert kind_of_flag(flagged) is kind
    assert set(CAREER_KINDS) == set(CareerFlag)
    assert [(r.role, r.nip) for r in hear(kind)] == [(Role.ATASAN, BUDI.nip), (Role.HR, None)]
    assert [r.role for r in everyone(kind, hr_contacts=[])] == [Role.ATASAN, Role.OPERATOR]


def test_coaching_is_heard_by_the_employee_the_atasan_and_hr_each_once():
    recipients = everyone(EventKind.COACHING)
    assert [(r.role, r.nip or r.email) for r in recipients] == [
        (Role.PEGAWAI, SITI.nip),
        (Role.ATASAN, BUDI.nip),
        (Role.HR, RINA.email),
        (Role.OPERATOR, None),
    ]
    assert [r.role for r in hear(EventKind.COACHING, atasan=None)] == [Role.PEGAWAI, Role.HR]


def test_downstream_systems_may_subscribe_to_coaching_career_flags_and_completed_training():
    new = [COACHING_REQUIRED.topic, CAREER_FLAGGED.topic, TRAINING_COMPLETED.topic]
    assert unknown_event_types(new) == []
    routes = {route.spec.topic: route for route in SERVICE.consumes}
    assert set(WEBHOOK_TOPICS) <= set(routes)  # a subscribable event is one notification consumes
    assert routes[COACHING_REQUIRED.topic].prefetch is prefetch_audience
    assert routes[CAREER_FLAGGED.topic].prefetch is prefetch_audience


def test_person_reads_a_people_document():
    registered = EmployeeRegistered(
        nip=SITI.nip,
        agency_id=AGENCY,
        nama=SITI.nama,
        jabatan="Epidemiolog Kesehatan Ahli Muda",
        email=SITI.email,
        atasan_nip=BUDI.nip,
        unit_kerja="bidang-p2p",
        nonaktif_sejak=date(2027, 1, 1),
    )
    person = Person.from_document({"_id": registered.nip, **registered.model_dump(mode="json")})
    assert person.nip == SITI.nip and person.jenis_asn == "pns" and person.unit_kerja == "bidang-p2p"
    assert person.nonaktif_sejak == date(2027, 1, 1)
    assert person.is_active(date(2026, 12, 31)) and not person.is_active(date(2027, 1, 1))
