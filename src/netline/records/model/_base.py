"""The base model and shared field types of the clinical record."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

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
