"""Report charts: valid PNGs, Chinese in the bundled font, numbers from the evaluation."""

import dataclasses
import io
import os
import tempfile
import warnings
from pathlib import Path

import matplotlib
import matplotlib.image
import polars as pl
import pytest
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from junheng.core.evaluate import evaluate
from junheng.demo import demo_county
from junheng.reports import charts
from junheng.reports.fonts import cjk_font, cjk_font_path
from junheng.standards import load_standard

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
COUNTY = "示范县"
FAILING_SCHOOL = "2152080001"  # 双庙乡中心小学: 5 of 7 met
MISSING_SCHOOL = "2152010002"  # 城关第二小学: every indicator met in the demo


@pytest.fixture(scope="module")
def evaluation():
    return evaluate(demo_county(), load_standard())


@pytest.fixture(scope="module")
def evaluation_with_gap():
    """The demo county with one primary segment's multimedia rooms not reported."""
    data = demo_county()
    hit = (pl.col("school_id") == MISSING_SCHOOL) & (pl.col("level") == "primary")
    segments = data.segments.with_columns(
        pl.when(hit).then(None).otherwise(pl.col("multimedia_rooms")).alias("multimedia_rooms")
    )
    return evaluate(dataclasses.replace(data, segments=segments), load_standard())


def _all_charts(evaluation):
    return {
        "cv_primary": charts.cv_chart(evaluation, COUNTY, "primary"),
        "cv_junior": charts.cv_chart(evaluation, COUNTY, "junior"),
        "indicator_primary_R2": charts.indicator_chart(evaluation, COUNTY, "primary", "R2"),
        "indicator_junior_R5": charts.indicator_chart(evaluation, COUNTY, "junior", "R5"),
        "parts": charts.parts_chart(evaluation, COUNTY),
        "school": charts.school_chart(evaluation, COUNTY, FAILING_SCHOOL, "primary"),
    }


def _figures(evaluation):
    return [
        charts._cv_figure(evaluation, COUNTY, "primary"),
        charts._indicator_figure(evaluation, COUNTY, "primary", "R2"),
        charts._indicator_figure(evaluation, COUNTY, "junior", "R5"),
        charts._parts_figure(evaluation, COUNTY),
        charts._school_figure(evaluation, COUNTY, FAILING_SCHOOL, "primary"),
    ]


def _texts(figure):
    charts._use_cjk_font(figure)
    return [t for t in figure.findobj(Text) if t.get_text().strip()]


def test_every_chart_is_a_readable_png_sized_for_an_a4_page(evaluation):
    for name, png in _all_charts(evaluation).items():
        assert png.startswith(PNG_SIGNATURE), name
        image = matplotlib.image.imread(io.BytesIO(png), format="png")
        height, width = image.shape[:2]
        # 16 cm at 180 dpi
        assert width == pytest.approx(16 / 2.54 * charts.DPI, abs=2), name
        assert 200 < height < 24 / 2.54 * charts.DPI + 2, name


def test_the_bundled_font_exists_and_has_the_chinese_glyphs():
    for serif in (False, True):
        path = cjk_font_path(serif)
        assert path.is_file()
        font = FT2Font(str(path))
        assert all(font.get_char_index(ord(ch)) != 0 for ch in "差异系数资源配置≤≥㎡")
    assert Path(cjk_font().get_file()) == cjk_font_path()


def test_every_text_of_every_chart_is_set_in_the_bundled_font_with_no_missing_glyph(evaluation):
    path = cjk_font_path()
    font = FT2Font(str(path))
    for figure in _figures(evaluation):
        texts = _texts(figure)
        assert texts
        for text in texts:
            assert Path(text.get_fontproperties().get_file()) == path, text.get_text()
            missing = [
                ch
                for ch in text.get_text()
                if not ch.isspace() and font.get_char_index(ord(ch)) == 0
            ]
            assert not missing, (text.get_text(), missing)


def test_rendering_gives_no_warnings_and_leaves_matplotlib_settings_alone(evaluation):
    before = dict(matplotlib.rcParams)
    with warnings.catch_warnings():
        # a glyph missing from the font is reported by matplotlib as a warning
        warnings.simplefilter("error")
        _all_charts(evaluation)
    assert dict(matplotlib.rcParams) == before


def test_the_same_evaluation_gives_the_same_bytes(evaluation):
    assert charts.parts_chart(evaluation, COUNTY) == charts.parts_chart(evaluation, COUNTY)


def test_cv_labels_are_the_evaluations_cvs_with_three_decimals(evaluation):
    labels = {t.get_text() for t in _texts(charts._cv_figure(evaluation, COUNTY, "junior"))}
    rows = evaluation.balance.filter((pl.col("county") == COUNTY) & (pl.col("level") == "junior"))
    for cv in rows["cv"]:
        assert f"{cv:.3f}" in labels
    assert "限值 0.45" in labels
    assert any("1 项超过限值" in label for label in labels)


def test_a_cv_that_cannot_be_computed_is_labelled_so(evaluation_with_gap):
    labels = [
        t.get_text() for t in _texts(charts._cv_figure(evaluation_with_gap, COUNTY, "primary"))
    ]
    assert "无法计算" in labels
    school = [
        t.get_text()
        for t in _texts(
            charts._school_figure(evaluation_with_gap, COUNTY, MISSING_SCHOOL, "primary")
        )
    ]
    assert "缺数据" in school
    assert any("无法判定" in label for label in school)


def test_indicator_chart_sorts_schools_and_draws_the_threshold_and_85_percent_line(evaluation):
    figure = charts._indicator_figure(evaluation, COUNTY, "junior", "R5")
    labels = [t.get_text() for t in _texts(figure)]
    assert any(label.startswith("标准值") and "10.20" in label for label in labels)
    assert any(label.startswith("85%线") and "8.67" in label for label in labels)
    bars = figure.axes[0].patches
    heights = [bar.get_height() for bar in bars]
    assert heights == sorted(heights, reverse=True)
    colors = {matplotlib.colors.to_hex(bar.get_facecolor()).upper() for bar in bars}
    assert {charts.BLUE, charts.ORANGE, charts.RED} <= colors


def test_parts_chart_counts_come_from_the_evaluation(evaluation):
    labels = [t.get_text() for t in _texts(charts._parts_figure(evaluation, COUNTY))]
    g = [r for r in evaluation.items[COUNTY] if r.item.startswith("G")]
    assert f"符合 {sum(r.passes is True for r in g)}/{len(g)} 项" in labels
    assert any("未达到县域义务教育优质均衡发展要求" in label for label in labels)
    assert "无否决情形" in labels


def test_unknown_county_school_or_indicator_is_a_clear_error(evaluation):
    with pytest.raises(KeyError, match="没有"):
        charts.cv_chart(evaluation, "某县", "primary")
    with pytest.raises(KeyError, match="学校标识码"):
        charts.school_chart(evaluation, COUNTY, "0000000000", "primary")
    with pytest.raises(KeyError, match="资源配置指标"):
        charts.indicator_chart(evaluation, COUNTY, "primary", "G3")


def test_charts_are_written_for_viewing(evaluation):
    """One chart of each kind in a known folder, to be looked at when the charts change."""
    folder = Path(
        os.environ.get("JUNHENG_CHART_DIR", Path(tempfile.gettempdir(), "junheng-charts"))
    )
    folder.mkdir(parents=True, exist_ok=True)
    for name, png in _all_charts(evaluation).items():
        (folder / f"{name}.png").write_bytes(png)
    assert len(list(folder.glob("*.png"))) >= 6
