"""Words, dates, numbers and amounts as the reader expects them, in Bahasa Indonesia or English.

Official terms keep their Indonesian form in both languages (NIP, JP, predikat, BerAKHLAK); labels an English
reader would not know are translated, and templates may show the official one beside them (`predikat_resmi`).
Dates read 01-10-2026 or 1 Oktober 2026 / 1 October 2026; amounts Rp1.500.000 in both languages (the rupiah is
always written the Indonesian way); decimals take a comma in Bahasa Indonesia and a point in English.
"""

import re
from datetime import date, datetime
from typing import NamedTuple

from shared.contracts.common import BerAKHLAK, Period, Predikat, Rating
from shared.contracts.scores import AnnualMethod, OrganisationPredikat, RevisionCause
from shared.contracts.training import LearningMode

from .clock import WIB
from .deliveries import Language


class Words(NamedTuple):
    """One label in both languages: `Words("Baik", "Good")(language)`."""

    id: str
    en: str

    def __call__(self, language: Language) -> str:
        return self.en if language is Language.EN else self.id


PREDIKAT = {
    Predikat.SANGAT_BAIK: Words("Sangat Baik", "Very Good"),
    Predikat.BAIK: Words("Baik", "Good"),
    Predikat.BUTUH_PERBAIKAN: Words("Butuh Perbaikan", "Needs Improvement"),
    Predikat.KURANG: Words("Kurang", "Poor"),
    Predikat.SANGAT_KURANG: Words("Sangat Kurang", "Very Poor"),
}
ORGANISATION_PREDIKAT = {
    OrganisationPredikat.ISTIMEWA: Words("Istimewa", "Outstanding"),
    OrganisationPredikat.BAIK: Words("Baik", "Good"),
    OrganisationPredikat.BUTUH_PERBAIKAN: Words("Butuh Perbaikan", "Needs Improvement"),
    OrganisationPredikat.KURANG: Words("Kurang", "Poor"),
    OrganisationPredikat.SANGAT_KURANG: Words("Sangat Kurang", "Very Poor"),
}
RATING = {
    Rating.DI_ATAS: Words("Di Atas Ekspektasi", "Above Expectations"),
    Rating.SESUAI: Words("Sesuai Ekspektasi", "Meets Expectations"),
    Rating.DI_BAWAH: Words("Di Bawah Ekspektasi", "Below Expectations"),
}
BERAKHLAK = {
    BerAKHLAK.BERORIENTASI_PELAYANAN: Words("Berorientasi Pelayanan", "Service Oriented"),
    BerAKHLAK.AKUNTABEL: Words("Akuntabel", "Accountable"),
    BerAKHLAK.KOMPETEN: Words("Kompeten", "Competent"),
    BerAKHLAK.HARMONIS: Words("Harmonis", "Harmonious"),
    BerAKHLAK.LOYAL: Words("Loyal", "Loyal"),
    BerAKHLAK.ADAPTIF: Words("Adaptif", "Adaptive"),
    BerAKHLAK.KOLABORATIF: Words("Kolaboratif", "Collaborative"),
}
LEARNING_MODE = {
    LearningMode.KLASIKAL: Words("klasikal", "classroom"),
    LearningMode.E_LEARNING: Words("e-learning", "e-learning"),
    LearningMode.COACHING: Words("coaching", "coaching"),
    LearningMode.MENTORING: Words("mentoring", "mentoring"),
    LearningMode.IN_HOUSE: Words("in-house", "in-house"),
}
REVISION_CAUSE = {
    RevisionCause.CORRECTION: Words("laporan kinerja dikoreksi", "the work report was corrected"),
    RevisionCause.RESCORE: Words(
        "dinilai ulang dengan kebijakan penilaian instansi yang berlaku",
        "rescored under the agency's current scoring policy",
    ),
}
ANNUAL_METHOD = {
    AnnualMethod.DOMINANT: Words("rating yang paling sering muncul", "the rating of most periods"),
    AnnualMethod.LATEST: Words("rating periode terakhir", "the rating of the latest period"),
    AnnualMethod.MEAN: Words("rata-rata kode SIASN", "the mean of the SIASN codes"),
}
# fmt: off
MONTHS = {
    Language.ID: ("Januari", "Februari", "Maret", "April", "Mei", "Juni",
                  "Juli", "Agustus", "September", "Oktober", "November", "Desember"),
    Language.EN: ("January", "February", "March", "April", "May", "June",
                  "July", "August", "September", "October", "November", "December"),
}
# fmt: on
ROMAN = ("I", "II", "III", "IV")
PERIOD_ID = re.compile(r"^(?P<year>[0-9]{4})(?:-(?:(?P<month>0[1-9]|1[0-2])|q(?P<quarter>[1-4])|s(?P<half>[12])))?$")


def format_date(day: date, language: Language) -> str:
    """1 Oktober 2026 / 1 October 2026."""
    return f"{day.day} {MONTHS[language][day.month - 1]} {day.year}"


def format_date_short(day: date) -> str:
    """01-10-2026, in both languages (as on Indonesian forms)."""
    return f"{day:%d-%m-%Y}"


def format_moment(moment: datetime, language: Language) -> str:
    """A deadline as the agency reads it, in Jakarta time: 5 Januari 2027 pukul 23.59 WIB."""
    local = moment.astimezone(WIB)
    if language is Language.EN:
        return f"{format_date(local.date(), language)}, {local:%H:%M} WIB"
    return f"{format_date(local.date(), language)} pukul {local:%H.%M} WIB"


def format_date_range(period: Period, language: Language) -> str:
    joiner = "to" if language is Language.EN else "s.d."
    return f"{format_date_short(period.start)} {joiner} {format_date_short(period.end)}"


def format_rupiah(amount: int) -> str:
    """Rp1.500.000: dots between thousands, no decimals (as rupiah amounts are written)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


def format_number(value: float, language: Language, decimals: int = 2) -> str:
    """96,4 / 96.4: trailing zeros dropped, no thousands separator (so 1.000 is never misread)."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    text = "0" if text == "-0" else text
    return text if language is Language.EN else text.replace(".", ",")


def format_percent(value: float, language: Language) -> str:
    return f"{format_number(value, language, 1)}%"


def period_label(period_id: str, language: Language) -> str:
    """Oktober 2026, Triwulan IV 2026, Semester II 2026, Tahun 2026 (the id itself if it is none of these)."""
    match = PERIOD_ID.match(period_id)
    if match is None:
        return period_id
    year, english = match["year"], language is Language.EN
    if match["month"]:
        return f"{MONTHS[language][int(match['month']) - 1]} {year}"
    if match["quarter"]:
        return (
            f"Quarter {match['quarter']} {year}" if english else f"Triwulan {ROMAN[int(match['quarter']) - 1]} {year}"
        )
    if match["half"]:
        return f"Semester {match['half']} {year}" if english else f"Semester {ROMAN[int(match['half']) - 1]} {year}"
    return f"Year {year}" if english else f"Tahun {year}"
