"""Walk the models of the knowledge base, yielding every nested model with its path."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

__all__ = ["cited_keys", "label_of", "walk"]


#: Whether a model class has an attribute (a field, a property or a method), by class and name.
_HAS: dict[tuple[type[BaseModel], str], bool] = {}


def _attribute(node: object, name: str) -> object:
    """``getattr(node, name, None)``, without pydantic's slow miss for an absent attribute.

    The knowledge base's models forbid extra fields, so a model has an attribute only when
    its class has it (a field, a property or a method).
    """
    if isinstance(node, BaseModel):
        model = type(node)
        has = _HAS.get((model, name))
        if has is None:
            has = _HAS[(model, name)] = name in _fields(model) or hasattr(model, name)
        if not has and model.model_config.get("extra") == "forbid":
            return None
    return getattr(node, name, None)


def label_of(item: object, index: int) -> str:
    """Return how an element of a tuple is named in a path: its id, key or arm, else its index."""
    for attribute in ("id", "key", "arm"):
        value = _attribute(item, attribute)
        if isinstance(value, str):
            return value
    return str(index)


#: The field names of each model class (reading ``model_fields`` each time is slow).
_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {}


def _fields(model: type[BaseModel]) -> tuple[str, ...]:
    found = _FIELDS.get(model)
    if found is None:
        found = _FIELDS[model] = tuple(model.model_fields)
    return found


def walk(node: object, path: str = "") -> Iterator[tuple[str, BaseModel]]:
    """Yield ``(path, model)`` for ``node`` and every model nested in it, depth first.

    Paths read like ``trials[radiant3].endpoints[pfs].values[everolimus].value``.
    """
    if isinstance(node, BaseModel):
        yield path, node
        for name in _fields(type(node)):
            child = getattr(node, name)
            if isinstance(child, BaseModel | tuple):
                yield from walk(child, f"{path}.{name}" if path else name)
    elif isinstance(node, tuple):
        for index, item in enumerate(node):
            if isinstance(item, BaseModel | tuple):
                yield from walk(item, f"{path}[{label_of(item, index)}]")


def cited_keys(node: BaseModel) -> Iterator[tuple[str, str]]:
    """Yield ``(attribute, key)`` for every reference key a node cites."""
    for attribute in ("ref", "reported_in"):
        key = _attribute(node, attribute)
        if isinstance(key, str):
            yield attribute, key
    for attribute in ("see_also", "references"):
        keys = _attribute(node, attribute) or ()
        if isinstance(keys, tuple):
            for key in keys:
                if isinstance(key, str):
                    yield attribute, key
