"""What parsed, when a file fails the schema: the file's model without the parts that failed.

``workshopkit check`` reports every problem at once: a schema error in one session must not hide
a dangling reference in another, or a broken link in a text of the same module. So when a file
fails the schema, the loader reports the errors and then keeps what parsed:

* an object (a session, an activity, a slot, a source of the library …) with an error anywhere
  in it is left out as a whole, so that no object the rules see holds a value its author did
  not write (a default in place of a misspelt key could make a rule report something false);
* at the top of a file, a key with an error is left out (the schema's default takes its place)
  or, when it is required and no rule reads it (a title, the audience, the level), stands in
  with a placeholder; a file whose id or whose required lists fail is left out as a whole.

What was left out is recorded per model object and field (:class:`Lost`), with the ids of the
items left out where they could be read, so that the rules hold back exactly where the missing
part could change their answer: a reference to an item that was left out is not unknown, and a
session whose activities lost one does not add up to anything.

Positions follow the parts that stay: when a list item is left out, the items after it move up
one place in the data, and their positions (file and line) move with them.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from .model import ID_PATTERN
from .walk import model_classes
from .yamlload import PathKey, YamlDoc

#: Required top-level keys that no rule reads, with a placeholder that lets the rest of the file
#: be checked when their value fails (the error is reported all the same).
PLACEHOLDERS: dict[str, dict[str, Any]] = {
    "Module": {"title": "untitled", "audience": ["untitled"], "level": "introductory",
               "content_warnings": {"tags": []}},
    "Workshop": {"title": "untitled", "audience": ["untitled"], "start_date": "2000-01-01"},
    "Source": {"title": "untitled", "kind": "report", "publisher": "unknown"},
    "Curriculum": {"title": "untitled"},
}

#: The most rounds of leaving parts out before a file is given up (each round leaves out at
#: least one part, so a file ends long before; this only bounds the work).
MAX_ROUNDS = 200


class _GiveUp(Exception):
    """Nothing of the file can be kept (its id, or a required list, failed)."""


@dataclass
class Lost:
    """What was left out of one field of one object: the ids of the items left out, or None
    when a part without a readable id was left out (any id may then have been among them)."""

    ids: frozenset[str] | None


@dataclass
class Partial:
    """A file's model without the parts that failed, and where they were."""

    model: BaseModel
    doc: YamlDoc  # positions of the parts kept, as the model numbers them
    lost: list[tuple[BaseModel, str, Lost]] = field(default_factory=list)  # (object, attribute, what it lost)


def _field(cls: type[BaseModel], key: str) -> tuple[str, FieldInfo] | None:
    """(attribute name, field) of the key ``key`` of ``cls`` (a name or an alias)."""
    for name, info in cls.model_fields.items():
        if key in (name, info.alias):
            return name, info
    return None


def _owners(cls: type[BaseModel], data: Any, loc: PathKey) -> list[tuple[int, type[BaseModel]]]:
    """(length of the prefix of ``loc``, model class) of every model object along ``loc``."""
    found: list[tuple[int, type[BaseModel]]] = []
    classes: list[type[BaseModel]] = [cls]
    node = data
    for i, part in enumerate(loc):
        if classes and not isinstance(node, list):
            found.append((i, classes[0]))
        if isinstance(node, dict) and isinstance(part, str):
            info = next((f for c in classes if (f := _field(c, part)) is not None), None)
            classes = model_classes(info[1].annotation) if info else []
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            break
    else:
        if classes and not isinstance(node, list):
            found.append((len(loc), classes[0]))
    return found


def _at(data: Any, path: PathKey) -> Any:
    for part in path:
        data = data[part]
    return data


def _sort_key(path: PathKey) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in path)


class _Pruner:
    """Leaves the failing parts out of a copy of a file's data, round after round, until the
    rest validates; keeps the positions and what was lost in step with the data."""

    def __init__(self, cls: type[BaseModel], doc: YamlDoc):
        self.cls = cls
        self.data = copy.deepcopy(doc.data)
        self.positions = dict(doc.positions)
        self.text_lines = dict(doc.text_lines)
        self.path = doc.path
        self.removed: list[tuple[PathKey, int]] = list(doc.removed)
        #: (path of the owning object, key) -> ids lost (None: unknown)
        self.lost: dict[tuple[PathKey, str], set[str] | None] = {}
        self.placeheld: set[str] = set()

    # -- recording -----------------------------------------------------------------------------

    def _lose(self, owner: PathKey, key: str, item: Any = None) -> None:
        """Record that ``item`` was left out of the list ``key`` of the object at ``owner``: by
        its id, unless it has none that is valid (a reference may then mean it by any id)."""
        ident = item.get("id") if isinstance(item, dict) else None
        before = self.lost.get((owner, key), set())
        if before is None or not isinstance(ident, str) or not re.match(ID_PATTERN, ident):
            self.lost[(owner, key)] = None
        else:
            self.lost[(owner, key)] = before | {ident}

    def _remap(self, table: dict[Any, Any], path: PathKey, removed_item: bool, keep_self: bool) -> dict[Any, Any]:
        """``table`` (keyed by paths, or by (path, key)) after the part at ``path`` was left out."""
        out: dict[Any, Any] = {}
        n = len(path)
        for k, v in table.items():
            p = k[0] if k and isinstance(k[0], tuple) else k
            if p[:n] == path:
                if keep_self and len(p) == n:
                    out[k] = v
                continue  # the part itself, or inside it
            if removed_item and len(p) >= n and p[:n - 1] == path[:n - 1] and isinstance(p[n - 1], int) \
                    and p[n - 1] > path[n - 1]:
                moved = p[:n - 1] + (p[n - 1] - 1,) + p[n:]
                k = (moved, k[1]) if k and isinstance(k[0], tuple) else moved
            out[k] = v
        return out

    def _drop(self, path: PathKey, keep_position: bool = False) -> None:
        parent = _at(self.data, path[:-1])
        removed_item = isinstance(parent, list)
        if removed_item:
            del parent[path[-1]]
            self.removed.append((path[:-1], int(path[-1])))
        else:
            parent.pop(path[-1], None)
        self.positions = self._remap(self.positions, path, removed_item, keep_position)
        self.text_lines = self._remap(self.text_lines, path, removed_item, False)
        self.lost = self._remap(self.lost, path, removed_item, False)

    # -- deciding what to leave out ------------------------------------------------------------

    def _top_key(self, key: str) -> None:
        """Leave out (or hold with a placeholder) a top-level key whose value failed."""
        found = _field(self.cls, key)
        if found is None:  # an unknown key: the key it was meant to be stays unknown too
            close = difflib.get_close_matches(key, [i.alias or n for n, i in self.cls.model_fields.items()], n=1)
            self._drop((key,))
            if close:
                self.lost[((), close[0])] = None
            return
        name, info = found
        if not info.is_required():
            self._drop((key,))
            self.lost[((), key)] = None
            return
        held = PLACEHOLDERS.get(self.cls.__name__, {})
        if key in held and key not in self.placeheld:
            self.placeheld.add(key)
            self._drop((key,), keep_position=True)
            self.data[key] = copy.deepcopy(held[key])
            self.lost[((), key)] = None
            return
        raise _GiveUp(key)

    def _leave_out(self, path: PathKey) -> None:
        """Leave out the list item at ``path``, or the top-level key ``path[0]``."""
        if not path:
            raise _GiveUp("")
        last = path[-1]
        if isinstance(last, int):
            item = _at(self.data, path)
            owner, key = path[:-2], path[-2]
            if not isinstance(key, str):
                raise _GiveUp(str(key))  # a list in a list: the schema has none
            self._drop(path)
            self._lose(owner, key, item)
        else:
            self._top_key(last)

    def _target(self, loc: PathKey) -> PathKey:
        """What to leave out for an error at ``loc`` (a path of the data): the object that holds
        it (a list item; the owner of an object that is the value of a key), or a top-level key;
        ``()`` for the whole file."""
        owners = _owners(self.cls, self.data, loc)
        depth = owners[-1][0] if owners else 0
        target = loc[:1] if depth == 0 else loc[:depth]
        while len(target) > 1 and isinstance(target[-1], str):
            target = target[:-1]
        return target

    def leave_out_for(self, locs: list[PathKey]) -> None:
        """Leave out what each error's place calls for (later list items first, so that the
        places of the others stay as they are until they are left out)."""
        targets = {self._target(loc) for loc in locs}
        if () in targets:
            raise _GiveUp("")
        for target in sorted(targets, key=_sort_key, reverse=True):
            if any(target[:n] in targets for n in range(len(target))):
                continue  # inside a part that is left out as a whole
            self._leave_out(target)


def parse_partial(cls: type[BaseModel], doc: YamlDoc, clean: Callable[[Any, PathKey, bool], PathKey]) -> Partial | None:
    """The model of ``doc`` without the parts that fail ``cls``, or None if nothing can be kept.

    ``clean(data, loc, missing)`` turns pydantic's location of an error into a path of the data.
    """
    if not isinstance(doc.data, dict):
        return None
    pruner = _Pruner(cls, doc)
    for _ in range(MAX_ROUNDS):
        try:
            model = cls.model_validate(pruner.data)
        except ValidationError as exc:
            try:
                pruner.leave_out_for([clean(pruner.data, tuple(err["loc"]), err["type"] == "missing")
                              for err in exc.errors(include_url=False)])
            except (_GiveUp, KeyError, IndexError, TypeError):
                return None
            continue
        except RecursionError:  # pragma: no cover - the reader limits depth first
            return None
        kept = YamlDoc(pruner.path, pruner.data, pruner.positions, pruner.text_lines, pruner.removed)
        return Partial(model, kept, _resolve_lost(model, pruner.lost))
    return None


def _object_at(model: BaseModel, path: PathKey) -> BaseModel | None:
    node: Any = model
    for part in path:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
        elif isinstance(node, BaseModel):
            found = _field(type(node), part)
            node = getattr(node, found[0]) if found else None
        else:
            node = None
        if node is None:
            return None
    return node if isinstance(node, BaseModel) else None


def _resolve_lost(model: BaseModel, lost: dict[tuple[PathKey, str], set[str] | None]) -> list[tuple[BaseModel, str, Lost]]:
    out: list[tuple[BaseModel, str, Lost]] = []
    for (owner_path, key), ids in lost.items():
        owner = _object_at(model, owner_path)
        found = _field(type(owner), key) if owner is not None else None
        if owner is not None and found is not None:
            out.append((owner, found[0], Lost(None if ids is None else frozenset(ids))))
    return out
