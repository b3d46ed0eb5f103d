"""Words and numbers as a BKPSDM officer reads them in reasons and explanations.

Numbers use the Indonesian decimal comma and drop trailing zeros (107,14; 6,5;
100), with no thousands separator so that "1.000" is never misread.
"""

from collections.abc import Iterable


def angka(value: float, decimals: int = 2) -> str:
    """A number with a decimal comma: 107.14 -> "107,14", 7.0 -> "7", 0.25 -> "0,25"."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text.replace(".", ",")


def masukan(value: float) -> str:
    """An input as reported (realisasi, target): more decimals, so the formula shown is the one computed."""
    return angka(value, 6)


def daftar(items: Iterable[str], conjunction: str = "atau") -> str:
    """ "A", "A atau B", "A, B atau C"."""
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"
