"""Standard files: finding them, reading YAML strictly and resolving `extends`.

The YAML files in this folder are the indicator systems. A variant names its base with `extends`
and lists only what it changes; the overlay is merged key by key, and a key that does not exist in
the base (other than a whole new item) is refused, so a mistyped override cannot go unnoticed.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from junheng.core.standard import Standard, StandardError, build_standard

STANDARDS_DIR = Path(__file__).parent
DEFAULT_STANDARD = "national-2017"
_IDENTITY_KEYS = {"id", "name", "version", "document", "description", "extends"}


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"重复的字段“{key}”", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> Any:
    """Read one YAML data file strictly (duplicate keys refused, a mapping at the top); problems
    become StandardError naming the file and line, which other loaders re-raise as their own."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise StandardError(
            path.name, "文件", "不存在或无法读取（应为 UTF-8 编码的文本）"
        ) from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else "YAML"
        problem = getattr(exc, "problem", None) or str(exc)
        raise StandardError(path.name, where, f"YAML 格式错误：{problem}") from None
    if not isinstance(data, dict):
        raise StandardError(path.name, "顶层", "文件内容应为键值映射")
    return data


def overlay(base: Any, override: Any, origin: str, where: str) -> Any:
    """`override` merged key by key over `base`; a key the base lacks is a StandardError (a mistyped
    override), except a whole new item or check."""
    if not isinstance(base, Mapping) or not isinstance(override, Mapping):
        return override
    merged = dict(base)
    for key, value in override.items():
        path = f"{where}.{key}" if where else str(key)
        if key not in base:
            # A variant may add a whole item or a whole check, never an unknown field elsewhere.
            if where == "items" or where.endswith(".checks"):
                merged[key] = value
                continue
            raise StandardError(
                origin, path, "被继承的标准中没有该字段，无法覆盖（是否拼写错误？）"
            )
        merged[key] = overlay(base[key], value, origin, path)
    return merged


def standard_files() -> dict[str, Path]:
    """Standard id → file, for every file in the standards folder."""
    files: dict[str, Path] = {}
    for path in sorted(STANDARDS_DIR.glob("*.yaml")):
        data = read_yaml(path)
        sid = data.get("id")
        if not isinstance(sid, str):
            raise StandardError(path.name, "id", "缺少必填字段")
        if sid in files:
            raise StandardError(path.name, "id", f"标准标识“{sid}”与 {files[sid].name} 重复")
        files[sid] = path
    return files


def _resolve(path: Path, files: Mapping[str, Path], seen: tuple[str, ...]) -> dict:
    data = read_yaml(path)
    parent_id = data.get("extends")
    if parent_id is None:
        return data
    if not isinstance(parent_id, str) or parent_id not in files:
        raise StandardError(path.name, "extends", f"找不到被继承的标准“{parent_id}”")
    if parent_id in seen:
        raise StandardError(path.name, "extends", f"继承关系形成循环：{' → '.join(seen)}")
    base = _resolve(files[parent_id], files, (*seen, parent_id))
    body = {k: v for k, v in data.items() if k not in _IDENTITY_KEYS}
    merged = overlay(
        {k: v for k, v in base.items() if k not in _IDENTITY_KEYS}, body, path.name, ""
    )
    identity = {k: data[k] for k in _IDENTITY_KEYS if k in data}
    identity.setdefault("document", base.get("document", ""))
    return merged | identity


def load_standard_file(path: Path) -> Standard:
    """Load a standard from any file path (it may extend a bundled standard)."""
    files = standard_files()
    data = _resolve(path, files, (str(read_yaml(path).get("id")),))
    return build_standard(data, path.name)


@cache
def load_standard(standard_id: str = DEFAULT_STANDARD) -> Standard:
    """Load a bundled standard by id, or a standard file by path."""
    files = standard_files()
    if standard_id in files:
        return load_standard_file(files[standard_id])
    path = Path(standard_id)
    if path.suffix in {".yaml", ".yml"} and path.exists():
        return load_standard_file(path)
    known = "、".join(files)
    raise StandardError(standard_id, "id", f"没有这个标准；可用的标准：{known}")


def available_standards() -> list[Standard]:
    """Every bundled standard, base standards first."""
    standards = [load_standard(sid) for sid in standard_files()]
    return sorted(standards, key=lambda s: (s.extends is not None, s.id))
