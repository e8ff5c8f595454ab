"""The canonical Dataset schema: tables, columns, Chinese labels, types, enumerations and facts.

This module is the single place where the names of the data contract live (docs/data-format.md
is generated from it). Intake reads files into these tables; the core reads only these names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ColumnType(StrEnum):
    TEXT = "text"
    INT = "int"
    NUMBER = "number"
    ENUM = "enum"


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    type: ColumnType
    required: bool = True
    unit: str = ""
    enum: tuple[tuple[str, str], ...] = ()
    """(canonical value, Chinese label) pairs for enumerations."""
    minimum: float | None = None
    maximum: float | None = None
    default: str | None = None
    description: str = ""

    @property
    def header_zh(self) -> str:
        return f"{self.zh}（{self.unit}）" if self.unit else self.zh

    def enum_lookup(self) -> dict[str, str]:
        """Every accepted spelling (English, Chinese) → canonical value."""
        lookup: dict[str, str] = {}
        for value, zh in self.enum:
            lookup[value] = value
            lookup[zh] = value
        return lookup

    def enum_zh(self, value: str) -> str:
        return dict(self.enum).get(value, value)


@dataclass(frozen=True)
class Table:
    name: str
    zh: str
    columns: tuple[Column, ...]
    required: bool = True
    description: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


SCHOOL_KINDS: tuple[tuple[str, str], ...] = (
    ("primary", "小学"),
    ("junior", "初中"),
    ("nine_year", "九年一贯制"),
    ("twelve_year", "十二年一贯制"),
    ("complete_middle", "完全中学"),
    ("teaching_point", "教学点"),
    ("special", "特殊教育学校"),
    ("vocational", "职业学校"),
)
LEVELS: tuple[tuple[str, str], ...] = (("primary", "小学"), ("junior", "初中"))
LEVEL_ZH: dict[str, str] = dict(LEVELS)
AREA_TYPES: tuple[tuple[str, str], ...] = (("urban", "城区"), ("town", "镇区"), ("rural", "乡村"))
OWNERSHIPS: tuple[tuple[str, str], ...] = (("public", "公办"), ("private", "民办"))

KIND_LEVELS: dict[str, frozenset[str]] = {
    "primary": frozenset({"primary"}),
    "junior": frozenset({"junior"}),
    "nine_year": frozenset({"primary", "junior"}),
    "twelve_year": frozenset({"primary", "junior"}),
    "complete_middle": frozenset({"junior"}),
    "teaching_point": frozenset({"primary", "junior"}),
    "special": frozenset({"primary", "junior"}),
    "vocational": frozenset({"primary", "junior"}),
}
"""Which segment levels a school of each kind may report."""

SHARED_FACILITY_COLUMNS: tuple[str, ...] = (
    "teaching_aux_area_m2",
    "sports_ground_area_m2",
    "indoor_sports_area_m2",
    "equipment_value_yuan",
    "multimedia_rooms",
)
"""Facilities a combined school may report once on its schools row (apportioned by policy)."""

_T, _I, _N, _E = ColumnType.TEXT, ColumnType.INT, ColumnType.NUMBER, ColumnType.ENUM

SCHOOLS = Table(
    "schools",
    "学校",
    (
        Column("school_id", "学校标识码", _T, description="学校唯一标识，在数据集中不得重复"),
        Column("name", "学校名称", _T),
        Column("county", "县区", _T, description="县区名称或代码；一个数据集可包含多个县区"),
        Column("kind", "学校类型", _E, enum=SCHOOL_KINDS),
        Column(
            "parent_id",
            "所属中心校",
            _T,
            required=False,
            description="教学点所属中心校的学校标识码",
        ),
        Column("area_type", "城乡类型", _E, required=False, enum=AREA_TYPES),
        Column("ownership", "办学性质", _E, required=False, enum=OWNERSHIPS, default="public"),
        Column(
            "township",
            "乡镇",
            _T,
            required=False,
            description="学校所在乡镇；预测在校生时，六年级学生按乡镇划片升入本乡镇的初中",
        ),
        Column("teaching_aux_area_m2", "教学及辅助用房面积", _N, False, "㎡", minimum=0),
        Column("sports_ground_area_m2", "体育运动场地面积", _N, False, "㎡", minimum=0),
        Column("indoor_sports_area_m2", "室内体育用房面积", _N, False, "㎡", minimum=0),
        Column("equipment_value_yuan", "教学仪器设备值", _N, False, "元", minimum=0),
        Column("multimedia_rooms", "网络多媒体教室数", _I, False, "间", minimum=0),
        Column("senior_students", "高中在校生数", _I, False, "人", minimum=0),
    ),
    description="学校名录；一贯制学校共用的设施可在此整校填报，按标准中的分摊规则分到各学段",
)

SEGMENTS = Table(
    "segments",
    "学段",
    (
        Column("school_id", "学校标识码", _T),
        Column("level", "学段", _E, enum=LEVELS),
        Column("students", "在校生数", _I, unit="人", minimum=0),
        Column("classes", "班级数", _I, unit="个", minimum=0),
        Column("max_class_size", "最大班额", _I, False, "人", minimum=0),
        Column("teachers", "专任教师数", _I, unit="人", minimum=0),
        Column("teachers_postgraduate", "研究生学历专任教师数", _I, unit="人", minimum=0),
        Column("teachers_bachelor", "本科学历专任教师数", _I, unit="人", minimum=0),
        Column("teachers_associate", "专科学历专任教师数", _I, unit="人", minimum=0),
        Column("teachers_below_associate", "高中及以下学历专任教师数", _I, unit="人", minimum=0),
        Column("backbone_teachers", "县级及以上骨干教师数", _I, unit="人", minimum=0),
        Column("pe_teachers", "体育专任教师数", _I, unit="人", minimum=0),
        Column("music_teachers", "音乐专任教师数", _I, unit="人", minimum=0),
        Column("fine_art_teachers", "美术专任教师数", _I, unit="人", minimum=0),
        Column("arts_teachers", "艺术（综合）专任教师数", _I, False, "人", minimum=0),
        Column("teaching_aux_area_m2", "教学及辅助用房面积", _N, unit="㎡", minimum=0),
        Column("sports_ground_area_m2", "体育运动场地面积", _N, unit="㎡", minimum=0),
        Column("indoor_sports_area_m2", "室内体育用房面积", _N, False, "㎡", minimum=0),
        Column("equipment_value_yuan", "教学仪器设备值", _N, unit="元", minimum=0),
        Column("multimedia_rooms", "网络多媒体教室数", _I, unit="间", minimum=0),
        Column("music_rooms", "音乐专用教室数", _I, unit="间", minimum=0),
        Column("music_room_min_area_m2", "最小音乐专用教室面积", _N, False, "㎡", minimum=0),
        Column("art_rooms", "美术专用教室数", _I, unit="间", minimum=0),
        Column("art_room_min_area_m2", "最小美术专用教室面积", _N, False, "㎡", minimum=0),
    ),
    description="每校每学段一行（九年一贯制学校两行）",
)

COUNTY = Table(
    "county",
    "县级指标",
    (
        Column("county", "县区", _T),
        Column("fact", "指标项", _T),
        Column("value", "值", _T, required=False),
        Column("note", "说明", _T, required=False),
    ),
    description="长表：每县每项一行",
)

SCHOOL_FACTS = Table(
    "school_facts",
    "学校指标",
    (
        Column("school_id", "学校标识码", _T),
        Column("fact", "指标项", _T),
        Column("value", "值", _T, required=False),
        Column("note", "说明", _T, required=False),
    ),
    required=False,
    description="学校层面的评判项（章程、培训经费占比、德育评价）",
)

SURVEY = Table(
    "survey",
    "满意度调查",
    (
        Column("county", "县区", _T),
        Column("group", "调查对象", _T),
        Column("answers_5", "非常满意人次", _I, unit="人次", minimum=0),
        Column("answers_4", "满意人次", _I, unit="人次", minimum=0),
        Column("answers_3", "一般人次", _I, unit="人次", minimum=0),
        Column("answers_2", "不满意人次", _I, unit="人次", minimum=0),
        Column("answers_1", "非常不满意人次", _I, unit="人次", minimum=0),
    ),
    required=False,
    description="社会认可度调查的汇总答卷：每县每类调查对象一行，按五级选项计数（5 为最积极）",
)

# The grades and classes tables name a school's year and grade the same way.
_SCHOOL_YEAR = Column(
    "year",
    "年份",
    _I,
    unit="年",
    minimum=1900,
    description="秋季学期所在年份，如 2025 表示 2025—2026 学年",
)
_GRADE = Column(
    "grade",
    "年级",
    _I,
    minimum=1,
    maximum=9,
    description="1–6 为小学一至六年级，7–9 为初中一至三年级（七至九年级）",
)

GRADES = Table(
    "grades",
    "年级在校生",
    (
        Column("school_id", "学校标识码", _T),
        _SCHOOL_YEAR,
        _GRADE,
        Column("students", "在校生数", _I, unit="人", minimum=0),
    ),
    required=False,
    description="各校各年级在校生数，可填近 3–5 年，用于预测目标年的在校生数；每校每年每年级一行",
)

BIRTHS = Table(
    "births",
    "出生人口",
    (
        Column("county", "县区", _T),
        Column("year", "出生年份", _I, unit="年", minimum=1900),
        Column("births", "出生人数", _I, unit="人", minimum=0),
    ),
    required=False,
    description="各县区每年出生人数，可不填；填写时须覆盖预测各年入学儿童的出生年份"
    "（目标年前 7 年起），系统按年满 6 周岁、以 8 月 31 日为界推算一年级新生，"
    "否则按近年新生人数的变化推算",
)

CLASSES = Table(
    "classes",
    "班级学生数",
    (
        Column("school_id", "学校标识码", _T),
        _SCHOOL_YEAR,
        _GRADE,
        Column(
            "class_name",
            "班级",
            _T,
            required=False,
            description="班级名称或班号，如 3 或 三（2）班；同一学校同一年级内不得重复",
        ),
        Column("students", "学生数", _I, unit="人", minimum=0),
    ),
    required=False,
    description="各校每个教学班的学生数（每班一行），用于统计各班额段的班级数、"
    "判断消除大班额的目标是否如期实现",
)

PROJECT_KINDS: tuple[tuple[str, str], ...] = (
    ("new", "新建"),
    ("expand", "改扩建"),
    ("repair", "维修"),
    ("equipment", "设备购置"),
)
PROJECT_STATUSES: tuple[tuple[str, str], ...] = (
    ("planned", "未开工"),
    ("building", "在建"),
    ("completed", "已完工"),
)

_DATE_TEXT = "日期，如 2025-08-31 或 2025年8月（只写到月时按该月最后一天计）"

FINANCE = Table(
    "finance",
    "县级教育经费",
    (
        Column("county", "县区", _T),
        Column("year", "年度", _I, unit="年", minimum=1900, description="财政年度（自然年）"),
        Column(
            "education_expenditure_yuan",
            "一般公共预算教育支出",
            _N,
            False,
            "元",
            minimum=0,
        ),
        Column(
            "students",
            "在校学生数",
            _I,
            False,
            "人",
            minimum=0,
            description="计算按在校学生人数平均的一般公共预算教育支出所用的在校生总数",
        ),
        Column(
            "per_student_expenditure_yuan",
            "生均一般公共预算教育支出",
            _N,
            False,
            "元",
            minimum=0,
            description="可不填：填写在校学生数时由系统计算；两者都填时以本列为准",
        ),
        Column("public_expenditure_yuan", "一般公共预算支出", _N, False, "元", minimum=0),
        Column(
            "required_share_pct",
            "省定教育支出占比",
            _N,
            False,
            "%",
            minimum=0,
            maximum=100,
            description="本省规定的一般公共预算教育支出占一般公共预算支出的最低比例，如 16；"
            "填写后该年度按此判定，不填则按经费检查规则（国家规则不设此比例，无法判定）",
        ),
        Column("land_revenue_yuan", "土地出让收益", _N, False, "元", minimum=0),
        Column(
            "land_revenue_education_yuan",
            "土地出让收益计提教育资金",
            _N,
            False,
            "元",
            minimum=0,
        ),
        Column(
            "urban_surcharge_collected_yuan", "城市教育费附加征收额", _N, False, "元", minimum=0
        ),
        Column(
            "urban_surcharge_allocated_yuan", "城市教育费附加拨付教育额", _N, False, "元", minimum=0
        ),
        Column("local_surcharge_collected_yuan", "地方教育附加征收额", _N, False, "元", minimum=0),
        Column(
            "local_surcharge_allocated_yuan", "地方教育附加拨付教育额", _N, False, "元", minimum=0
        ),
        Column("public_funds_yuan", "中小学公用经费", _N, False, "元", minimum=0),
        Column("training_funds_yuan", "教师培训经费", _N, False, "元", minimum=0),
        Column("teacher_avg_pay_yuan", "教师平均工资收入", _N, False, "元", minimum=0),
        Column("civil_servant_avg_pay_yuan", "当地公务员平均工资收入", _N, False, "元", minimum=0),
    ),
    required=False,
    description="各县区每个财政年度的教育经费投入（每县每年一行），用于判断“两个只增不减”、"
    "教育支出占比、土地出让收益计提、教育费附加拨付和培训经费比例；没有的数可空着",
)

PROJECTS = Table(
    "projects",
    "建设项目",
    (
        Column("project_id", "项目编号", _T, description="县内唯一，如 2025-01"),
        Column("county", "县区", _T),
        Column("name", "项目名称", _T),
        Column("kind", "项目类型", _E, enum=PROJECT_KINDS),
        Column(
            "school_id",
            "学校标识码",
            _T,
            required=False,
            description="项目所在学校；新建学校尚无标识码时空着并填写新建学校名称",
        ),
        Column("new_school_name", "新建学校名称", _T, required=False),
        Column("township", "乡镇", _T, required=False, description="新建学校所在乡镇"),
        Column(
            "level",
            "学段",
            _E,
            required=False,
            enum=LEVELS,
            description="九年一贯制等学校的项目只用于一个学段时填写；空着表示全校共用",
        ),
        Column("places_primary", "新增小学学位", _I, False, "个", minimum=0),
        Column("places_junior", "新增初中学位", _I, False, "个", minimum=0),
        Column("teaching_aux_area_m2", "新增教学及辅助用房面积", _N, False, "㎡", minimum=0),
        Column("sports_ground_area_m2", "新增体育运动场地面积", _N, False, "㎡", minimum=0),
        Column("indoor_sports_area_m2", "新增室内体育用房面积", _N, False, "㎡", minimum=0),
        Column("multimedia_rooms", "新增网络多媒体教室", _I, False, "间", minimum=0),
        Column("music_rooms", "新增音乐专用教室", _I, False, "间", minimum=0),
        Column("art_rooms", "新增美术专用教室", _I, False, "间", minimum=0),
        Column("equipment_value_yuan", "新增教学仪器设备值", _N, False, "元", minimum=0),
        Column("budget_yuan", "计划投资", _N, False, "元", minimum=0),
        Column("funding_source", "资金来源", _T, required=False),
        Column("planned_start", "计划开工", _T, required=False, description=_DATE_TEXT),
        Column("planned_finish", "计划竣工", _T, description=_DATE_TEXT),
        Column("actual_start", "实际开工", _T, required=False, description=_DATE_TEXT),
        Column("actual_finish", "实际竣工", _T, required=False, description=_DATE_TEXT),
        Column("status", "项目状态", _E, required=False, enum=PROJECT_STATUSES, default="planned"),
        Column("progress_pct", "形象进度", _N, False, "%", minimum=0, maximum=100),
        Column("note", "备注", _T, required=False),
    ),
    required=False,
    description="新建、改扩建、维修和设备购置项目（每个项目一行）：竣工后新增的学位、校舍和设备"
    "计入该校竣工当年秋季学期及以后的预测",
)

STAFFING = Table(
    "staffing",
    "编制与招聘计划",
    (
        Column("school_id", "学校标识码", _T),
        Column(
            "year",
            "年份",
            _I,
            unit="年",
            minimum=1900,
            description="秋季学期所在年份：新教师到岗、骨干教师认定生效的学年",
        ),
        Column("level", "学段", _E, enum=LEVELS),
        Column("approved_posts", "核定编制数", _I, False, "人", minimum=0),
        Column("hires", "计划招聘专任教师", _I, False, "人", minimum=0),
        Column("hires_postgraduate", "其中：研究生学历", _I, False, "人", minimum=0),
        Column("hires_bachelor", "其中：本科学历", _I, False, "人", minimum=0),
        Column("hires_pe", "其中：体育教师", _I, False, "人", minimum=0),
        Column("hires_music", "其中：音乐教师", _I, False, "人", minimum=0),
        Column("hires_fine_art", "其中：美术教师", _I, False, "人", minimum=0),
        Column("backbone_new", "新增县级及以上骨干教师", _I, False, "人", minimum=0),
        Column(
            "leavers",
            "预计退休及调出专任教师",
            _I,
            False,
            "人",
            minimum=0,
            description="按学历从低到高依次减少（预测规则中可改）",
        ),
    ),
    required=False,
    description="各校各学段的核定编制和逐年招聘计划（每校每年每学段一行），计入目标年预测",
)

TARGET_BANDS: tuple[tuple[str, str], ...] = (
    ("over_standard", "超标准班额及以上"),
    ("large", "56人以上大班额"),
    ("super_large", "66人以上超大班额"),
)
"""The bands of `junheng/core/class_sizes.yaml` a county target names, each meaning "this band
and every larger one", labelled as county plans write them (the keys must be band keys there;
a test checks the labels against the bands' bounds)."""

CLASS_TARGETS = Table(
    "class_targets",
    "创建目标（班额）",
    (
        Column("county", "县区", _T),
        Column(
            "year",
            "目标年份",
            _I,
            unit="年",
            minimum=1900,
            description="目标要实现的秋季学期所在年份，如 2025 表示 2025年秋季学期起",
        ),
        Column("band", "班额目标", _E, enum=TARGET_BANDS),
        Column(
            "level",
            "学段",
            _E,
            required=False,
            enum=LEVELS,
            description="只对一个学段提出的目标填写；空着表示小学和初中都适用",
        ),
        Column(
            "max_classes",
            "最多保留班数",
            _I,
            False,
            "个",
            minimum=0,
            default="0",
            description="该班额段及以上的班级最多保留几个；0（或空着）表示全部消除",
        ),
        Column(
            "max_share",
            "最多保留比例",
            _N,
            False,
            "%",
            minimum=0,
            maximum=100,
            description="“基本消除”有比例要求时填写，如 5 表示不超过当年总班数的 5%；"
            "没有比例要求的空着",
        ),
        Column(
            "source",
            "目标依据",
            _T,
            description="提出目标的县级文件，如《示范县推进义务教育优质均衡发展实施方案》",
        ),
    ),
    required=False,
    description="县区自定的消除大班额、超标准班额的目标（每县每个目标年份、班额目标、学段一行）："
    "填写后按县区目标逐年判断，代替国家的默认目标",
)

TABLES: tuple[Table, ...] = (
    SCHOOLS,
    SEGMENTS,
    COUNTY,
    SCHOOL_FACTS,
    SURVEY,
    GRADES,
    BIRTHS,
    CLASSES,
    FINANCE,
    PROJECTS,
    STAFFING,
    CLASS_TARGETS,
)
PLAN_TABLES: tuple[Table, ...] = (CLASSES, FINANCE, PROJECTS, STAFFING, CLASS_TARGETS)
"""The optional tables of the creation plan over the years, read by the forecast and the
plan checks only; the evaluation of the dataset's own year does not read them."""
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}

SURVEY_ANSWER_COLUMNS: tuple[str, ...] = (
    "answers_5",
    "answers_4",
    "answers_3",
    "answers_2",
    "answers_1",
)
"""Answer counts from the most to the least positive option."""


GRADE_LEVELS: dict[int, str] = {
    **dict.fromkeys((1, 2, 3, 4, 5, 6), "primary"),
    **dict.fromkeys((7, 8, 9), "junior"),
}
"""The level of each grade of the grades table (六三学制: grades 1–6 primary, 7–9 junior)."""


class FactType(StrEnum):
    BOOL = "bool"
    NUMBER = "number"
    RATIO = "ratio"
    LEVEL = "level"
    RATING = "rating"


@dataclass(frozen=True)
class Fact:
    name: str
    zh: str
    type: FactType
    unit: str = ""


COUNTY_FACTS: tuple[Fact, ...] = (
    Fact("layout_plan_ok", "义务教育学校布局规划科学合理", FactType.BOOL),
    Fact("unified_standards_ok", "城乡学校建设、编制、公用经费、装备标准统一", FactType.BOOL),
    Fact("staffing_allocation_ok", "县级教育部门统筹分配编制和岗位", FactType.BOOL),
    Fact("small_school_funding_ok", "不足100人的小规模学校按100人拨付公用经费", FactType.BOOL),
    Fact("special_ed_funds_per_student_yuan", "特殊教育学校生均公用经费", FactType.NUMBER, "元"),
    Fact("teacher_avg_pay_yuan", "教师平均工资收入", FactType.NUMBER, "元"),
    Fact("civil_servant_avg_pay_yuan", "当地公务员平均工资收入", FactType.NUMBER, "元"),
    Fact("performance_pay_full", "教师绩效工资总量核定到位", FactType.BOOL),
    Fact("training_360h_rate", "教师5年360学时培训完成率", FactType.RATIO),
    Fact("rotation_rate", "符合交流条件教师年交流轮岗比例", FactType.RATIO),
    Fact("rotation_backbone_share", "交流轮岗教师中骨干教师比例", FactType.RATIO),
    Fact("certified_teacher_rate", "专任教师持有教师资格证比例", FactType.RATIO),
    Fact("nearby_admission_rate_primary", "城区和镇区公办小学就近划片入学比例", FactType.RATIO),
    Fact("nearby_admission_rate_junior", "城区和镇区公办初中就近划片入学比例", FactType.RATIO),
    Fact("quota_allocation_rate", "优质高中招生名额分配到初中比例", FactType.RATIO),
    Fact("migrant_public_rate", "符合条件随迁子女在公办学校和政府购买学位就读比例", FactType.RATIO),
    Fact("left_behind_care_ok", "农村留守儿童关爱体系健全", FactType.BOOL),
    Fact("junior_retention_rate", "初中三年巩固率", FactType.RATIO),
    Fact("disabled_enrolment_rate", "残疾儿童少年入学率", FactType.RATIO),
    Fact("ict_use_ok", "教师能熟练运用信息化手段，设施设备利用率高", FactType.BOOL),
    Fact("curriculum_ok", "按国家要求开齐开足课程，教学秩序规范", FactType.BOOL),
    Fact("burden_ok", "无过重课业负担", FactType.BOOL),
    Fact("monitoring_level_min", "国家义务教育质量监测相关科目最低水平等级", FactType.LEVEL),
    Fact("monitoring_school_diff_rate", "国家义务教育质量监测校际差异率", FactType.NUMBER),
    Fact("recognition_rate", "社会认可度", FactType.RATIO),
    Fact("veto_exam_admission", "存在以考试方式招生", FactType.BOOL),
    Fact("veto_school_choice", "存在违规择校行为", FactType.BOOL),
    Fact("veto_key_classes", "存在设置重点学校或重点班", FactType.BOOL),
    Fact("veto_unfilled_posts", "存在有编不补或长期聘用编外教师", FactType.BOOL),
    Fact("veto_major_accident", "发生重大安全责任事故或严重违纪违规事件", FactType.BOOL),
    Fact("veto_falsification", "存在弄虚作假行为", FactType.BOOL),
)

SCHOOL_FACT_DEFS: tuple[Fact, ...] = (
    Fact("has_charter", "学校制定章程", FactType.BOOL),
    Fact("digitised_ok", "学校管理与教学信息化", FactType.BOOL),
    Fact("training_budget_share", "教师培训经费占年度公用经费比例", FactType.RATIO),
    Fact("moral_education_rating", "德育工作与校园文化建设评价", FactType.RATING),
)

COUNTY_FACTS_BY_NAME: dict[str, Fact] = {f.name: f for f in COUNTY_FACTS}
SCHOOL_FACTS_BY_NAME: dict[str, Fact] = {f.name: f for f in SCHOOL_FACT_DEFS}

RATINGS: tuple[str, ...] = ("优秀", "良好", "合格", "不合格")
"""Moral-education ratings from best to worst; stored as text."""

LEVEL_NUMERALS: dict[str, int] = {
    "Ⅰ": 1,
    "Ⅱ": 2,
    "Ⅲ": 3,
    "Ⅳ": 4,
    "I": 1,
    "II": 2,
    "III": 3,
    "IV": 4,
}

TRUE_WORDS: frozenset[str] = frozenset({"是", "yes", "y", "true", "1", "有", "√", "✓", "已"})
FALSE_WORDS: frozenset[str] = frozenset({"否", "no", "n", "false", "0", "无", "×", "✗", "未"})
