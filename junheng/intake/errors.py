"""The intake error catalogue and the error record.

Every problem found while reading a dataset is an `IntakeError`: a fixed code from the catalogue,
the place it was found (file, sheet, row, column as the user sees them), the value found and what
was expected. Codes, field names and the table layout are part of the contract with other tools:
add new codes freely, never rename one. Chinese text is produced from the record by `message`, so
the record itself stays comparable in tests and convertible to a table.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import polars as pl

ERROR = "error"
WARNING = "warning"
SEVERITY_ZH: dict[str, str] = {ERROR: "错误", WARNING: "警告"}


class Code(StrEnum):
    """Every intake error code. The string values are stable identifiers."""

    PATH_NOT_FOUND = "path-not-found"
    UNSUPPORTED_FORMAT = "unsupported-format"
    UNREADABLE_FILE = "unreadable-file"
    ENCODING = "encoding"
    MISSING_TABLE = "missing-table"
    DUPLICATE_TABLE = "duplicate-table"
    NO_HEADER = "no-header"
    EMPTY_TABLE = "empty-table"
    MISSING_COLUMN = "missing-column"
    DUPLICATE_COLUMN = "duplicate-column"
    UNKNOWN_COLUMN = "unknown-column"
    RAGGED_ROW = "ragged-row"
    MISSING_VALUE = "missing-value"
    NOT_AN_INTEGER = "not-an-integer"
    NOT_A_NUMBER = "not-a-number"
    BELOW_MINIMUM = "below-minimum"
    ABOVE_MAXIMUM = "above-maximum"
    BAD_ENUM = "bad-enum"
    DUPLICATE_SCHOOL = "duplicate-school"
    UNKNOWN_SCHOOL = "unknown-school"
    UNKNOWN_PARENT = "unknown-parent"
    SCHOOL_WITHOUT_SEGMENTS = "school-without-segments"
    DUPLICATE_SEGMENT = "duplicate-segment"
    LEVEL_NOT_ALLOWED = "level-not-allowed"
    DEGREE_SUM = "degree-sum"
    TEACHERS_EXCEED = "teachers-exceed"
    NO_STUDENTS = "no-students"
    SHARED_REPORTED_TWICE = "shared-reported-twice"
    MISSING_SENIOR_STUDENTS = "missing-senior-students"
    UNKNOWN_FACT = "unknown-fact"
    BAD_FACT_VALUE = "bad-fact-value"
    DUPLICATE_FACT = "duplicate-fact"
    UNKNOWN_COUNTY = "unknown-county"
    OUT_OF_SCOPE = "out-of-scope"
    DUPLICATE_SURVEY = "duplicate-survey"
    DUPLICATE_GRADE = "duplicate-grade"
    DUPLICATE_BIRTHS = "duplicate-births"
    DUPLICATE_CLASS = "duplicate-class"
    DUPLICATE_FINANCE = "duplicate-finance"
    DUPLICATE_PROJECT = "duplicate-project"
    DUPLICATE_STAFFING = "duplicate-staffing"
    DUPLICATE_CLASS_TARGET = "duplicate-class-target"
    TARGET_SHARE_WHOLE = "target-share-whole"
    PROJECT_WITHOUT_SCHOOL = "project-without-school"
    SCHOOL_IN_OTHER_COUNTY = "school-in-other-county"
    FINISH_BEFORE_START = "finish-before-start"
    COMPLETED_WITHOUT_FINISH = "completed-without-finish"
    HIRES_EXCEED = "hires-exceed"
    TOO_MANY_ERRORS = "too-many-errors"
    INTERNAL_ERROR = "internal-error"
    EMPTY_FILE = "empty-file"
    FILE_TOO_LARGE = "file-too-large"
    LEGACY_XLS = "legacy-xls"
    ENCRYPTED_WORKBOOK = "encrypted-workbook"
    NOT_A_WORKBOOK = "not-a-workbook"
    SUSPICIOUS_WORKBOOK = "suspicious-workbook"
    FORMULA_NOT_COMPUTED = "formula-not-computed"
    FORMULA_ERROR = "formula-error"
    UNIT_IN_VALUE = "unit-in-value"
    DUPLICATE_SCHOOL_FILES = "duplicate-school-files"
    FORM_STRUCTURE = "form-structure"
    OUTDATED_TEMPLATE = "outdated-template"
    ALTERED_TEMPLATE = "altered-template"
    NO_COUNTY_FACTS = "no-county-facts"
    IMPLAUSIBLE_CHANGE = "implausible-change"
    BAD_DATE = "bad-date"
    TOO_MANY_ROWS = "too-many-rows"
    CONTROL_CHARACTER = "control-character"
    DUPLICATE_TEACHER = "duplicate-teacher"
    UNKNOWN_TEACHER = "unknown-teacher"
    BAD_ROTATION = "bad-rotation"


@dataclass(frozen=True)
class ErrorKind:
    """One catalogue entry: what the code means and how its message reads."""

    code: Code
    title: str
    description: str
    template: str
    """Message body after the location; may use {value} and {expected}."""
    severity: str = ERROR
    fix: str = ""
    """How to fix it, as a practical instruction to the person who fills in the data."""


_KINDS: tuple[ErrorKind, ...] = (
    ErrorKind(
        Code.PATH_NOT_FOUND,
        "找不到数据",
        "给出的路径不存在。数据应为一个包含 CSV 文件的文件夹，或一个 .xlsx 工作簿。",
        "找不到该文件或文件夹，应为{expected}",
        fix="检查文件名、扩展名和所在文件夹是否写对；文件在 U 盘、网盘或聊天软件里时，"
        "先保存到本机再导入。",
    ),
    ErrorKind(
        Code.UNSUPPORTED_FORMAT,
        "不支持的文件格式",
        "只能读取 CSV 文件夹或 .xlsx 工作簿；旧版 .xls 工作簿需先在 Excel 中另存为 .xlsx。",
        "不支持此文件格式（{value}），应为{expected}",
        fix="把数据整理成一个 .xlsx 工作簿，或把各表的 CSV 文件放进同一个文件夹后导入该文件夹。",
    ),
    ErrorKind(
        Code.UNREADABLE_FILE,
        "文件无法读取",
        "文件已损坏、被其他程序占用、没有读取权限，或不是有效的 CSV/.xlsx 文件。",
        "文件无法读取（{value}），请确认{expected}",
        fix="关闭正在使用该文件的 Excel/WPS 后重试；仍不行时在 Excel/WPS 中打开该文件并“另存为”新的"
        " .xlsx 文件，或从原系统重新导出。",
    ),
    ErrorKind(
        Code.ENCODING,
        "文件编码无法识别",
        "CSV 文件既不是 UTF-8（可带 BOM），也不是 GBK/GB18030 编码。",
        "文件编码无法识别，应为{expected}",
        fix="在 Excel/WPS 中打开该 CSV 文件，“另存为”“CSV UTF-8（逗号分隔）”"
        "或 Excel 工作簿（.xlsx）。",
    ),
    ErrorKind(
        Code.MISSING_TABLE,
        "缺少数据表",
        "必需的表（学校、学段、县级指标）没有找到。文件名或工作表名可用英文表名或中文表名。",
        "缺少「{value}」表，应{expected}",
        fix="按模板补上这张表：在工作簿中增加同名工作表（如“学段”），或在文件夹中放入同名 CSV"
        " 文件；已有这张表时把工作表名改成模板中的名称。",
    ),
    ErrorKind(
        Code.DUPLICATE_TABLE,
        "数据表重复",
        "同一张表出现了两次（例如同时有 schools.csv 和 学校.csv），无法判断以哪一个为准。",
        "「{value}」表出现了不止一次，应{expected}",
        fix="只保留要导入的那一张：删除另一张，或把它改名（如“学校_旧”）。隐藏的工作表也算在内。",
    ),
    ErrorKind(
        Code.NO_HEADER,
        "缺少表头",
        "文件或工作表的前 10 行中找不到列名所在的行，无法识别各列。表头上方可以有标题行。",
        "没有表头，应{expected}",
        fix="在数据上方一行填写列名（可从模板复制表头）；表头上方的标题行不要超过 9 行。",
    ),
    ErrorKind(
        Code.EMPTY_TABLE,
        "没有数据行",
        "学校表或学段表只有表头、没有数据，无法评估。",
        "表中没有数据行，应{expected}",
        fix="在表头下方逐行填写数据；数据在其他工作表中时，复制到这张表里。",
    ),
    ErrorKind(
        Code.MISSING_COLUMN,
        "缺少必填列",
        "表头中没有某个必填列。列名可用英文名或中文名（可带单位，如“教学及辅助用房面积（㎡）”）。",
        "缺少必填列「{value}」，应{expected}",
        fix="从模板复制该列的列名到表头并填写数据；表中已有这一列但列名写法不同时，把列名改成模板中的"
        "写法。",
    ),
    ErrorKind(
        Code.DUPLICATE_COLUMN,
        "列重复",
        "两个列名指向同一列（例如同时有 students 和 在校生数），无法判断以哪一列为准。",
        "与「{value}」列是同一列，应{expected}",
        fix="删除其中一列，或把不用于导入的那一列改名（例如在列名后加“（备注）”）。",
    ),
    ErrorKind(
        Code.UNKNOWN_COLUMN,
        "无法识别的列",
        "表头中有标准之外的列。该列原样保留，但不参与评估；如果本应是标准列，请改正列名。",
        "无法识别列名“{value}”，{expected}",
        WARNING,
        fix="该列本应是标准列时，按模板改正列名；只是备注等额外信息时可以不处理。",
    ),
    ErrorKind(
        Code.RAGGED_ROW,
        "单元格多于表头",
        "CSV 某一行的单元格数多于表头列数，通常是值中含有未加引号的逗号，导致各列错位。",
        "该行有 {value} 个单元格，多于表头的列数，应{expected}",
        fix="把含逗号的值用英文双引号括起来，或在 Excel/WPS 中打开后另存为 .xlsx 再导入。",
    ),
    ErrorKind(
        Code.MISSING_VALUE,
        "必填值为空",
        "用于识别一行的值（学校标识码、学校名称、县区、学校类型、学段、指标项、调查对象、年份、"
        "年级、项目编号等）为空，或建设项目的计划竣工和实际竣工都为空。",
        "值为空，应{expected}",
        fix="补填该单元格；整行是多余的（如合计行、说明行）时删除整行。",
    ),
    ErrorKind(
        Code.NOT_AN_INTEGER,
        "不是整数",
        "该列应填整数（人数、班数、间数等）。可写“12”或“12.0”，可带千位分隔符和全角数字。",
        "值“{value}”不是整数，应为{expected}",
        fix="只填阿拉伯数字整数（如 12），不要填小数、汉字数字或说明文字；确实没有数据时留空。",
    ),
    ErrorKind(
        Code.NOT_A_NUMBER,
        "不是数值",
        "该列应填数值（面积、金额等）。可带千位分隔符（如 1,234.5）和全角数字，不要带单位。",
        "值“{value}”不是数值，应为{expected}",
        fix="只填一个数字（如 1234.5），不要带文字、单位或多个数；确实没有数据时留空。",
    ),
    ErrorKind(
        Code.BELOW_MINIMUM,
        "数值小于下限",
        "人数、面积、金额等不能为负数。",
        "值“{value}”小于下限，应为{expected}",
        fix="改为实际数值；检查是否误带了减号，或把差额、公式结果填进了这一列。",
    ),
    ErrorKind(
        Code.ABOVE_MAXIMUM,
        "数值大于上限",
        "有上限的列填了更大的数，例如年级只能是 1–9"
        "（小学一至六年级填 1–6，初中七至九年级填 7–9）。",
        "值“{value}”大于上限，应为{expected}",
        fix="改为允许范围内的数；初中一年级填 7，不要填 1 或“初一”。",
    ),
    ErrorKind(
        Code.BAD_ENUM,
        "不在可选值中",
        "该列只能填规定的可选值（英文值或中文名称均可），例如学段只能是“小学”或“初中”。",
        "值“{value}”不是可选值，应为{expected}",
        fix="从提示的可选值中选一个照抄，不要加括号、备注或其他文字。",
    ),
    ErrorKind(
        Code.OUT_OF_SCOPE,
        "不在本次导入的范围内",
        "工作簿中有不属于本次导入范围的县区或学校：县级管理员只能导入本县的数据，学校填报员只能"
        "导入本校的一校一册，已登记为其他县区的学校也不能导入本县。",
        "“{value}”不在本次导入的范围内，应为{expected}",
        fix="删除不属于本县（本校）的行，由所属县区或学校自行导入；确需导入的，请联系系统管理员。",
    ),
    ErrorKind(
        Code.DUPLICATE_SCHOOL,
        "学校标识码重复",
        "学校表中同一个学校标识码出现了多次。每所学校只占一行。",
        "学校标识码“{value}”重复，应{expected}",
        fix="删除重复的行；确是两所学校时，核对并改正其中一所的学校标识码。",
    ),
    ErrorKind(
        Code.UNKNOWN_SCHOOL,
        "学校不存在",
        "学段表、学校指标表等表中的学校标识码在学校表中找不到。",
        "学校标识码“{value}”在学校表中不存在，应{expected}",
        fix="先在学校表中增加该学校，或把标识码改成与学校表完全一致（注意多余的空格、字母和数字）。",
    ),
    ErrorKind(
        Code.UNKNOWN_PARENT,
        "所属中心校不存在",
        "所属中心校一栏填写的学校标识码在学校表中找不到。",
        "所属中心校“{value}”在学校表中不存在，应{expected}",
        fix="填写中心校的学校标识码（不是学校名称），并确认该中心校也列在学校表中。",
    ),
    ErrorKind(
        Code.SCHOOL_WITHOUT_SEGMENTS,
        "学校没有学段数据",
        "学校表中的学校在学段表中没有任何一行，该校不会参与评估。",
        "学校“{value}”在学段表中没有数据，{expected}",
        WARNING,
        fix="在学段表中为该校补上学段行（九年一贯制学校补小学、初中两行）；学校已撤并时从学校表中删除。",
    ),
    ErrorKind(
        Code.DUPLICATE_SEGMENT,
        "学段重复",
        "学段表中同一学校的同一学段出现了多次。每校每学段只占一行。",
        "学校和学段“{value}”重复，应{expected}",
        fix="每校每学段只保留一行：分校区分开填写的，把人数、面积等相加后合并为一行。",
    ),
    ErrorKind(
        Code.LEVEL_NOT_ALLOWED,
        "学段与学校类型不符",
        "学段与学校类型不相容，例如“小学”类型的学校填报了初中学段。",
        "学段“{value}”与学校类型不符，应{expected}",
        fix="先核对学校表中的学校类型（如九年一贯制学校误填为小学），再核对这一行的学段。",
    ),
    ErrorKind(
        Code.DEGREE_SUM,
        "学历人数之和不等于专任教师数",
        "研究生、本科、专科、高中及以下四类学历的专任教师数之和应等于专任教师数。",
        "各学历专任教师数之和（{value}）不等于专任教师数，应{expected}",
        fix="核对四类学历人数和专任教师数，使研究生 + 本科 + 专科 + 高中及以下 = 专任教师数；"
        "没有的学历填 0，不要留空。",
    ),
    ErrorKind(
        Code.TEACHERS_EXCEED,
        "超过专任教师数",
        "骨干教师、体育、音乐、美术、艺术教师数都不能超过该学段的专任教师数。",
        "值“{value}”超过了专任教师数，应{expected}",
        fix="核对该数与专任教师数：这些教师都包含在专任教师中，不能多于专任教师数；兼任、外聘教师不计入。",
    ),
    ErrorKind(
        Code.NO_STUDENTS,
        "在校生数为 0",
        "参与评估的学段在校生数必须大于 0（特殊教育学校、职业学校和教学点除外）。",
        "在校生数为 {value}，应{expected}",
        fix="填写实际在校生数；该学段已停止招生、没有学生时删除这一行。",
    ),
    ErrorKind(
        Code.SHARED_REPORTED_TWICE,
        "共用设施重复填报",
        "一贯制学校的共用设施（校舍面积、运动场地、仪器设备、多媒体教室等）"
        "只能在学校表整校填报一次，或在学段表分学段填报，不能两处都填。",
        "值“{value}”已在学校表整校填报，学段表中又填报了，应{expected}",
        fix="二选一：整校数填在学校表并清空学段表中该项，或分学段填在学段表并清空学校表中该项。",
    ),
    ErrorKind(
        Code.MISSING_SENIOR_STUDENTS,
        "缺少高中在校生数",
        "十二年一贯制学校、完全中学整校填报共用设施时，要按高中在校生数把设施分到高中和义务教育"
        "学段；高中在校生数为空时无法分摊，该校相关指标将无法判定。没有高中学段的学校填 0。"
        "学校表中有此列而未填的是错误；数据中没有此列的是提示。",
        "学校“{value}”整校填报了共用设施，但{expected}",
        fix="在学校表该校的“高中在校生数”中填写高中在校生人数（没有高中学段的填 0）后重新导入。",
    ),
    ErrorKind(
        Code.UNKNOWN_FACT,
        "无法识别的指标项",
        "县级指标表或学校指标表中的指标项名称不在标准之内，该行被忽略。",
        "指标项“{value}”无法识别，{expected}",
        WARNING,
        fix="把指标项名称改成模板中的写法（中文名或英文名均可）；不需要的行可以删除。",
    ),
    ErrorKind(
        Code.BAD_FACT_VALUE,
        "指标值无效",
        "指标值的写法不符合该指标的类型：判断项填“是/否”，比例填 0.93 或 93%，"
        "监测等级填 1–4 或 Ⅰ–Ⅳ，德育评价填 优秀/良好/合格/不合格。",
        "值“{value}”无效，{expected}",
        fix="按提示改写：判断项只填“是”或“否”，比例填 0.93 或 93%，等级填 1–4 或 Ⅰ–Ⅳ，"
        "金额只填数字。",
    ),
    ErrorKind(
        Code.DUPLICATE_FACT,
        "指标项重复",
        "同一县区（或同一学校）的同一指标项填了不止一行，无法判断以哪一行为准。",
        "指标项“{value}”重复填报，应{expected}",
        fix="同一县区（学校）的同一指标只保留一行，删除其余的行。",
    ),
    ErrorKind(
        Code.UNKNOWN_COUNTY,
        "县区不在学校表中",
        "县级指标表或满意度调查表中的县区在学校表中没有学校，请核对县区名称是否一致。",
        "县区“{value}”在学校表中没有学校，{expected}",
        WARNING,
        fix="把县区名称改成与学校表完全一致的写法（注意“县”“区”“市”等字和空格）。",
    ),
    ErrorKind(
        Code.DUPLICATE_SURVEY,
        "调查对象重复",
        "满意度调查表中同一县区的同一类调查对象出现了多次。每县每类调查对象只占一行。",
        "县区和调查对象“{value}”重复，应{expected}",
        fix="每县每类调查对象只保留一行；需要合并时把各选项的人次分别相加。",
    ),
    ErrorKind(
        Code.DUPLICATE_GRADE,
        "年级在校生重复",
        "年级在校生表中同一学校、同一年份、同一年级出现了多次。每校每年每个年级只占一行。",
        "学校、年份和年级“{value}”重复，应{expected}",
        fix="每校每年每个年级只保留一行；同一年级分几个班的，把各班人数相加后填一行。",
    ),
    ErrorKind(
        Code.DUPLICATE_BIRTHS,
        "出生人口重复",
        "出生人口表中同一县区、同一出生年份出现了多次。每县每年只占一行。",
        "县区和出生年份“{value}”重复，应{expected}",
        fix="每县每年只保留一行；分乡镇统计的，把各乡镇人数相加后填一行。",
    ),
    ErrorKind(
        Code.DUPLICATE_CLASS,
        "班级重复",
        "班级学生数表中同一学校、同一年份、同一年级的同一班级出现了多次。每个班只占一行；"
        "没有填写班级名称的行不算重复。",
        "学校、年份、年级和班级“{value}”重复，应{expected}",
        fix="每个班只保留一行；确是两个班的，改正其中一行的班级名称（如 三（1）班、三（2）班）。",
    ),
    ErrorKind(
        Code.DUPLICATE_FINANCE,
        "教育经费重复",
        "县级教育经费表中同一县区、同一财政年度出现了多次。每县每年只占一行。",
        "县区和年度“{value}”重复，应{expected}",
        fix="每县每年只保留一行；分科目或分季度统计的，按年度汇总后填一行。",
    ),
    ErrorKind(
        Code.DUPLICATE_CLASS_TARGET,
        "班额目标重复",
        "创建目标（班额）表中同一县区、同一目标年份、同一班额目标和学段出现了多次。"
        "每个目标只占一行；学段空着表示小学和初中都适用。",
        "目标“{value}”重复，应{expected}",
        fix="同一目标只保留一行；小学和初中目标不同的，分两行填写并分别选择学段。",
    ),
    ErrorKind(
        Code.TARGET_SHARE_WHOLE,
        "保留比例为 100%",
        "创建目标（班额）表的最多保留比例填了 100，等于全部班级都可以保留，目标就没有意义。",
        "最多保留比例“{value}”等于全部班级，应{expected}",
        fix="填写“基本消除”允许保留的班级占当年总班数的百分比（如 5 表示 5%）；"
        "目标没有比例要求的，空着这一格。",
    ),
    ErrorKind(
        Code.DUPLICATE_PROJECT,
        "项目编号重复",
        "建设项目表中同一县区的同一项目编号出现了多次。项目编号在县内唯一，每个项目只占一行。",
        "县区和项目编号“{value}”重复，应{expected}",
        fix="同一项目只保留一行（分期建设的可按期编号，如 2025-01-1、2025-01-2）；"
        "确是两个项目的，改正其中一个的编号。",
    ),
    ErrorKind(
        Code.DUPLICATE_STAFFING,
        "编制与招聘计划重复",
        "编制与招聘计划表中同一学校、同一年份的同一学段出现了多次。每校每年每学段只占一行。",
        "学校、年份和学段“{value}”重复，应{expected}",
        fix="每校每年每学段只保留一行；分批招聘的，把各批人数相加后填一行。",
    ),
    ErrorKind(
        Code.PROJECT_WITHOUT_SCHOOL,
        "项目学校信息不全",
        "每个建设项目都要指明所在学校：已有学校填学校标识码；新建学校尚无标识码时填写新建学校"
        "名称，类型为“新建”的还要填写所在乡镇。",
        "项目“{value}”的学校信息不全，应{expected}",
        fix="已有学校的项目填写学校标识码（与学校表一致）；新建学校填写新建学校名称和所在乡镇，"
        "学校建成登记后再改填学校标识码。",
    ),
    ErrorKind(
        Code.SCHOOL_IN_OTHER_COUNTY,
        "学校不在该县区",
        "建设项目所在学校在学校表中属于另一个县区。",
        "学校标识码“{value}”属于另一个县区，应{expected}",
        fix="核对项目的县区和学校标识码：项目应填在学校所属县区名下。",
    ),
    ErrorKind(
        Code.FINISH_BEFORE_START,
        "竣工早于开工",
        "建设项目的竣工日期早于开工日期（计划竣工早于计划开工，或实际竣工早于实际开工）。",
        "竣工日期“{value}”早于开工日期，应{expected}",
        fix="核对开工和竣工日期的年份和月份；只写到月时按该月最后一天计，同月开工竣工的请写到日。",
    ),
    ErrorKind(
        Code.COMPLETED_WITHOUT_FINISH,
        "已完工项目缺少实际竣工日期",
        "项目状态为“已完工”，但没有填写实际竣工日期，无法确定新增的学位和校舍从哪一学年起计入。",
        "项目状态为“{value}”但实际竣工日期为空，应{expected}",
        fix="填写实际竣工日期（如 2025-08-31 或 2025年8月）；尚未完工的把项目状态改为“在建”或"
        "“未开工”。",
    ),
    ErrorKind(
        Code.HIRES_EXCEED,
        "超过计划招聘人数",
        "计划招聘的研究生和本科学历教师之和，或体育、音乐、美术教师之和，超过了计划招聘专任教师数。",
        "{value}，超过了计划招聘专任教师数，应{expected}",
        fix="这些教师都包含在计划招聘的专任教师中：核对各项人数，或把计划招聘专任教师数改为"
        "招聘总人数。",
    ),
    ErrorKind(
        Code.TOO_MANY_ERRORS,
        "问题过多",
        "问题太多时每种级别只列出前 1000 条，其余只计数；级别随未列出的问题而定"
        "（其中有错误即为错误）。",
        "另有 {value} 条问题未列出，{expected}",
        fix="先按已列出的问题成批改正（同一列的大量问题往往是同一个原因），再重新导入查看其余问题。",
    ),
    ErrorKind(
        Code.INTERNAL_ERROR,
        "读取程序内部错误",
        "读取数据时程序本身出错（不是数据的问题）。请保留数据文件并反馈给系统维护人员。",
        "读取程序出错（{value}），{expected}",
        fix="这不是数据填写的问题：请保留该数据文件和本条提示，联系系统维护人员。",
    ),
    ErrorKind(
        Code.EMPTY_FILE,
        "文件为空",
        "文件大小为 0 字节，没有任何内容，通常是导出、下载或复制没有完成。",
        "文件是空的（0 字节），{expected}",
        fix="从原系统重新导出，或在 Excel/WPS 中重新保存该文件；从网盘、聊天软件下载的"
        "文件请等下载完成后再导入。",
    ),
    ErrorKind(
        Code.FILE_TOO_LARGE,
        "文件过大",
        "文件超过了导入的大小上限。数据本身通常远小于上限，文件过大多是因为图片、多余的工作表或"
        "大量带格式的空行。",
        "文件太大（{value}），{expected}",
        fix="删除图片、无关的工作表和表格下方带格式的空行后另存；数据确实很多时按县区拆成几个文件分别导入。",
    ),
    ErrorKind(
        Code.LEGACY_XLS,
        "旧版 .xls 工作簿",
        "文件是 Excel 97–2003（.xls）或 WPS（.et）等旧格式，只能读取 Excel 工作簿（.xlsx）。",
        "这是旧版 .xls 文件，请在 Excel/WPS 中“另存为”Excel 工作簿（.xlsx）",
        fix="在 Excel/WPS 中打开该文件，点“文件 → 另存为”，保存类型选“Excel 工作簿（*.xlsx）”，"
        "然后导入新保存的文件。",
    ),
    ErrorKind(
        Code.ENCRYPTED_WORKBOOK,
        "工作簿已加密",
        "工作簿设置了打开密码，内容被加密，无法读取。",
        "工作簿已加密（设置了打开密码），请在 Excel 中取消密码后另存",
        fix="在 Excel 中用密码打开，点“文件 → 信息 → 保护工作簿 → 用密码进行加密”，清空密码后保存；"
        "WPS 在“文件 → 文档加密 → 密码加密”中清空密码。",
    ),
    ErrorKind(
        Code.NOT_A_WORKBOOK,
        "不是 Excel 工作簿",
        "文件的扩展名是工作簿，但内容不是：常见的是改了扩展名的文本（CSV）文件，或从网页系统导出的"
        "“假 xls”（其实是网页）。",
        "这不是 Excel 工作簿，而是{value}，{expected}",
        fix="文本（CSV）数据：把扩展名改为 .csv，放进数据文件夹后导入该文件夹；"
        "其他情况：在 Excel/WPS 中打开后“另存为”Excel 工作簿（.xlsx）。",
    ),
    ErrorKind(
        Code.SUSPICIOUS_WORKBOOK,
        "工作簿内容异常",
        "工作簿解压后的体积过大或压缩比异常，可能已损坏，也可能是恶意构造的文件，为安全起见不予读取。",
        "工作簿内容异常（解压后体积过大），可能已损坏（{value}），{expected}",
        fix="在 Excel/WPS 中打开该文件，把数据复制到新建的工作簿后保存为 .xlsx 再导入；"
        "来源不明的文件不要打开。",
    ),
    ErrorKind(
        Code.TOO_MANY_ROWS,
        "工作表行数过多",
        "工作表的行数超过了导入允许的上限。真实数据远少于上限，行数过多"
        "几乎都是表格下方大量带格式的空行，读取它们会耗尽服务器的内存和时间。",
        "工作表行数过多（{value}），{expected}",
        fix="在 Excel/WPS 中选中数据下方的第一个空行，按 Ctrl+Shift+↓ 选到最后一行，右键“删除”"
        "这些行后保存；数据确实很多时按县区拆成几个文件分别导入。",
    ),
    ErrorKind(
        Code.CONTROL_CHARACTER,
        "单元格含不可见字符",
        "单元格中有看不见的控制字符（如空字符 U+0000），常见于从其他系统导出或复制粘贴的数据；"
        "这样的值无法保存。",
        "单元格含不可见的控制字符（{value}），应为{expected}",
        fix="在 Excel/WPS 中重新输入该单元格的内容（不要粘贴），或用 CLEAN 函数清除不可见字符后"
        "“选择性粘贴 → 数值”，保存后再导入。",
    ),
    ErrorKind(
        Code.FORMULA_NOT_COMPUTED,
        "公式没有计算结果",
        "单元格是公式，但文件中没有保存公式的计算结果（常见于由其他程序生成、从未在 Excel/WPS "
        "中打开保存过的文件），读取时该单元格为空。",
        "单元格是公式但没有计算结果（{value}），请在 Excel/WPS 中打开、保存后再导入",
        fix="在 Excel/WPS 中打开该文件，确认公式已计算（可按 F9 重算）后保存，再导入；"
        "也可以把这些列复制后“选择性粘贴 → 数值”。",
    ),
    ErrorKind(
        Code.FORMULA_ERROR,
        "公式计算出错",
        "单元格的公式计算结果是错误值（如 #N/A、#DIV/0!、#REF!），不是有效数据。",
        "单元格的公式计算出错（{value}），{expected}",
        fix="检查该公式引用的数据：#N/A 多为 VLOOKUP 查不到，#DIV/0! 是除以 0，"
        "#REF! 是引用的单元格已被删除；改正后保存再导入，或直接填写数值。",
    ),
    ErrorKind(
        Code.UNIT_IN_VALUE,
        "数值带了单位",
        "数值列的单元格里写了单位或货币符号（如“1200平方米”“35人”“¥3000元”）。单位已写在表头中，"
        "单元格只填数字。",
        "值“{value}”带了单位，应{expected}",
        fix="删去单位和货币符号，只留数字（如 1200）；以“万元”等其他单位填写的，"
        "先换算成表头中的单位。",
    ),
    ErrorKind(
        Code.DUPLICATE_SCHOOL_FILES,
        "同一学校在多个文件中",
        "一次导入的多个工作簿或文件夹中出现了同一个学校标识码，无法确定以哪一份为准。",
        "学校标识码“{value}”重复：{expected}",
        fix="确认哪一份是该校的正确数据，只导入那一份；如是标识码填错，改正后重新导入。",
    ),
    ErrorKind(
        Code.FORM_STRUCTURE,
        "一校一册结构被改动",
        "一校一册工作簿的工作表、项目名称或学段列被改动，相应的数据无法可靠读取。",
        "{expected}",
        fix="不要增删或改名工作表、项目和学段列；可重新生成该校的工作簿，把数据复制进去。",
    ),
    ErrorKind(
        Code.OUTDATED_TEMPLATE,
        "模板版本过旧",
        "工作簿由旧版模板生成。数据仍按表头读取，但旧模板可能缺少新增的项目。",
        "模板版本为“{value}”，应{expected}",
        fix="用 junheng template 生成新模板，把数据复制进去后重新导入。",
        severity=WARNING,
    ),
    ErrorKind(
        Code.ALTERED_TEMPLATE,
        "模板表头被改动",
        "工作簿是系统生成的模板，但工作表名称或表头与模板不一致。",
        "{expected}",
        fix="恢复模板原有的工作表名称和表头，或把数据复制到新生成的模板中。",
        severity=WARNING,
    ),
    ErrorKind(
        Code.NO_COUNTY_FACTS,
        "未提供县级指标",
        "导入的数据中没有县级指标表，现有数据集中也没有；政府保障程度、教育质量、社会认可度"
        "和一票否决将无法判定。",
        "没有县级指标数据，可{expected}",
        fix="填写全县模板中的“县级指标”工作表并一起导入。",
        severity=WARNING,
    ),
    ErrorKind(
        Code.IMPLAUSIBLE_CHANGE,
        "与上年相比变化过大",
        "与上一学年相比，该数值的变化超过了合理范围（见 junheng/intake/plausibility.yaml）。"
        "这只是提示，不阻止导入。",
        "值 {value}，{expected}",
        fix="核对数值和单位；确实变化（如新建校舍、撤并学校）的，在说明中注明原因。",
        severity=WARNING,
    ),
    ErrorKind(
        Code.BAD_DATE,
        "不是日期",
        "该列应填一个日期（如整改台账的完成时限、建设项目的计划竣工），写成 2026-06-30、2026/6/30、"
        "2026年6月30日，或 2026年6月（按该月最后一天）。",
        "值“{value}”不是日期，应为{expected}",
        fix="填写具体的年月日（如 2026-06-30），或在 Excel/WPS 中把单元格设为日期格式后重新输入；"
        "不要写“年底前”“尽快”等文字。",
    ),
    ErrorKind(
        Code.DUPLICATE_TEACHER,
        "教师编号重复",
        "教师名册中同一个教师编号出现了多次。每位教师只占一行，两个学段都任教的教师也只填一行。",
        "教师编号“{value}”重复，应{expected}",
        fix="删除重复的行；确是两位教师时，核对并改正其中一位的教师编号。",
    ),
    ErrorKind(
        Code.UNKNOWN_TEACHER,
        "教师不在名册中",
        "交流轮岗记录中的教师编号在教师名册中找不到。",
        "教师编号“{value}”在教师名册中不存在，应{expected}",
        fix="把教师编号改成与教师名册完全一致；已调出本县的教师，其交流记录不必导入。",
    ),
    ErrorKind(
        Code.BAD_ROTATION,
        "交流记录不成立",
        "交流轮岗记录的交流后学校与交流前学校相同，或结束日期早于开始日期。",
        "值“{value}”不成立，应为{expected}",
        fix="核对交流前后的学校标识码和开始、结束日期（只写到月时按该月最后一天计）。",
    ),
)

CATALOGUE: dict[str, ErrorKind] = {k.code.value: k for k in _KINDS}
"""Code → catalogue entry; every `Code` has exactly one entry."""


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass(frozen=True)
class IntakeError:
    """One problem found while reading a dataset.

    `row` is the row number as shown in Excel (in a CSV file, the record number; the first line is
    row 1); `column` is the header as written in the file; `cell` is the workbook cell ("D7") when
    the problem is in one cell of a worksheet, or the first cell of the header row for a problem
    with the header as a whole. `severity` defaults to the catalogue's severity for the code.
    """

    code: str
    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str = ""
    expected: str = ""
    severity: str = ""
    cell: str | None = None
    """The cell reference in a worksheet ("D7") when known, for highlighting the cell."""

    def __post_init__(self) -> None:
        # An unknown code is a programming error, never a user-input error.
        kind = CATALOGUE[str(self.code)]
        object.__setattr__(self, "code", str(self.code))
        if not self.severity:
            object.__setattr__(self, "severity", kind.severity)
        if self.severity not in SEVERITY_ZH:
            raise ValueError(f"unknown severity {self.severity!r}")

    @property
    def title(self) -> str:
        return CATALOGUE[self.code].title

    @property
    def fix(self) -> str:
        """How to fix this kind of problem (from the catalogue)."""
        return CATALOGUE[self.code].fix

    @property
    def location(self) -> str:
        """Where the problem is, e.g. `segments.csv 第 5 行「在校生数」列` or
        `book.xlsx 工作表「学段」第 5 行「在校生数」列（单元格 C5）`."""
        text = self.file
        if self.sheet is not None:
            text += f" 工作表「{self.sheet}」"
        if self.row is not None:
            text += f"第 {self.row} 行" if self.sheet is not None else f" 第 {self.row} 行"
        if self.column is not None:
            text += f"「{self.column}」列"
            # Only a cell that is itself at fault is named: for a missing column the cell merely
            # marks the header row and would mislead.
            if self.cell is not None:
                text += f"（单元格 {self.cell}）"
        return text

    @property
    def message(self) -> str:
        """The full Chinese sentence shown to the user."""
        body = CATALOGUE[self.code].template.format(
            value=_short(self.value), expected=self.expected
        )
        return f"{self.location}：{body}"


class ErrorCollector:
    """Collects problems, listing at most `limit` per severity and counting the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: list[tuple[tuple[int, int, int, int], IntakeError]] = []
        self.listed = {ERROR: 0, WARNING: 0}
        self.omitted = {ERROR: 0, WARNING: 0}

    def _rank(self, error: IntakeError, table_rank: int) -> tuple[int, int, int, int]:
        return (0 if error.severity == ERROR else 1, table_rank, error.row or 0, len(self.items))

    def add(self, error: IntakeError, table_rank: int = -1) -> None:
        if self.listed[error.severity] >= self.limit:
            self.omitted[error.severity] += 1
            return
        self.listed[error.severity] += 1
        self.items.append((self._rank(error, table_rank), error))

    def add_rows(
        self,
        frame: pl.DataFrame,
        severity: str,
        build: Callable[[dict[str, Any]], IntakeError],
        table_rank: int = -1,
    ) -> None:
        """One error per row of `frame`, built only for the rows that will be listed."""
        room = max(self.limit - self.listed[severity], 0)
        for row in frame.head(room).iter_rows(named=True):
            self.add(build(row), table_rank)
        self.omitted[severity] += max(frame.height - room, 0)

    @property
    def has_errors(self) -> bool:
        return self.listed[ERROR] + self.omitted[ERROR] > 0

    def result(self, source: str) -> list[IntakeError]:
        errors = [e for _, e in sorted(self.items, key=lambda item: item[0])]
        omitted = self.omitted[ERROR] + self.omitted[WARNING]
        if omitted:
            summary = IntakeError(
                Code.TOO_MANY_ERRORS,
                source,
                value=str(omitted),
                expected=f"其中错误 {self.omitted[ERROR]} 条、警告 {self.omitted[WARNING]} 条；"
                "请先改正以上问题后重新导入",
                severity=ERROR if self.omitted[ERROR] else WARNING,
            )
            # Keep "errors first": the summary goes after the last listed error it belongs with.
            at = sum(1 for e in errors if e.severity == ERROR or summary.severity == WARNING)
            errors.insert(at, summary)
        return errors


ERROR_FRAME_SCHEMA: dict[str, type[pl.DataType]] = {
    "severity": pl.String,
    "code": pl.String,
    "title": pl.String,
    "file": pl.String,
    "sheet": pl.String,
    "row": pl.Int64,
    "column": pl.String,
    "cell": pl.String,
    "value": pl.String,
    "expected": pl.String,
    "message": pl.String,
    "fix": pl.String,
}


def errors_to_frame(errors: Iterable[IntakeError]) -> pl.DataFrame:
    """One row per error, with stable English column names (see ERROR_FRAME_SCHEMA)."""
    rows = [
        {
            "severity": e.severity,
            "code": e.code,
            "title": e.title,
            "file": e.file,
            "sheet": e.sheet,
            "row": e.row,
            "column": e.column,
            "cell": e.cell,
            "value": e.value,
            "expected": e.expected,
            "message": e.message,
            "fix": e.fix,
        }
        for e in errors
    ]
    return pl.DataFrame(rows, schema=ERROR_FRAME_SCHEMA, orient="row")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def errors_to_text(errors: Sequence[IntakeError]) -> str:
    """A Chinese plain-text table of the errors (with how to fix each), and a count line."""
    n_errors = sum(1 for e in errors if e.severity == ERROR)
    n_warnings = len(errors) - n_errors
    summary = f"共 {n_errors} 个错误、{n_warnings} 个警告"
    if not errors:
        return "未发现问题"
    header = ("序号", "级别", "问题", "说明", "修改建议")
    rows = [
        (str(i), SEVERITY_ZH[e.severity], e.title, e.message, e.fix)
        for i, e in enumerate(errors, 1)
    ]
    padded = len(header) - 1
    widths = [max(_width(r[i]) for r in (header, *rows)) for i in range(padded)]
    lines = []
    for r in (header, *rows):
        lines.append("  ".join([*(_pad(r[i], widths[i]) for i in range(padded)), r[-1]]))
    lines.insert(1, "  ".join("-" * w for w in (*widths, _width(header[-1]))))
    lines.append(summary)
    return "\n".join(lines)


def catalogue_markdown() -> str:
    """The text of docs/intake-errors.md, generated so the document cannot drift from the code."""
    lines = [
        "# Intake error codes (数据导入错误代码)",
        "",
        "Every problem found while reading a dataset has one of these stable codes; the Chinese "
        "title and explanation below are what users see. 级别：错误会阻止评估，警告不会。",
        "",
        "Each error records: `code`, `file`, `sheet`, `row` (the row number as shown in Excel; "
        "title rows above the header count), `column` (header as written), `cell` (the worksheet "
        "cell such as `D7`, for workbooks; for a problem with the header as a whole, the first "
        "cell of the header row), `value` (as found), `expected`, `severity`, and `fix` (修改建议, "
        "from this catalogue).",
        "",
        "Messages read `<位置>：<消息>`, where the location is e.g. "
        "`segments.csv 第 5 行「在校生数」列` or `数据.xlsx 工作表「学段」第 5 行「在校生数」列"
        "（单元格 C5）` and the message fills in the template below.",
        "",
        "| 代码 | 级别 | 名称 | 说明 | 消息模板 | 修改建议 |",
        "|---|---|---|---|---|---|",
    ]
    for kind in _KINDS:
        lines.append(
            f"| `{kind.code.value}` | {SEVERITY_ZH[kind.severity]} | {kind.title} | "
            f"{kind.description} | {kind.template} | {kind.fix} |"
        )
    lines.append("")
    lines.append(
        "This file is generated from `junheng/intake/errors.py` (a test checks it is current):"
    )
    lines.append("")
    lines.append(
        "    python -c 'from junheng.intake.errors import catalogue_markdown as m; "
        'print(m(), end="")\' > docs/intake-errors.md'
    )
    return "\n".join(lines) + "\n"
