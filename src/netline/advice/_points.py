"""A statement shown to the tumour board, with the references that support it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Point", "count_words"]


@dataclass(frozen=True, slots=True)
class Point:
    """One statement of the advice, with its knowledge-base references.

    Attributes
    ----------
    text : str
        The statement; every number in it was printed by
        :func:`netline.evidence.format_quantity` and carries its verification tag.
    refs : tuple of str
        Knowledge-base reference keys (``netline evidence reference KEY``).
    kind : str
        ``support``, ``caution``, ``exclusion``, ``check`` (to be checked: data missing),
        ``info`` or ``conflict``.
    status : str or None
        Verification status of the knowledge-base item the statement rests on
        (``verified``, ``recalled``, ``uncertain``); ``None`` for statements about the
        patient's own data.
    """

    text: str
    refs: tuple[str, ...] = ()
    kind: str = "info"
    status: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        return {
            "text": self.text,
            "refs": list(self.refs),
            "kind": self.kind,
            "status": self.status,
        }


def count_words(n: int, singular: str, plural: str) -> str:
    """Return a count with its noun in the right number ("1 liver metastasis", "3 ...").

    Parameters
    ----------
    n : int
    singular, plural : str
        The noun (with any words before it) for one and for several.

    Returns
    -------
    str
    """
    return f"{n} {singular if n == 1 else plural}"
