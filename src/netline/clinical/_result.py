"""The result object every clinical calculator returns."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, Generic, TypeVar

__all__ = ["Finding"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Finding(Generic[T]):
    """What a calculator found, and why.

    One object feeds the command line, the web page, the CDS card and the audit log.

    Parameters
    ----------
    value : T
        The answer (a grade, a stage, a score, a response category, ...).
    rule : str
        The rule set used, e.g. ``"RECIST"``, ``"WHO grading"``, ``"Child-Pugh"``.
    edition : str
        Which edition or version of the rule, e.g. ``"1.1"``, ``"2019"``, ``"AJCC 8"``.
    inputs : Mapping[str, object]
        The inputs the calculator actually used, by name (unit in the name where it matters).
    reason : str
        One line saying how the value follows from the inputs.
    references : tuple of str
        Knowledge-base reference keys of the source of the rule.
    verified : bool
        ``False`` when the rule's thresholds are not verified against source text ([R]/[U] in
        the knowledge base); shown to users as unverified.
    notes : tuple of str
        Caveats worth reading with the value.

    Notes
    -----
    Follows netline's result protocol: ``schema_version``, :meth:`to_dict` (with the key
    ``"schema_version"``) and :meth:`render` for ``"text"``, ``"json"``, ``"markdown"`` and
    ``"html"``.
    """

    schema_version: ClassVar[str] = "1"

    value: T
    rule: str
    edition: str
    inputs: Mapping[str, object]
    reason: str
    references: tuple[str, ...] = ()
    verified: bool = True
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", MappingProxyType(dict(self.inputs)))

    def __str__(self) -> str:
        flag = "" if self.verified else " [unverified]"
        return f"{self.value} ({self.rule} {self.edition}){flag}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary (with ``"schema_version"``)."""
        value: object = self.value
        if hasattr(value, "value") and not isinstance(value, int | float | str):
            value = value.value
        else:
            value = _jsonable(value)
        return {
            "schema_version": self.schema_version,
            "value": value,
            "rule": self.rule,
            "edition": self.edition,
            "inputs": {k: _jsonable(v) for k, v in self.inputs.items()},
            "reason": self.reason,
            "references": list(self.references),
            "verified": self.verified,
            "notes": list(self.notes),
        }

    def render(self, fmt: str) -> str:
        """Return the finding as ``"text"``, ``"json"``, ``"markdown"`` or ``"html"``.

        Parameters
        ----------
        fmt : str
            The format.

        Returns
        -------
        str
            The finding in that format.

        Raises
        ------
        ValueError
            For any other format.
        """
        if fmt == "text":
            lines = [str(self), *(f"  note: {note}" for note in self.notes)]
            if self.references:
                lines.append(f"  sources: {', '.join(self.references)}")
            return "\n".join(lines)
        if fmt == "json":
            return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, allow_nan=False)
        if fmt == "markdown":
            flag = "" if self.verified else " *(unverified)*"
            lines = [f"**{self.value}** ({self.rule} {self.edition}){flag}: {self.reason}"]
            lines += [f"- {note}" for note in self.notes]
            if self.references:
                lines.append(f"- Sources: {', '.join(self.references)}")
            return "\n".join(lines)
        if fmt == "html":
            flag = "" if self.verified else ' <em class="unverified">(unverified)</em>'
            items = "".join(f"<li>{html.escape(note)}</li>" for note in self.notes)
            return (
                f'<div class="finding"><p><strong>{html.escape(str(self.value))}</strong> '
                f"({html.escape(self.rule)} {html.escape(self.edition)}){flag}: "
                f"{html.escape(self.reason)}</p>"
                + (f"<ul>{items}</ul>" if items else "")
                + "</div>"
            )
        raise ValueError(f"unknown format {fmt!r}; expected one of text, json, markdown, html")


def _jsonable(value: object) -> object:
    from dataclasses import fields, is_dataclass
    from enum import Enum

    plain = type(value).__str__ is object.__str__  # a record without its own text form
    if is_dataclass(value) and not isinstance(value, type) and plain:
        return {f.name: _jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)
