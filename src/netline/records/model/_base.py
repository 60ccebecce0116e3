"""The base model and shared field types of the clinical record."""

from __future__ import annotations

import functools
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Identifier", "LiverInvolvement", "Millimetres", "Percent"]

#: Share of the liver replaced by tumour, in the bands used by NET trials and guidelines.
LiverInvolvement = Literal["<10%", "10-25%", "25-50%", ">50%"]
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][\w.-]{0,63}$")]
Percent = Annotated[float, Field(ge=0, le=100)]
Millimetres = Annotated[float, Field(ge=0, le=1000)]


class _Model(BaseModel):
    # allow_inf_nan=False: NaN and infinities are refused in every float field of the record.
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        validate_default=False,
        allow_inf_nan=False,
    )

    @model_validator(mode="before")
    @classmethod
    def _no_true_or_false_for_a_number(cls, data: Any) -> Any:
        # pydantic's lax mode reads true as 1 and false as 0; in a record that is a slip
        # (``ki67_percent: true``), never a number (issue 10). The value is handed on as the
        # text "true"/"false", so the field's own number check refuses it at its own path.
        if not isinstance(data, dict):
            return data
        numbers = _number_fields(cls)
        slips = {
            key: str(value).lower()
            for key, value in data.items()
            if isinstance(value, bool) and key in numbers
        }
        return {**data, **slips} if slips else data


@functools.cache
def _number_fields(model: type[BaseModel]) -> frozenset[str]:
    """Return the names of a model's number fields, read once per model.

    A record has thousands of values, and reading an annotation costs microseconds.
    """
    return frozenset(
        name for name, field in model.model_fields.items() if _is_number(field.annotation)
    )


def _is_number(annotation: object) -> bool:
    """Whether a field holds a number (int or float, possibly optional) and never a bool."""
    if get_origin(annotation) in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
    else:
        options = [annotation]
    options = [get_args(a)[0] if get_origin(a) is Annotated else a for a in options]
    return bool(options) and all(a in (int, float) for a in options)
