"""A small, safe expression language for the formulas written in standard files.

Formulas are Python-syntax expressions over Dataset column names, for example
``teachers_postgraduate + teachers_bachelor`` or ``max(1, ceil(classes / classes_per_room))``.
They are parsed once with :mod:`ast`, checked against a whitelist (no attribute access, no
subscripts, no lambdas, only the functions below), and compiled to Polars expressions, so one
formula evaluates 200,000 schools at once. Nothing from a standard file is ever passed to `eval`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import reduce

import polars as pl


class ExpressionError(ValueError):
    """A formula that cannot be parsed or uses something outside the language."""


FUNCTIONS: dict[str, str] = {
    "min": "最小值",
    "max": "最大值",
    "ceil": "向上取整",
    "floor": "向下取整",
    "coalesce": "第一个已填报的值（未填报按后一个值计）",
    "abs": "绝对值",
}

_BINARY: dict[type[ast.operator], Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
_COMPARE: dict[type[ast.cmpop], Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
}


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its source text, the names it reads and its syntax tree."""

    source: str
    names: frozenset[str]
    tree: ast.expr = field(compare=False, repr=False)

    def to_polars(self, params: Mapping[str, object] | None = None) -> pl.Expr:
        """Compile to a Polars expression; names found in `params` become literals."""
        return _compile(self.tree, params or {})

    def columns(self, params: Mapping[str, object] | None = None) -> frozenset[str]:
        """The dataset columns this formula reads (names that are not parameters)."""
        return frozenset(n for n in self.names if n not in (params or {}))

    def required_columns(self, params: Mapping[str, object] | None = None) -> frozenset[str]:
        """Columns whose absence makes the result missing: all read columns except those only
        read inside `coalesce(...)` with a fallback after them."""
        optional: set[str] = set()
        required: set[str] = set()

        def walk(node: ast.AST, guarded: bool) -> None:
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "coalesce":
                for arg in node.args[:-1]:
                    walk(arg, True)
                walk(node.args[-1], guarded)
                return
            if isinstance(node, ast.Call):
                for arg in node.args:
                    walk(arg, guarded)
                return
            if isinstance(node, ast.Name):
                (optional if guarded else required).add(node.id)
            for child in ast.iter_child_nodes(node):
                walk(child, guarded)

        walk(self.tree, False)
        return frozenset(n for n in required if n not in (params or {}))


def parse(source: str) -> Formula:
    """Parse and check a formula; raises ExpressionError with a Chinese message."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("公式为空")
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"公式“{source}”语法错误：{exc.msg}") from None
    names: set[str] = set()
    _check(tree, source, names)
    return Formula(source=source.strip(), names=frozenset(names), tree=tree)


def _check(node: ast.AST, source: str, names: set[str]) -> None:
    allowed = (
        ast.BinOp,
        ast.UnaryOp,
        ast.BoolOp,
        ast.Compare,
        ast.Call,
        ast.Name,
        ast.Constant,
        ast.Tuple,
        ast.IfExp,
        ast.Load,
        ast.USub,
        ast.UAdd,
        ast.Not,
        ast.And,
        ast.Or,
        ast.In,
        ast.NotIn,
        *_BINARY,
        *_COMPARE,
    )
    if not isinstance(node, allowed):
        raise ExpressionError(f"公式“{source}”中含有不允许的写法：{type(node).__name__}")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise ExpressionError(
                f"公式“{source}”调用了不支持的函数；可用函数：{'、'.join(FUNCTIONS)}"
            )
        if node.keywords or not node.args:
            raise ExpressionError(f"公式“{source}”中函数 {node.func.id} 的参数不正确")
        for arg in node.args:
            _check(arg, source, names)
        return
    if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str, bool)):
        raise ExpressionError(f"公式“{source}”中含有不支持的常量 {node.value!r}")
    if isinstance(node, ast.Compare) and len(node.ops) != 1:
        raise ExpressionError(f"公式“{source}”中请不要连写比较（如 a < b < c）")
    if isinstance(node, ast.Name):
        names.add(node.id)
    for child in ast.iter_child_nodes(node):
        _check(child, source, names)


def _literal(value: object) -> pl.Expr:
    return pl.lit(value)


def _compile(node: ast.expr, params: Mapping[str, object]) -> pl.Expr:
    match node:
        case ast.Constant(value=value):
            return _literal(value)
        case ast.Name(id=name):
            return _literal(params[name]) if name in params else pl.col(name)
        case ast.BinOp(left=left, op=op, right=right):
            return _BINARY[type(op)](_compile(left, params), _compile(right, params))
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            return -_compile(operand, params)
        case ast.UnaryOp(op=ast.UAdd(), operand=operand):
            return _compile(operand, params)
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            return ~_compile(operand, params)
        case ast.BoolOp(op=op, values=values):
            parts = [_compile(v, params) for v in values]
            if isinstance(op, ast.And):
                return reduce(lambda a, b: a & b, parts)
            return reduce(lambda a, b: a | b, parts)
        case ast.Compare(left=left, ops=[ast.In() | ast.NotIn() as op], comparators=[right]):
            members = _constant_members(right, params)
            expr = _compile(left, params).is_in(members)
            return ~expr if isinstance(op, ast.NotIn) else expr
        case ast.Compare(left=left, ops=[op], comparators=[right]):
            return _COMPARE[type(op)](_compile(left, params), _compile(right, params))
        case ast.IfExp(test=test, body=body, orelse=orelse):
            return (
                pl.when(_compile(test, params))
                .then(_compile(body, params))
                .otherwise(_compile(orelse, params))
            )
        case ast.Call(func=ast.Name(id=func), args=args):
            compiled = [_compile(a, params) for a in args]
            return _call(func, compiled)
    raise ExpressionError(f"无法计算公式中的 {ast.dump(node)}")  # pragma: no cover


def _constant_members(node: ast.expr, params: Mapping[str, object]) -> list[object]:
    if isinstance(node, ast.Tuple) and all(isinstance(e, ast.Constant) for e in node.elts):
        return [e.value for e in node.elts]  # type: ignore[attr-defined]
    if isinstance(node, ast.Name) and isinstance(params.get(node.id), (list, tuple)):
        return list(params[node.id])  # type: ignore[arg-type]
    raise ExpressionError('“in” 的右侧必须是常量列表，如 ("优秀", "良好")')


def _call(func: str, args: list[pl.Expr]) -> pl.Expr:
    if func in ("min", "max"):
        # Polars' horizontal min/max skip nulls; a formula must not turn "not reported" into a
        # number, so any missing argument makes the result missing.
        combined = pl.min_horizontal(args) if func == "min" else pl.max_horizontal(args)
        any_missing = pl.any_horizontal([a.is_null() for a in args])
        return pl.when(any_missing).then(None).otherwise(combined)
    if func == "coalesce":
        return pl.coalesce(args)
    if len(args) != 1:
        raise ExpressionError(f"函数 {func} 只接受一个参数")
    arg = args[0]
    if func == "ceil":
        return arg.cast(pl.Float64).ceil()
    if func == "floor":
        return arg.cast(pl.Float64).floor()
    return arg.abs()
