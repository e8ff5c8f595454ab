"""The date error code, produced by the rectification ledger's reader (整改台账 完成时限)."""

from __future__ import annotations

from junheng.intake import CATALOGUE, Code, IntakeError


def test_bad_date_message_names_the_cell() -> None:
    error = IntakeError(
        Code.BAD_DATE, "台账.xlsx", "整改台账", 3, "完成时限", "年底前", "日期", cell="J3"
    )
    assert error.code == "bad-date" and error.severity == "error"
    assert error.message == (
        "台账.xlsx 工作表「整改台账」第 3 行「完成时限」列（单元格 J3）："
        "值“年底前”不是日期，应为日期"
    )
    assert CATALOGUE["bad-date"].title == "不是日期"
