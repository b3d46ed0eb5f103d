"""The JP ledger's rules: how many jam pelajaran (1 JP = 45 minutes) an ASN has, needs and may take in a year.

- PNS: every PNS has the right to competency development of at least 20 JP a
  year (PP 11/2017 Pasal 203, as amended by PP 17/2020). A floor to reach, not
  a cap: a PNS may take more.
- PPPK: competency development of at most 24 JP a year of the contract (PP
  49/2018 on PPPK management, Pasal 39). A hard cap: a completion that would
  pass it is refused.
"""

from dataclasses import dataclass
from datetime import date

from shared.contracts.common import JenisAsn

from .errors import TrainingDomainError

JP_MINIMUM_PNS = 20
JP_MAXIMUM_PPPK = 24

# A PNS still short of 20 JP with fewer than 90 days left in the year is at risk: a quarter is about what
# it takes to find a seat, get the atasan's approval and the SPT, and finish even a short course; BPSDM
# classes of the last quarter are usually full or cut when the budget runs out (the Bungo reports), so HR
# is warned while an e-learning or in-house session can still close the shortfall.
AT_RISK_DAYS = 90


class JpLimitExceeded(TrainingDomainError):
    code = "jp_melebihi_batas_pppk"


@dataclass(frozen=True)
class JpStatus:
    jenis_asn: JenisAsn
    tahun: int
    jp: int  # JP completed in the year
    minimum: int | None  # 20 for PNS; none for PPPK
    maximum: int | None  # 24 for PPPK; none for PNS
    kurang: int  # JP still short of the minimum (PNS); 0 for PPPK
    tersisa: int | None  # JP still allowed before the maximum (PPPK); none for PNS
    days_left: int  # days left in the year after as_of; 0 once it has ended
    at_risk: bool  # a PNS short of 20 JP with fewer than AT_RISK_DAYS left


def jp_minimum(jenis_asn: JenisAsn) -> int | None:
    """The JP a year an ASN has the right to: 20 for PNS; PPPK have no floor."""
    return JP_MINIMUM_PNS if jenis_asn is JenisAsn.PNS else None


def jp_limit(jenis_asn: JenisAsn) -> int | None:
    """The most JP a year an ASN may complete: 24 for PPPK; none for PNS."""
    return JP_MAXIMUM_PPPK if jenis_asn is JenisAsn.PPPK else None


def days_left_in_year(tahun: int, as_of: date) -> int:
    """Days after as_of until the end of the year: 0 on 31 December and after; the whole year before it starts."""
    last_day = date(tahun, 12, 31)
    whole_year = (last_day - date(tahun, 1, 1)).days + 1
    return min(max((last_day - as_of).days, 0), whole_year)


def jp_status(jenis_asn: JenisAsn, jp_selesai: int, tahun: int, as_of: date) -> JpStatus:
    """Where an employee stands against the year's JP figures on a given day."""
    if jp_selesai < 0:
        raise ValueError(f"jp_selesai must not be negative, got {jp_selesai}")
    minimum, maximum = jp_minimum(jenis_asn), jp_limit(jenis_asn)
    kurang = max(minimum - jp_selesai, 0) if minimum is not None else 0
    days_left = days_left_in_year(tahun, as_of)
    return JpStatus(
        jenis_asn=jenis_asn,
        tahun=tahun,
        jp=jp_selesai,
        minimum=minimum,
        maximum=maximum,
        kurang=kurang,
        tersisa=max(maximum - jp_selesai, 0) if maximum is not None else None,
        days_left=days_left,
        at_risk=kurang > 0 and days_left < AT_RISK_DAYS,
    )


def check_completion(jenis_asn: JenisAsn, jp_so_far: int, course_jp: int) -> None:
    """Refuse a completion that would take a PPPK past 24 JP in the year; PNS have no cap."""
    limit = jp_limit(jenis_asn)
    if limit is None or jp_so_far + course_jp <= limit:
        return
    raise JpLimitExceeded(
        f"PPPK paling banyak {limit} JP setahun: sudah {jp_so_far} JP, ditambah kursus {course_jp} JP "
        f"menjadi {jp_so_far + course_jp} JP ({jp_so_far + course_jp - limit} JP di atas batas; "
        f"sisa {max(limit - jp_so_far, 0)} JP)."
    )
