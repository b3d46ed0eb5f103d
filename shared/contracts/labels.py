"""The official names of the regulation's terms, as a BKPSDM officer reads them (PermenPANRB 6/2022)."""

from .common import BerAKHLAK, Predikat, Rating
from .scores import OrganisationPredikat

RATING_LABEL = {
    Rating.DI_ATAS: "Di Atas Ekspektasi",
    Rating.SESUAI: "Sesuai Ekspektasi",
    Rating.DI_BAWAH: "Di Bawah Ekspektasi",
}

PREDIKAT_LABEL = {
    Predikat.SANGAT_BAIK: "Sangat Baik",
    Predikat.BAIK: "Baik",
    Predikat.BUTUH_PERBAIKAN: "Butuh Perbaikan",
    Predikat.KURANG: "Kurang",
    Predikat.SANGAT_KURANG: "Sangat Kurang",
}

ORGANISATION_PREDIKAT_LABEL = {
    OrganisationPredikat.ISTIMEWA: "Istimewa",
    OrganisationPredikat.BAIK: "Baik",
    OrganisationPredikat.BUTUH_PERBAIKAN: "Butuh Perbaikan",
    OrganisationPredikat.KURANG: "Kurang",
    OrganisationPredikat.SANGAT_KURANG: "Sangat Kurang",
}

BERAKHLAK_LABEL = {
    BerAKHLAK.BERORIENTASI_PELAYANAN: "Berorientasi Pelayanan",
    BerAKHLAK.AKUNTABEL: "Akuntabel",
    BerAKHLAK.KOMPETEN: "Kompeten",
    BerAKHLAK.HARMONIS: "Harmonis",
    BerAKHLAK.LOYAL: "Loyal",
    BerAKHLAK.ADAPTIF: "Adaptif",
    BerAKHLAK.KOLABORATIF: "Kolaboratif",
}
