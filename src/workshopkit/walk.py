"""Walk a model instance or class field by field, with each field's schema metadata."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .model import MARKDOWN_KEY, TRANSLATE_KEY, VISIBILITY_KEY

Loc = tuple[str | int, ...]


def extra(info: FieldInfo) -> dict[str, Any]:
    value = info.json_schema_extra
    return value if isinstance(value, dict) else {}


def field_visibility(info: FieldInfo) -> str | None:
    vis = extra(info).get(VISIBILITY_KEY)
    return str(vis) if vis else None


def is_markdown(info: FieldInfo) -> bool:
    return bool(extra(info).get(MARKDOWN_KEY))


def is_translatable(info: FieldInfo) -> bool:
    """Whether translators translate the field (titles, Markdown and the texts marked so)."""
    return bool(extra(info).get(TRANSLATE_KEY))


def yaml_key(name: str, info: FieldInfo) -> str:
    return info.alias or name


@dataclass
class Visit:
    loc: Loc  # path of YAML keys and list indexes
    owner: BaseModel
    name: str  # attribute name
    info: FieldInfo
    value: Any


def fields(obj: BaseModel, loc: Loc = ()) -> Iterator[Visit]:
    """Yield every field of ``obj`` and of the models nested in it, depth first."""
    for name, info in type(obj).model_fields.items():
        value = getattr(obj, name)
        here = loc + (yaml_key(name, info),)
        yield Visit(here, obj, name, info, value)
        yield from _nested(value, here)


def _nested(value: Any, loc: Loc) -> Iterator[Visit]:
    if isinstance(value, BaseModel):
        yield from fields(value, loc)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _nested(item, loc + (i,))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nested(item, loc + (key,))


def model_classes(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic model classes mentioned in a type annotation (through lists, unions …)."""
    found: list[type[BaseModel]] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return model_classes(typing.get_args(annotation)[0])
    if origin is not None or isinstance(annotation, types.UnionType):
        for arg in typing.get_args(annotation):
            found.extend(model_classes(arg))
    return found


def class_fields(cls: type[BaseModel], loc: Loc = (),
                 seen: frozenset[type] = frozenset()) -> Iterator[tuple[Loc, type[BaseModel], str, FieldInfo]]:
    """Yield every field declared by ``cls`` and the models it contains (lists as index 0)."""
    if cls in seen:
        return
    for name, info in cls.model_fields.items():
        here = loc + (yaml_key(name, info),)
        yield here, cls, name, info
        for sub in model_classes(info.annotation):
            origin = typing.get_origin(info.annotation)
            inner = here + (0,) if origin in (list, typing.Union) or _is_list(info.annotation) else here
            yield from class_fields(sub, inner, seen | {cls})


def _is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) is list:
        return True
    return any(_is_list(a) for a in typing.get_args(annotation))
