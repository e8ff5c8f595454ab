"""Reading survey data files: the rules in `rules/` and the questionnaires in `questionnaires/`.

The only module of `junheng.survey` that touches files. YAML is read with the standards' strict
reader (duplicate keys refused); the models are built by the pure modules.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from junheng.core.standard import StandardError
from junheng.standards import read_yaml
from junheng.survey.questionnaire import Questionnaire, build_questionnaire
from junheng.survey.rules import SurveyFileError, SurveyRules, build_rules

SURVEY_DIR = Path(__file__).parent
RULES_DIR = SURVEY_DIR / "rules"
QUESTIONNAIRES_DIR = SURVEY_DIR / "questionnaires"
DEFAULT_RULES = "national"


def _read(path: Path) -> dict:
    try:
        return read_yaml(path)
    except StandardError as exc:
        raise SurveyFileError(exc.origin, exc.where, exc.problem) from None


def _path(name: str, folder: Path, what: str) -> Path:
    path = Path(name)
    if path.suffix in {".yaml", ".yml"}:
        if not path.exists():
            raise SurveyFileError(name, "文件", "找不到该文件")
        return path
    bundled = folder / f"{name}.yaml"
    if not bundled.exists():
        known = "、".join(sorted(p.stem for p in folder.glob("*.yaml")))
        raise SurveyFileError(name, "id", f"没有这个{what}；可用的有：{known}")
    return bundled


def load_rules(name: str = DEFAULT_RULES) -> SurveyRules:
    """Bundled survey rules by id, or a rules file by path (read afresh: a county may edit it)."""
    path = _path(name, RULES_DIR, "调查规则")
    if path.parent == RULES_DIR:
        return _bundled_rules(path)
    return build_rules(_read(path), path.name)


@cache
def _bundled_rules(path: Path) -> SurveyRules:
    return build_rules(_read(path), path.name)


def load_questionnaire(name: str, rules: SurveyRules | None = None) -> Questionnaire:
    """A bundled questionnaire by id (`public`, `staff`, `student`) or a questionnaire file."""
    path = _path(name, QUESTIONNAIRES_DIR, "问卷")
    return build_questionnaire(_read(path), rules or load_rules(), path.name)


def bundled_questionnaires(rules: SurveyRules | None = None) -> list[Questionnaire]:
    return [load_questionnaire(str(p), rules) for p in sorted(QUESTIONNAIRES_DIR.glob("*.yaml"))]
