"""Who hears what, and through which channels.

| Event                                  | pegawai | atasan | HR (BKPSDM) |
|----------------------------------------|:-------:|:------:|:-----------:|
| score (first score of a report)        |    x    |   x    |             |
| score_revised (correction, rescore)    |    x    |   x    |             |
| score_annual                           |    x    |   x    |             |
| report_rejected                        |         |        |      x      |
| training_plan                          |    x    |        |             |
| coaching (bimbingan kinerja)           |    x    |   x    |      x      |
| talent (talent pool candidate)         |         |   x    |      x      |
| promotion (kenaikan pangkat / jabatan) |         |   x    |      x      |
| distribution_violation                 |         |        |      x      |
| deadline_reminder (before the tenggat) |    x    |   x    |             |
| deadline_missed (after it)             |         |        |      x      |

Coaching and the two career flags (talent, promotion) come from training's rules (`coaching.required`,
`career.flagged`); the atasan is the one a coaching event names, else the one notification has for the employee.

A person who is nonaktif (mutasi, pensiun) from today or earlier hears nothing. Someone who would hear in two
roles (the atasan is also an HR contact) hears once, in the most specific role: pegawai, then atasan, then HR.
"""

from collections.abc import Mapping
from datetime import date

from shared.contracts.scores import ScoreComputed
from shared.contracts.training import CareerFlag, CareerFlagged

from .deliveries import Channel, EventKind, Preferences, Recipient, Role
from .people import HrContact, Person

# Roles in order of specificity: the first role a person appears in is the one they hear in.
AUDIENCE: dict[EventKind, tuple[Role, ...]] = {
    EventKind.SCORE: (Role.PEGAWAI, Role.ATASAN),
    EventKind.SCORE_REVISED: (Role.PEGAWAI, Role.ATASAN),
    EventKind.SCORE_ANNUAL: (Role.PEGAWAI, Role.ATASAN),
    EventKind.REPORT_REJECTED: (Role.HR,),
    EventKind.TRAINING_PLAN: (Role.PEGAWAI,),
    EventKind.COACHING: (Role.PEGAWAI, Role.ATASAN, Role.HR),
    EventKind.TALENT: (Role.ATASAN, Role.HR),
    EventKind.PROMOTION: (Role.ATASAN, Role.HR),
    EventKind.DISTRIBUTION_VIOLATION: (Role.HR,),
    EventKind.DEADLINE_REMINDER: (Role.PEGAWAI, Role.ATASAN),
    EventKind.DEADLINE_MISSED: (Role.HR,),
}

# People are told in their inbox or by e-mail; webhooks are for downstream systems, never for a person.
PERSONAL_CHANNELS = (Channel.INBOX, Channel.EMAIL)


def kind_of_score(score: ScoreComputed) -> EventKind:
    return EventKind.SCORE if score.revision == 1 else EventKind.SCORE_REVISED


# What each career flag of training's is, as a message.
CAREER_KINDS: dict[CareerFlag, EventKind] = {
    CareerFlag.TALENT_POOL: EventKind.TALENT,
    CareerFlag.PROMOTION_ELIGIBLE: EventKind.PROMOTION,
}


def kind_of_flag(flagged: CareerFlagged) -> EventKind:
    return CAREER_KINDS[flagged.flag]


def recipients_for(
    kind: EventKind,
    *,
    agency_id: str,
    employee: Person | None,
    atasan: Person | None,
    hr_contacts: list[HrContact],
    preferences: Mapping[str, Preferences],
    today: date,
) -> list[Recipient]:
    """Everyone who hears about one event of `kind` in `agency_id`, each once, with their preferences.

    `preferences` is keyed by NIP, or by "hr:<email>" for an HR contact without one; absent, the defaults hold
    (for an HR contact, in the contact's own language). HR contacts of other agencies are ignored.
    """
    roles = AUDIENCE[kind]
    candidates: list[Recipient] = []
    for role, person in ((Role.PEGAWAI, employee), (Role.ATASAN, atasan)):
        if role in roles and person is not None and person.is_active(today):
            candidates.append(_person_recipient(role, person, agency_id, preferences))
    if Role.HR in roles:
        candidates += [_hr_recipient(c, preferences) for c in hr_contacts if c.agency_id == agency_id]
        # The agency's own inbox hears what HR hears: nothing goes unseen while an agency names no HR contact.
        candidates.append(Recipient(role=Role.OPERATOR, agency_id=agency_id))
    return _once_each(candidates)


def channels_for(recipient: Recipient) -> list[Channel]:
    """The channels a recipient's message goes through, in their order of preference.

    E-mail needs an address and the inbox a NIP (it is read per NIP). An HR contact always gets e-mail when it
    has an address: HR is who acts on a rejected report or a missed deadline, and may have no inbox to look at.
    """
    if recipient.role is Role.OPERATOR:
        return [Channel.INBOX]  # the agency's inbox: no person, no address
    chosen = [c for c in dict.fromkeys(recipient.preferences.channels) if c in PERSONAL_CHANNELS]
    if recipient.role is Role.HR and Channel.EMAIL not in chosen:
        chosen.append(Channel.EMAIL)
    return [
        c for c in chosen if (c is not Channel.EMAIL or recipient.email) and (c is not Channel.INBOX or recipient.nip)
    ]


def _person_recipient(role: Role, person: Person, agency_id: str, preferences: Mapping[str, Preferences]) -> Recipient:
    return Recipient(
        role=role,
        agency_id=agency_id,
        nip=person.nip,
        name=person.nama,
        email=person.email,
        preferences=preferences.get(person.nip, Preferences()),
    )


def _hr_recipient(contact: HrContact, preferences: Mapping[str, Preferences]) -> Recipient:
    recipient = Recipient(
        role=Role.HR, agency_id=contact.agency_id, nip=contact.nip, name=contact.nama, email=contact.email
    )
    chosen = preferences.get(recipient.key, Preferences(language=contact.language))
    return recipient.model_copy(update={"preferences": chosen})


def _once_each(candidates: list[Recipient]) -> list[Recipient]:
    """The first of several recipients who are the same person, by NIP or by e-mail address."""
    seen: set[str] = set()
    kept: list[Recipient] = []
    for recipient in candidates:
        identities = {f"nip:{recipient.nip}"} if recipient.nip else set()
        if recipient.email:
            identities.add(f"email:{recipient.email.strip().casefold()}")
        if identities & seen:
            continue
        seen |= identities
        kept.append(recipient)
    return kept
