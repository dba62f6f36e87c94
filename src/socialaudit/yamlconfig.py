"""YAML configuration files validated by pydantic models, with errors that name the line.

Registries and routing rules share this: parse the file (keeping the node tree for line
numbers), validate it, and turn the first validation error into a :class:`ConfigError` with
``line (field.path)`` and a readable reason.
"""

from __future__ import annotations

from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def load_yaml_model(path: str, text: str, model: type[M], shape: str) -> M:
    """``text`` (the file at ``path``) validated as ``model``; ``shape`` says what the top level
    must be when it is not a mapping.  An empty file is an empty mapping."""
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(path, line, f"not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(path, 1, shape)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = _format_loc(err["loc"])
        line = _yaml_line(node, err["loc"])
        raise ConfigError(path, f"{line} ({where})" if line and where else (line or where or None),
                          _message(err)) from exc


def _format_loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(err: dict) -> str:
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        return f"unknown field '{err['loc'][-1]}'"
    if err["type"] == "missing":
        return f"missing required field '{err['loc'][-1]}'"
    return msg.removeprefix("Value error, ")


def _yaml_line(node: Any, loc: tuple) -> int | None:
    """Line of the YAML node at a pydantic error location (best effort)."""
    current = node
    line = current.start_mark.line + 1 if current is not None else None
    for part in loc:
        if isinstance(current, yaml.MappingNode):
            nxt = next((v for k, v in current.value if getattr(k, "value", None) == part), None)
            if nxt is None:
                break
            key_node = next(k for k, v in current.value if v is nxt)
            line = key_node.start_mark.line + 1
            current = nxt
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int) and part < len(current.value):
            current = current.value[part]
            line = current.start_mark.line + 1
        else:
            break
    return line
