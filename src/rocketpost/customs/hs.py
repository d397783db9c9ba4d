"""The Harmonized System nomenclature (HS 2022), curated for e-commerce parcels.

No PyPI package ships the HS nomenclature, so ``data/hs2022.txt`` carries it: every chapter
(01–97 plus the reserved 77, 98, 99) and the headings and 6-digit subheadings that parcels
actually carry — a few hundred of the ~5,600 subheadings. Validation is strict: a code must be a
listed subheading, and the error says which level (chapter, heading, subheading) is missing so
that a real but uncurated code is told apart from a typo.

Screening works on integer positions into the sorted subheading list (:attr:`HsNomenclature.codes`),
so every per-HS table in screening is a small dense array indexed by that position.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from rocketpost.customs._data import data_file
from rocketpost.errors import InputError

__all__ = ["HsNomenclature", "load_nomenclature", "nomenclature"]

_RESERVED_MARK = "(Reserved"


@dataclass(frozen=True, eq=False)
class HsNomenclature:
    """Chapters, headings and subheadings with their (shortened) descriptions.

    Parameters
    ----------
    chapters, headings, subheadings
        Code → description, keyed by 2-, 4- and 6-digit strings.
    source
        The data file's header comment (source and date).
    """

    chapters: Mapping[str, str]
    headings: Mapping[str, str]
    subheadings: Mapping[str, str]
    source: str = ""
    codes: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        for code in self.headings:
            if code[:2] not in self.chapters:
                raise InputError(f"headings.{code}", code, "its chapter is not listed")
        for code in self.subheadings:
            if code[:4] not in self.headings:
                raise InputError(f"subheadings.{code}", code, "its heading is not listed")
        object.__setattr__(
            self, "codes", np.array(sorted(int(c) for c in self.subheadings), dtype=np.int32)
        )

    def is_reserved(self, chapter: str) -> bool:
        """Whether ``chapter`` is reserved (77 for future use, 98–99 for national use)."""
        return self.chapters.get(chapter, "").startswith(_RESERVED_MARK)

    def check(self, code: str, *, field: str = "hs_code") -> str:
        """Validate a 6-digit subheading and return its description.

        Raises
        ------
        InputError
            Naming ``field`` when the code is malformed, in a reserved or unknown chapter, or not a
            subheading of the shipped (curated) data.
        """
        if not (isinstance(code, str) and len(code) == 6 and code.isdigit()):
            raise InputError(field, code, "must be a 6-digit HS subheading")
        chapter, heading = code[:2], code[:4]
        if chapter not in self.chapters:
            raise InputError(field, code, f"chapter {chapter} does not exist in HS 2022")
        if self.is_reserved(chapter):
            raise InputError(field, code, f"chapter {chapter} is reserved in HS 2022")
        description = self.subheadings.get(code)
        if description is not None:
            return description
        if heading not in self.headings:
            raise InputError(
                field,
                code,
                f"heading {heading} is not in the shipped HS 2022 data "
                f"(chapter {chapter}: {self.chapters[chapter]}; the data is curated, not complete)",
            )
        raise InputError(
            field,
            code,
            f"not a subheading of heading {heading} ({self.headings[heading]}) in the shipped "
            "HS 2022 data",
        )

    def describe(self, code: str) -> str:
        """The most specific description known for a 2-, 4- or 6-digit code ('' if none)."""
        for table, width in ((self.subheadings, 6), (self.headings, 4), (self.chapters, 2)):
            if len(code) >= width and code[:width] in table:
                return table[code[:width]]
        return ""

    def index(self, codes: np.ndarray) -> np.ndarray:
        """Positions of 6-digit integer ``codes`` in :attr:`codes`; -1 where a code is unknown."""
        codes = np.asarray(codes)
        position = np.searchsorted(self.codes, codes)
        clipped = np.minimum(position, len(self.codes) - 1)
        found = self.codes[clipped] == codes
        return np.where(found, clipped, -1).astype(np.int64)

    def prefix_table(self, values: Mapping[str, float], default: float) -> np.ndarray:
        """Dense float array over :attr:`codes`: the value of the longest matching HS prefix.

        ``values`` maps HS prefixes (2–6 digits) to numbers; codes matching none get ``default``.
        Built once per table, it turns a per-line prefix lookup into one NumPy gather.
        """
        table = np.full(len(self.codes), default, dtype=np.float64)
        for position, code in enumerate(f"{c:06d}" for c in self.codes):
            match = longest_prefix(code, values)
            if match is not None:
                table[position] = float(values[match])
        return table


def longest_prefix(code: str, table: Mapping[str, object]) -> str | None:
    """The longest key of ``table`` that ``code`` starts with (keys are 2–6 digit HS prefixes)."""
    for width in (6, 5, 4, 3, 2, 1):
        if code[:width] in table:
            return code[:width]
    return None


def load_nomenclature(path: Path | str) -> HsNomenclature:
    """Read an HS file: ``#`` comments, then ``code | description`` lines.

    Raises
    ------
    InputError
        Naming the file and line of a malformed or duplicated entry.
    """
    path = Path(path)
    tables: dict[int, dict[str, str]] = {2: {}, 4: {}, 6: {}}
    source: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.startswith("#"):
                source.append(line[1:].strip())
                continue
            if not line.strip():
                continue
            code, sep, description = line.partition("|")
            code = code.strip()
            where = f"{path.name}:{number}"
            if not sep or not code.isdigit() or len(code) not in tables:
                raise InputError(where, line.strip(), "expected 'code | description'")
            table = tables[len(code)]
            if code in table:
                raise InputError(where, code, "duplicate HS code")
            table[code] = description.strip()
    return HsNomenclature(
        chapters=tables[2], headings=tables[4], subheadings=tables[6], source=" ".join(source)
    )


@lru_cache(maxsize=1)
def nomenclature() -> HsNomenclature:
    """The curated HS 2022 nomenclature shipped with the package (loaded once)."""
    return load_nomenclature(data_file("hs2022.txt"))
