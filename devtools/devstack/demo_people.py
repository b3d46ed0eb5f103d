"""The demo's generated staff: Indonesian names, gelar that fit the jabatan, and NIPs the NIP contract accepts.

Jambi's civil servants are mostly Malay, with Javanese, Minang and Batak families among them, so the names mix
those. Everything is drawn from a `random.Random` the caller seeds, so the same demo comes out every time.
"""

import random
from dataclasses import dataclass
from datetime import date

# fmt: off
MALE = (
    "Ahmad", "Muhammad", "Rizky", "Andi", "Budi", "Agus", "Hendra", "Joko", "Dedi", "Eko", "Fajar", "Hadi",
    "Irwan", "Yudi", "Syahrial", "Zulkifli", "Firdaus", "Rahmat", "Syaiful", "Arif", "Bayu", "Dimas", "Taufik",
    "Fadli", "Ilham", "Reza", "Yusuf", "Herman", "Suryadi", "Bambang", "Wahyu", "Heru", "Hasan", "Indra",
    "Nanda", "Doni", "Alfian", "Hamdani", "Safrizal", "Zainal", "Marzuki", "Usman", "Amri", "Erwin", "Jufri",
    "Rudi", "Teguh", "Aditya", "Gilang", "Habibi", "Kurniadi", "Mulyadi", "Novri", "Roni", "Sofyan", "Tamrin",
)
FEMALE = (
    "Siti", "Nur", "Dewi", "Rina", "Sri", "Yuli", "Fitri", "Ratna", "Wulan", "Putri", "Indah", "Mega", "Novi",
    "Ayu", "Rini", "Desi", "Eka", "Yeni", "Sari", "Lina", "Maya", "Intan", "Nurhayati", "Fatimah", "Halimah",
    "Zuraida", "Asmawati", "Elvira", "Suryani", "Herlina", "Marlina", "Yusnita", "Rosmiati", "Dian", "Anisa",
    "Rahmi", "Nining", "Oktavia", "Puspa", "Rika", "Sulastri", "Tuti", "Vivi", "Winda", "Yanti", "Zahra",
)
MALE_FAMILY = (
    "Saputra", "Hidayat", "Pratama", "Wijaya", "Santoso", "Setiawan", "Kurniawan", "Nasution", "Lubis",
    "Siregar", "Harahap", "Putra", "Syahputra", "Rahman", "Hakim", "Efendi", "Gunawan", "Susanto", "Permana",
    "Firmansyah", "Ramadhan", "Hasibuan", "Fauzan", "Nugroho", "Prasetyo", "Hamzah", "Iskandar", "Abdullah",
)
FEMALE_FAMILY = (
    "Lestari", "Wulandari", "Anggraini", "Rahmawati", "Puspitasari", "Oktaviani", "Handayani", "Susanti",
    "Maharani", "Safitri", "Novitasari", "Yuliani", "Fitriani", "Kartika", "Purnamasari", "Ramadhani",
    "Nasution", "Lubis", "Siregar", "Hasanah", "Marlina", "Sari", "Utami", "Permatasari",
)
# fmt: on

# Gelar by kind of jabatan: (prefix, suffix) choices, so a doctor is "dr. ..." and a bidan "..., Amd.Keb".
GELAR = {
    "dokter": (("dr. ", ""), ("dr. ", "M.Kes")),
    "bidan": (("", "Amd.Keb"), ("", "S.Tr.Keb")),
    "perawat": (("", "Amd.Kep"), ("", "S.Kep, Ns")),
    "kesmas": (("", "SKM"), ("", "SKM, M.Kes")),
    "farmasi": (("", "S.Farm, Apt"),),
    "guru": (("", "S.Pd"), ("", "S.Pd.I"), ("", "M.Pd")),
    "teknik": (("", "ST"), ("", "ST"), ("", "ST, MT"), ("", "A.Md.T")),
    "komputer": (("", "S.Kom"), ("", "A.Md.Kom"), ("", "ST")),
    "ekonomi": (("", "SE"), ("", "SE, Ak"), ("", "S.Ak"), ("", "ME")),
    "sosial": (("", "S.Sos"), ("", "S.AP"), ("", "SH")),
    "perencana": (("", "SE, M.Si"), ("", "S.Si"), ("", "ST, M.Sc")),
    "pimpinan": (("", "M.Si"), ("", "MM"), ("Dr. ", "M.Si"), ("", "S.Sos, M.AP")),
    "umum": (("", ""), ("", "A.Md"), ("", "SE"), ("", "S.Sos")),
}

# NIPs the README's examples register: generated staff never take them (the named people are kept out too).
RESERVED_NIPS = frozenset({"198106202006041004", "199203152020122003", "198705092010011003", "199004172015031001"})


@dataclass(frozen=True)
class Person:
    nip: str
    nama: str


def nama(rng: random.Random, pria: bool, gelar: str) -> str:
    """A full name with the gelar of the jabatan; one in seven is a single name, as many Sumatrans have."""
    first = rng.choice(MALE if pria else FEMALE)
    family = rng.choice(MALE_FAMILY if pria else FEMALE_FAMILY)
    name = first if rng.random() < 1 / 7 else f"{first} {family}"
    prefix, suffix = rng.choice(GELAR[gelar])
    return f"{prefix}{name}{', ' + suffix if suffix else ''}"


def nip(rng: random.Random, born: tuple[int, int], tmt: tuple[int, int], pria: bool, taken: set[str]) -> str:
    """An NIP: birth date, TMT (year and month), 1 for men and 2 for women, and a sequence number.

    `born` and `tmt` are ranges of years; the TMT is at least 22 years after birth, as a graduate's is.
    """
    while True:
        birth = date(rng.randint(*born), rng.randint(1, 12), rng.randint(1, 28))
        start = max(tmt[0], birth.year + 22)
        year = rng.randint(start, max(start, tmt[1]))
        month = rng.choice((1, 2, 3, 4, 12))  # when CPNS and PPPK formations usually start
        value = f"{birth:%Y%m%d}{year}{month:02d}{1 if pria else 2}{rng.randint(1, 400):03d}"
        if value not in taken and value not in RESERVED_NIPS:
            taken.add(value)
            return value


# Jabatan that are nearly all held by women in Jambi's puskesmas and schools.
MOSTLY_WOMEN = {"bidan": 1.0, "perawat": 0.75, "guru": 0.65}


def person(rng: random.Random, gelar: str, taken: set[str], *, born: tuple[int, int], tmt: tuple[int, int]) -> Person:
    pria = rng.random() >= MOSTLY_WOMEN.get(gelar, 0.5)
    return Person(nip(rng, born, tmt, pria, taken), nama(rng, pria, gelar))
