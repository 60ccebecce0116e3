"""Laboratory units: every analyte has one canonical unit; values are converted on the way in.

Conversion factors are analyte-specific (molar masses of creatinine, bilirubin and glucose), so
a general unit library such as pint cannot supply them; the table below is the whole of it.
Factors: creatinine 88.4 µmol/L per mg/dL; bilirubin 17.1 µmol/L per mg/dL; glucose
18.0 mg/dL per mmol/L; haemoglobin 10 g/L per g/dL and 0.6206 mmol/L per g/dL (monomer basis).

Peptide hormones reported in molar units are converted with the molar mass of the measured
peptide (1 pmol/L × M g/mol = M/1000 pg/mL):

* gastrin (gastrin-17): M ≈ 2100 g/mol, 1 pg/mL ≈ 0.476 pmol/L (read: gastrin unit converter,
  calcengines.com, "MW 2100 g/mol: 1 pg/mL ≈ 0.476 pmol/L");
* glucagon: M ≈ 3485 g/mol (read: labtests.xyz glucagon unit page, "molecular weight ≈ 3485");
* VIP: M ≈ 3326 g/mol (recalled; PubChem);
* C-peptide: M ≈ 3020 g/mol, 1 ng/mL ≈ 0.331 nmol/L (recalled; JAMA SI conversion table);
* proinsulin: M ≈ 9390 g/mol (recalled);
* insulin: 6.0 pmol/L per µU/mL (the consensus factor; assays differ).

Chromogranin A results in nmol/L or U/L are assay-specific and are not converted: they are
refused with the accepted units. A value without a unit is refused for every analyte that has
one (creatinine 80 is not 80 mg/dL); only the INR, a ratio, may omit it.
"""

from __future__ import annotations

from dataclasses import dataclass

from netline.records.vocabulary import Analyte

__all__ = ["CANONICAL_UNITS", "UNITLESS", "UnitConversion", "accepted_units", "to_canonical"]


@dataclass(frozen=True, slots=True)
class UnitConversion:
    """A value converted to its analyte's canonical unit."""

    value: float
    unit: str
    original_value: float
    original_unit: str


_CELLS = {"10^9/L": 1.0, "10*9/L": 1.0, "G/L": 1.0, "x10^9/L": 1.0, "/uL": 1e-3, "/mm3": 1e-3}

# analyte -> (canonical unit, {accepted unit spelling: factor to canonical})
_TABLE: dict[Analyte, tuple[str, dict[str, float]]] = {
    Analyte.NEUTROPHILS: ("10^9/L", _CELLS),
    Analyte.PLATELETS: ("10^9/L", _CELLS),
    Analyte.LYMPHOCYTES: ("10^9/L", _CELLS),
    Analyte.WHITE_CELLS: ("10^9/L", _CELLS),
    Analyte.HAEMOGLOBIN: ("g/dL", {"g/dL": 1.0, "g/L": 0.1, "mmol/L": 1 / 0.6206}),
    Analyte.CREATININE: ("mg/dL", {"mg/dL": 1.0, "umol/L": 1 / 88.4, "µmol/L": 1 / 88.4}),
    Analyte.CREATININE_CLEARANCE: ("mL/min", {"mL/min": 1.0}),
    Analyte.EGFR: ("mL/min/1.73m2", {"mL/min/1.73m2": 1.0}),
    Analyte.BILIRUBIN: ("mg/dL", {"mg/dL": 1.0, "umol/L": 1 / 17.1, "µmol/L": 1 / 17.1}),
    Analyte.ALBUMIN: ("g/L", {"g/L": 1.0, "g/dL": 10.0}),
    Analyte.INR: ("ratio", {"ratio": 1.0, "1": 1.0}),
    Analyte.PROTHROMBIN_RATIO: ("%", {"%": 1.0}),
    Analyte.ALT: ("U/L", {"U/L": 1.0, "IU/L": 1.0}),
    Analyte.AST: ("U/L", {"U/L": 1.0, "IU/L": 1.0}),
    Analyte.ALKALINE_PHOSPHATASE: ("U/L", {"U/L": 1.0, "IU/L": 1.0}),
    Analyte.ICG_R15: ("%", {"%": 1.0}),
    Analyte.CHROMOGRANIN_A: ("ng/mL", {"ng/mL": 1.0, "ug/L": 1.0, "µg/L": 1.0}),
    Analyte.GLUCOSE: ("mmol/L", {"mmol/L": 1.0, "mg/dL": 1 / 18.0}),
    Analyte.HBA1C: ("%", {"%": 1.0}),
    Analyte.FIVE_HIAA: ("umol/24h", {"umol/24h": 1.0, "µmol/24h": 1.0, "mg/24h": 5.23}),
    Analyte.GASTRIN: ("pg/mL", {"pg/mL": 1.0, "ng/L": 1.0, "pmol/L": 2.100}),
    Analyte.INSULIN: ("mU/L", {"mU/L": 1.0, "uU/mL": 1.0, "µU/mL": 1.0, "pmol/L": 1 / 6.0}),
    Analyte.C_PEPTIDE: ("ng/mL", {"ng/mL": 1.0, "ug/L": 1.0, "µg/L": 1.0, "nmol/L": 3.020}),
    Analyte.PROINSULIN: ("pmol/L", {"pmol/L": 1.0, "pg/mL": 1 / 9.390, "ng/L": 1 / 9.390}),
    Analyte.GLUCAGON: ("pg/mL", {"pg/mL": 1.0, "ng/L": 1.0, "pmol/L": 3.485}),
    Analyte.VIP: ("pg/mL", {"pg/mL": 1.0, "ng/L": 1.0, "pmol/L": 3.326}),
}

#: Analytes whose value has no unit (a ratio), so a missing unit is not an error.
UNITLESS: frozenset[Analyte] = frozenset({Analyte.INR})

CANONICAL_UNITS: dict[Analyte, str] = {a: unit for a, (unit, _) in _TABLE.items()}


def accepted_units(analyte: Analyte) -> list[str]:
    """Return the unit spellings accepted for an analyte."""
    return list(_TABLE[analyte][1])


def to_canonical(analyte: Analyte, value: float, unit: str | None) -> UnitConversion:
    """Convert a lab value to its analyte's canonical unit.

    Parameters
    ----------
    analyte : Analyte
        What was measured.
    value : float
        The value as reported.
    unit : str or None
        The unit as reported; ``None`` only for unitless analytes (the INR).

    Returns
    -------
    UnitConversion
        The canonical value and unit with the original kept for audit.

    Raises
    ------
    KeyError
        If the unit is not accepted for the analyte, or is missing for an analyte that has one
        (callers turn this into a Problem).
    """
    canonical, factors = _TABLE[analyte]
    if unit is None and analyte not in UNITLESS:
        raise KeyError("")
    given = canonical if unit is None else unit.strip()
    factor = factors.get(given)
    if factor is None:
        lowered = {k.lower(): v for k, v in factors.items()}
        factor = lowered.get(given.lower())
    if factor is None:
        raise KeyError(given)
    return UnitConversion(round(value * factor, 6), canonical, value, given)
