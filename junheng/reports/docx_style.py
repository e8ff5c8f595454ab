"""Chinese official-document styling for Word reports (GB/T 9704 layout).

A4 pages with the official margins, 2号 小标宋 titles, headings 一、（一）1.（1） in 黑体, 楷体 and
仿宋, 3号 仿宋 body text at a fixed 28-pt line pitch with a two-character first-line indent, tables
in 宋体, "— 1 —" page numbers, a cover page and a table of contents.

python-docx only writes the Latin font names of a run; Chinese text is drawn with the East-Asian
font (`w:eastAsia`), so every style and run here sets both explicitly and removes the theme font
references that would otherwise win. The preferred fonts (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312)
are not installed everywhere, so the document's font table names a common fallback for each
(`w:altName`: 宋体, 仿宋, 楷体), which Word and WPS use when the preferred font is missing.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document as new_docx
from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import (
    WD_ALIGN_PARAGRAPH,
    WD_BREAK,
    WD_LINE_SPACING,
    WD_TAB_ALIGNMENT,
    WD_TAB_LEADER,
)
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.section import Section
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from junheng.files import atomic_file

# ---------------------------------------------------------------------------------------------
# Sizes and fonts
# ---------------------------------------------------------------------------------------------

SIZES: dict[str, float] = {
    "初号": 42,
    "小初": 36,
    "一号": 26,
    "小一": 24,
    "二号": 22,
    "小二": 18,
    "三号": 16,
    "小三": 15,
    "四号": 14,
    "小四": 12,
    "五号": 10.5,
    "小五": 9,
}
"""Chinese font size names in points."""

TITLE_FONT = "方正小标宋简体"
SONG = "宋体"
HEI = "黑体"
KAI = "楷体_GB2312"
FANGSONG = "仿宋_GB2312"
LATIN = "Times New Roman"

FALLBACKS: dict[str, str] = {TITLE_FONT: SONG, KAI: "楷体", FANGSONG: "仿宋"}
"""Preferred font → the font Word and WPS use where the preferred one is not installed."""

PAGE_WIDTH_CM = 21.0
PAGE_HEIGHT_CM = 29.7
MARGINS_CM: dict[str, float] = {"top": 3.7, "bottom": 3.5, "left": 2.8, "right": 2.6}
TEXT_WIDTH_CM = PAGE_WIDTH_CM - MARGINS_CM["left"] - MARGINS_CM["right"]
"""Width of the type area of a portrait page (15.6 cm)."""
LANDSCAPE_TEXT_WIDTH_CM = PAGE_HEIGHT_CM - MARGINS_CM["top"] - MARGINS_CM["bottom"]
"""Width of the type area of a landscape page (the portrait top and bottom margins turn)."""

BODY_SIZE = SIZES["三号"]
LINE_PITCH = Pt(28)
TABLE_SIZE = SIZES["五号"]

HEADING_FONTS: dict[int, tuple[str, bool]] = {
    1: (HEI, False),
    2: (KAI, False),
    3: (FANGSONG, True),
    4: (FANGSONG, False),
}
"""Heading level → (East-Asian font, bold), as GB/T 9704 sets the four levels of a document."""

TOC_LEVELS = 2
"""Heading levels listed in the table of contents."""

STYLE_TITLE = "Report Title"
STYLE_TABLE_TEXT = "Table Text"
STYLE_CAPTION = "Report Caption"
STYLE_FIGURE = "Report Figure"
STYLE_NOTE = "Report Note"
STYLE_COVER = "Cover Text"

MISSING_TEXT = "—"


# ---------------------------------------------------------------------------------------------
# Numbering
# ---------------------------------------------------------------------------------------------

_DIGITS = "〇一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (1–99)."""
    if not 0 < n < 100:
        raise ValueError(f"只支持 1–99 的序号：{n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "十" if tens == 1 else f"{_DIGITS[tens]}十"
    return head + (_DIGITS[ones] if ones else "")


def chinese_date(day: dt.date, with_day: bool = False) -> str:
    """2026-11-05 → 二〇二六年十一月, as documents date themselves; optionally with the day."""
    year = "".join(_DIGITS[int(d)] for d in str(day.year))
    text = f"{year}年{chinese_numeral(day.month)}月"
    return text + f"{chinese_numeral(day.day)}日" if with_day else text


def outline_label(level: int, n: int) -> str:
    """The label of the n-th heading of a level: 一、 （一） 1. （1）."""
    match level:
        case 1:
            return f"{chinese_numeral(n)}、"
        case 2:
            return f"（{chinese_numeral(n)}）"
        case 3:
            return f"{n}."
        case 4:
            return f"（{n}）"
    raise ValueError(f"标题级别只能是 1–4：{level}")


@dataclass
class Outline:
    """Counters of the four heading levels; a heading resets the levels below it."""

    counts: list[int] = field(default_factory=lambda: [0, 0, 0, 0])

    def next_label(self, level: int) -> str:
        self.counts[level - 1] += 1
        for deeper in range(level, 4):
            self.counts[deeper] = 0
        return outline_label(level, self.counts[level - 1])

    def heading(self, doc: Document, text: str, level: int) -> Paragraph:
        """Add a numbered heading ("一、基本情况")."""
        return add_heading(doc, self.next_label(level) + text, level)


@dataclass
class Counter:
    """Running numbers of tables and figures ("表 3", "图 2")."""

    tables: int = 0
    figures: int = 0

    def table(self) -> str:
        self.tables += 1
        return f"表{self.tables}"

    def figure(self) -> str:
        self.figures += 1
        return f"图{self.figures}"


# ---------------------------------------------------------------------------------------------
# Low-level XML helpers
# ---------------------------------------------------------------------------------------------

_THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_fonts(rpr_owner: Any, east_asia: str, latin: str | None = LATIN) -> None:
    """Set the Latin and East-Asian fonts of a run or style (`w:rFonts` with `w:eastAsia`).

    Theme font references are removed because Word resolves them before explicit names.
    """
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in _THEME_FONT_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    latin_name = latin or east_asia
    fonts.set(qn("w:ascii"), latin_name)
    fonts.set(qn("w:hAnsi"), latin_name)
    fonts.set(qn("w:cs"), latin_name)
    fonts.set(qn("w:eastAsia"), east_asia)
    # Chinese quotation marks and dashes are ambiguous-width characters; the hint makes Word
    # draw them with the East-Asian font instead of the Latin one.
    fonts.set(qn("w:hint"), "eastAsia")


def _remove(parent: Any, tag: str) -> None:
    for child in parent.findall(qn(tag)):
        parent.remove(child)


def _insert_before(parent: Any, child: Any, successors: Sequence[str]) -> None:
    """Insert `child` before the first existing element named in `successors` (schema order)."""
    for name in successors:
        found = parent.find(qn(name))
        if found is not None:
            found.addprevious(child)
            return
    parent.append(child)


def _first_line_chars(paragraph_format_owner: Any, chars: int, size_pt: float) -> None:
    """First-line indent in characters (Word's `firstLineChars`, hundredths of a character)
    plus the equivalent absolute indent for programs that ignore character units."""
    ppr = paragraph_format_owner.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
        _reorder_ppr(ppr)
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(round(chars * size_pt * 20)))
    ind.attrib.pop(qn("w:hanging"), None)
    ind.attrib.pop(qn("w:hangingChars"), None)


_PPR_ORDER = (
    "w:pStyle",
    "w:keepNext",
    "w:keepLines",
    "w:pageBreakBefore",
    "w:framePr",
    "w:widowControl",
    "w:numPr",
    "w:suppressLineNumbers",
    "w:pBdr",
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _reorder_ppr(ppr: Any) -> None:
    """Put pPr children in schema order (Word refuses some files with misordered elements)."""
    rank = {qn(tag): i for i, tag in enumerate(_PPR_ORDER)}
    children = sorted(ppr, key=lambda el: rank.get(el.tag, len(rank)))
    for child in children:
        ppr.remove(child)
        ppr.append(child)


def _outline_level(style_element: Any, level: int | None) -> None:
    ppr = style_element.get_or_add_pPr()
    _remove(ppr, "w:outlineLvl")
    if level is not None:
        el = OxmlElement("w:outlineLvl")
        el.set(qn("w:val"), str(level))
        ppr.append(el)
        _reorder_ppr(ppr)


def _clear_color(style_element: Any) -> None:
    rpr = style_element.get_or_add_rPr()
    _remove(rpr, "w:color")


def add_field(paragraph: Paragraph, instruction: str, placeholder: str = "") -> Run:
    """A complex field (PAGE, TOC …) in a paragraph; `placeholder` is the cached result shown
    until the field is updated. Returns the run holding the placeholder."""
    _field_char(paragraph.add_run(), "begin")
    instr_run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    instr_run._r.append(instr)
    _field_char(paragraph.add_run(), "separate")
    result = paragraph.add_run(placeholder)
    _field_char(paragraph.add_run(), "end")
    return result


def _field_char(run: Run, kind: str) -> None:
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    if kind == "begin":
        el.set(qn("w:dirty"), "true")
    run._r.append(el)


# ---------------------------------------------------------------------------------------------
# Document set-up
# ---------------------------------------------------------------------------------------------


def new_document() -> Document:
    """An empty A4 document with the official page layout and styles."""
    doc = new_docx()
    _document_defaults(doc)
    _styles(doc)
    _font_table(doc)
    _settings(doc)
    setup_page(doc.sections[0])
    return doc


def setup_page(section: Section, landscape: bool = False) -> None:
    """A4 with the official margins (top 3.7, bottom 3.5, left 2.8, right 2.6 cm); in landscape
    the page turns and so do the margins."""
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(PAGE_HEIGHT_CM), Cm(PAGE_WIDTH_CM)
        section.top_margin, section.bottom_margin = Cm(MARGINS_CM["left"]), Cm(MARGINS_CM["right"])
        section.left_margin, section.right_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
        section.top_margin, section.bottom_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])
        section.left_margin, section.right_margin = Cm(MARGINS_CM["left"]), Cm(MARGINS_CM["right"])
    section.header_distance = Cm(1.5)
    section.footer_distance = Cm(2.5)
    section.gutter = Cm(0)


def _document_defaults(doc: Document) -> None:
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for attr in _THEME_FONT_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)
    fonts.set(qn("w:cs"), LATIN)
    fonts.set(qn("w:eastAsia"), FANGSONG)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    spacing.set(qn("w:lineRule"), "auto")


def _paragraph_style(doc: Document, name: str, base: str = "Normal") -> Any:
    styles = doc.styles
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.quick_style = True
    return style


def _styles(doc: Document) -> None:
    styles = doc.styles

    normal = styles["Normal"]
    set_fonts(normal.element, FANGSONG)
    normal.font.size = Pt(BODY_SIZE)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.widow_control = False
    _first_line_chars(normal.element, 2, BODY_SIZE)

    for level, (font, bold) in HEADING_FONTS.items():
        style = styles[f"Heading {level}"]
        set_fonts(style.element, font)
        style.font.size = Pt(BODY_SIZE)
        style.font.bold = bold
        style.font.italic = False
        _clear_color(style.element)
        fmt = style.paragraph_format
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE_PITCH
        fmt.keep_with_next = True
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _first_line_chars(style.element, 2, BODY_SIZE)
        # the outline level is what puts a heading into the table of contents
        _outline_level(style.element, level - 1)

    title = _paragraph_style(doc, STYLE_TITLE)
    set_fonts(title.element, TITLE_FONT)
    title.font.size = Pt(SIZES["二号"])
    fmt = title.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(36)
    fmt.first_line_indent = Pt(0)
    fmt.space_after = Pt(28)
    fmt.keep_with_next = True
    _first_line_chars(title.element, 0, SIZES["二号"])

    cover = _paragraph_style(doc, STYLE_COVER)
    set_fonts(cover.element, KAI)
    cover.font.size = Pt(BODY_SIZE)
    fmt = cover.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _first_line_chars(cover.element, 0, BODY_SIZE)

    table_text = _paragraph_style(doc, STYLE_TABLE_TEXT)
    set_fonts(table_text.element, SONG)
    table_text.font.size = Pt(TABLE_SIZE)
    fmt = table_text.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.space_before = Pt(1)
    fmt.space_after = Pt(1)
    _first_line_chars(table_text.element, 0, TABLE_SIZE)

    caption = _paragraph_style(doc, STYLE_CAPTION)
    set_fonts(caption.element, HEI)
    caption.font.size = Pt(SIZES["四号"])
    fmt = caption.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.keep_with_next = True
    fmt.space_before = Pt(6)
    fmt.space_after = Pt(3)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _first_line_chars(caption.element, 0, SIZES["四号"])

    figure = _paragraph_style(doc, STYLE_FIGURE)
    fmt = figure.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.keep_with_next = True
    fmt.space_before = Pt(6)
    _first_line_chars(figure.element, 0, BODY_SIZE)

    note = _paragraph_style(doc, STYLE_NOTE)
    set_fonts(note.element, FANGSONG)
    note.font.size = Pt(SIZES["小四"])
    fmt = note.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(20)
    fmt.space_after = Pt(6)
    _first_line_chars(note.element, 0, SIZES["小四"])

    for level in range(1, TOC_LEVELS + 1):
        # Word's built-in names of the TOC entry styles, so Word and LibreOffice use them
        toc = _paragraph_style(doc, f"toc {level}")
        set_fonts(toc.element, HEI if level == 1 else FANGSONG)
        toc.font.size = Pt(SIZES["四号"] if level == 1 else SIZES["小四"])
        fmt = toc.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(24 if level == 1 else 22)
        fmt.left_indent = Cm(0.0 if level == 1 else 1.1)
        fmt.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        _first_line_chars(toc.element, 0, BODY_SIZE)

    footer = styles["Footer"]
    set_fonts(footer.element, SONG)
    footer.font.size = Pt(SIZES["四号"])
    footer.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _first_line_chars(footer.element, 0, SIZES["四号"])

    grid = styles["Table Grid"]
    set_fonts(grid.element, SONG)
    grid.font.size = Pt(TABLE_SIZE)


def _font_table(doc: Document) -> None:
    """Declare the Chinese fonts in the font table with their fallbacks (`w:altName`)."""
    part = next(
        (p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"),
        None,
    )
    if part is None:  # pragma: no cover - the default template always has one
        return
    root = etree.fromstring(part.blob)
    declared = {el.get(qn("w:name")) for el in root.findall(qn("w:font"))}
    for name in (TITLE_FONT, SONG, HEI, KAI, FANGSONG, "楷体", "仿宋"):
        if name in declared:
            continue
        alt = f'<w:altName w:val="{FALLBACKS[name]}"/>' if name in FALLBACKS else ""
        root.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{name}">{alt}'
                '<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/>'
                "</w:font>"
            )
        )
    # The font table is not modelled by python-docx: it is kept as a plain blob.
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


_UPDATE_FIELDS_SUCCESSORS = (
    "w:hdrShapeDefaults",
    "w:footnotePr",
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "sl:schemaLibrary",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)


def _settings(doc: Document) -> None:
    settings = doc.settings.element
    # Fields (the table of contents, page numbers) are refreshed when Word opens the file.
    _remove(settings, "w:updateFields")
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    _insert_before(settings, update, _UPDATE_FIELDS_SUCCESSORS)
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    # GB/T 9704: odd page numbers on the right, even ones on the left
    doc.settings.odd_and_even_pages_header_footer = True


# ---------------------------------------------------------------------------------------------
# Sections, page numbers, cover and contents
# ---------------------------------------------------------------------------------------------


def _page_number_paragraph(paragraph: Paragraph, align: WD_ALIGN_PARAGRAPH) -> None:
    paragraph.style = "Footer"
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    # one character away from the edge of the type area, as GB/T 9704 places page numbers
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = Pt(SIZES["四号"])
    else:
        fmt.left_indent = Pt(SIZES["四号"])
    for run in (
        paragraph.add_run("— "),
        add_field(paragraph, "PAGE", "1"),
        paragraph.add_run(" —"),
    ):
        set_fonts(run._r, SONG)


_PGNUM_SUCCESSORS = (
    "w:cols",
    "w:formProt",
    "w:vAlign",
    "w:noEndnote",
    "w:titlePg",
    "w:textDirection",
    "w:bidi",
    "w:rtlGutter",
    "w:docGrid",
    "w:printerSettings",
    "w:sectPrChange",
)


def add_page_numbers(section: Section, start: int | None = 1) -> None:
    """ "— 1 —" page numbers in the footer of `section` (odd pages right, even pages left),
    restarting at `start` unless it is None."""
    section.footer.is_linked_to_previous = False
    section.even_page_footer.is_linked_to_previous = False
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        for run in list(paragraph.runs):
            run._r.getparent().remove(run._r)
        _page_number_paragraph(paragraph, align)
    if start is not None:
        sect = section._sectPr
        _remove(sect, "w:pgNumType")
        number = OxmlElement("w:pgNumType")
        number.set(qn("w:start"), str(start))
        _insert_before(
            sect,
            number,
            _PGNUM_SUCCESSORS,
        )


def new_section(doc: Document, landscape: bool = False) -> Section:
    """Start a new section on a new page (its footer continues the page numbers)."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    # python-docx copies the previous section's properties, including a page-number restart
    _remove(section._sectPr, "w:pgNumType")
    setup_page(section, landscape)
    return section


def add_page_break(doc: Document) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def add_cover(
    doc: Document,
    title_lines: Sequence[str],
    unit: str,
    date_text: str,
    subtitle: str | None = None,
) -> None:
    """The cover: the title in large 小标宋 in the upper third, the issuing unit and the date
    near the bottom; the page carries no page number."""
    first = True
    for line in title_lines:
        p = doc.add_paragraph(style=STYLE_TITLE)
        run = p.add_run(line)
        run.font.size = Pt(SIZES["一号"])
        fmt = p.paragraph_format
        fmt.line_spacing = Pt(46)
        fmt.space_after = Pt(0)
        if first:
            fmt.space_before = Cm(5.5)
            first = False
    if subtitle:
        p = doc.add_paragraph(subtitle, style=STYLE_COVER)
        p.paragraph_format.space_before = Pt(24)
    p = doc.add_paragraph(unit, style=STYLE_COVER)
    p.paragraph_format.space_before = Cm(7.5)
    doc.add_paragraph(date_text, style=STYLE_COVER)


@dataclass
class TableOfContents:
    """The TOC field paragraph; `fill` writes the current headings as its cached result."""

    paragraph: Paragraph
    result: Run
    levels: int = TOC_LEVELS

    def fill(self, doc: Document) -> None:
        """Cache the heading texts as the field's result, so a reader that does not update
        fields still shows the outline (without page numbers); Word and the PDF export
        recompute it with page numbers."""
        entries = [
            (level, p.text)
            for p in doc.paragraphs
            if (level := heading_level(p)) is not None and level <= self.levels
        ]
        if not entries:
            return
        first_level, first_text = entries[0]
        self.result.text = first_text
        self.paragraph.style = doc.styles[f"toc {first_level}"]
        # The field ends in the last entry's paragraph: move the closing fldChar there.
        end_run = self.paragraph.runs[-1]._r
        self.paragraph._p.remove(end_run)
        anchor = self.paragraph
        for level, text in entries[1:]:
            new_p = OxmlElement("w:p")
            anchor._p.addnext(new_p)
            para = Paragraph(new_p, anchor._parent)
            para.style = doc.styles[f"toc {level}"]
            para.add_run(text)
            anchor = para
        anchor._p.append(end_run)


def heading_level(paragraph: Paragraph) -> int | None:
    """1–4 for paragraphs in the Heading styles, else None."""
    name = paragraph.style.name if paragraph.style is not None else ""
    if name.startswith("Heading ") and name[8:].isdigit():
        return int(name[8:])
    return None


def add_toc(doc: Document, title: str = "目  录", levels: int = TOC_LEVELS) -> TableOfContents:
    """A "目录" page with a TOC field over heading levels 1..`levels`."""
    heading = doc.add_paragraph(title, style=STYLE_TITLE)
    heading.paragraph_format.space_after = Pt(20)
    p = doc.add_paragraph(style="toc 1")
    result = add_field(
        p,
        f'TOC \\o "1-{levels}" \\h \\z \\u',
        "（打开文档时自动更新目录；如未更新，请右键“更新域”）",
    )
    return TableOfContents(p, result, levels)


# ---------------------------------------------------------------------------------------------
# Content
# ---------------------------------------------------------------------------------------------


def add_title(doc: Document, text: str) -> Paragraph:
    """The document title: 2号 小标宋, centred."""
    return doc.add_paragraph(text, style=STYLE_TITLE)


def add_heading(doc: Document, text: str, level: int) -> Paragraph:
    """A heading (levels 1–4) in the Heading styles, so it is in the outline and the TOC."""
    if level not in HEADING_FONTS:
        raise ValueError(f"标题级别只能是 1–4：{level}")
    return doc.add_paragraph(text, style=f"Heading {level}")


Fragment = str | tuple[str, Mapping[str, Any]]
"""Text, or (text, {"bold": True, "font": 黑体, "size": 12, "highlight": True})."""


def add_paragraph(
    doc: Document | _Cell,
    content: str | Iterable[Fragment],
    *,
    style: str | None = None,
    indent: bool = True,
    align: WD_ALIGN_PARAGRAPH | None = None,
) -> Paragraph:
    """A body paragraph (3号 仿宋, 28-pt pitch, two-character indent unless `indent` is false).

    `content` is text or a sequence of fragments, each text or (text, formatting)."""
    p = doc.add_paragraph(style=style)
    fragments = [content] if isinstance(content, str) else list(content)
    for fragment in fragments:
        text, opts = (fragment, {}) if isinstance(fragment, str) else fragment
        run = p.add_run(text)
        if opts.get("bold"):
            run.bold = True
        if "font" in opts:
            set_fonts(run._r, opts["font"])
        if "size" in opts:
            run.font.size = Pt(opts["size"])
        if opts.get("highlight"):
            _shade_run(run, "FFF2CC")
    if not indent:
        size = BODY_SIZE if style is None else (p.style.font.size or Pt(BODY_SIZE)).pt
        _first_line_chars(p._p, 0, size)
    if align is not None:
        p.alignment = align
    return p


def _shade_run(run: Run, fill: str) -> None:
    rpr = run._r.get_or_add_rPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    rpr.append(shd)


def add_caption(doc: Document, text: str) -> Paragraph:
    """A table or figure title ("表1 …"), 4号 黑体, centred."""
    return doc.add_paragraph(text, style=STYLE_CAPTION)


def add_note(doc: Document, text: str) -> Paragraph:
    """A small-print note under a table (小四 仿宋)."""
    return doc.add_paragraph(text, style=STYLE_NOTE)


KEEP_TOGETHER_PT = 300.0
"""Tables estimated no taller than this (about half a page) are not split across pages."""
_CELL_PADDING_CM = 0.08

Formatter = Callable[[Any], str] | int
"""How to print a column: a function of the value, or a number of decimals."""


def format_cell(value: Any, formatter: Formatter | None = None) -> str:
    """Text of a table cell: None → "—", numbers by the column's formatter or as given."""
    if value is None:
        return MISSING_TEXT
    if callable(formatter):
        return formatter(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(formatter, int) and isinstance(value, (int, float)):
        return f"{value:,.{formatter}f}" if abs(value) >= 10000 else f"{value:.{formatter}f}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def add_table(
    doc: Document,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[float] | None = None,
    formats: Mapping[int, Formatter] | None = None,
    *,
    font_size: float = TABLE_SIZE,
    align: Mapping[int, WD_ALIGN_PARAGRAPH] | None = None,
    bold_first_column: bool = False,
    width_cm: float = TEXT_WIDTH_CM,
    keep_together: bool | None = None,
) -> Table:
    """A bordered 宋体 table with a shaded header row repeated on every page.

    `widths` are in cm (scaled to the type width `width_cm` when they add up to more); `formats`
    maps column index → decimals or a function; text with line breaks becomes several
    paragraphs in the cell; `align` overrides the centred alignment per column."""
    header_rows = [list(header)]
    n_cols = len(header)
    body = [list(r) for r in rows]
    table = doc.add_table(rows=len(header_rows) + len(body), cols=n_cols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    _cell_margins(tbl_pr, _CELL_PADDING_CM)
    col_widths = _fit_widths(widths, n_cols, width_cm)
    _set_grid(table, col_widths)
    formats = formats or {}
    align = align or {}
    style_id = doc.styles[STYLE_TABLE_TEXT].style_id
    for r, values in enumerate(header_rows):
        row = table.rows[r]
        _repeat_header(row)
        header_cells = row.cells
        for c, value in enumerate(values):
            cell = header_cells[c]
            _write_cell(cell, str(value), font_size, True, WD_ALIGN_PARAGRAPH.CENTER, style_id)
            _shade_cell(cell, "E7E6E6")
    # `row.cells` rebuilds the row's cell list on every access: read it once per row.
    all_rows = list(table.rows)
    rows_cells = [row.cells for row in all_rows]
    texts = [[str(v) for v in values] for values in header_rows]
    for r, values in enumerate(body, start=len(header_rows)):
        row = all_rows[r]
        _no_split(row)
        cells = rows_cells[r]
        row_texts = []
        for c, value in enumerate(values):
            text = value if isinstance(value, str) else format_cell(value, formats.get(c))
            row_texts.append(text)
            _write_cell(
                cells[c],
                text,
                font_size,
                bold_first_column and c == 0,
                align.get(c, WD_ALIGN_PARAGRAPH.CENTER),
                style_id,
            )
        texts.append(row_texts)
    widths_emu = [Cm(w) for w in col_widths]
    for cells in rows_cells:
        for c, cell in enumerate(cells):
            cell.width = widths_emu[c]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if keep_together is None:
        keep_together = estimated_height_pt(texts, col_widths, font_size) <= KEEP_TOGETHER_PT
    if keep_together:
        kept = rows_cells[:-1]
    elif estimated_height_pt(texts[: len(header_rows) + 2], col_widths, font_size) <= 100:
        # LibreOffice can lose the rest of a table whose repeated header row ends a page with
        # a single row under it: keep the header with the first two rows when they are short
        # (tall rows would leave most of a page empty instead).
        kept = rows_cells[: len(header_rows) + 1]
    else:
        kept = []
    for cells in kept:
        for cell in cells:
            for para in cell.paragraphs:
                para.paragraph_format.keep_with_next = True
    return table


def text_width(text: str) -> float:
    """Width of text in ems: CJK and other wide characters one em, the rest about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def estimated_height_pt(
    rows: Sequence[Sequence[str]], widths_cm: Sequence[float], font_size: float
) -> float:
    """A rough height of a table in points, from the wrapped lines of its tallest cells."""
    total = 0.0
    for row in rows:
        lines = 1
        for text, width in zip(row, widths_cm, strict=False):
            usable = max(Cm(width - 2 * _CELL_PADDING_CM).pt, font_size)
            cell_lines = sum(
                max(1, math.ceil(text_width(line) * font_size / usable))
                for line in text.split("\n")
            )
            lines = max(lines, cell_lines)
        total += lines * font_size * 1.25 + 3
    return total


def _fit_widths(widths: Sequence[float] | None, n_cols: int, width_cm: float) -> list[float]:
    if not widths:
        return [width_cm / n_cols] * n_cols
    if len(widths) != n_cols:
        raise ValueError(f"列宽个数（{len(widths)}）与列数（{n_cols}）不一致")
    total = sum(widths)
    scale = width_cm / total if total > width_cm else 1.0
    return [w * scale for w in widths]


_TBLW_SUCCESSORS = (
    "w:jc",
    "w:tblCellSpacing",
    "w:tblInd",
    "w:tblBorders",
    "w:shd",
    "w:tblLayout",
    "w:tblCellMar",
    "w:tblLook",
)


def _set_grid(table: Table, widths: Sequence[float]) -> None:
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(Cm(width).twips)))
    tbl_pr = table._tbl.tblPr
    _remove(tbl_pr, "w:tblW")
    tbl_w = OxmlElement("w:tblW")
    tbl_w.set(qn("w:w"), str(int(Cm(sum(widths)).twips)))
    tbl_w.set(qn("w:type"), "dxa")
    _insert_before(
        tbl_pr,
        tbl_w,
        _TBLW_SUCCESSORS,
    )


def _cell_margins(tbl_pr: Any, cm: float) -> None:
    _remove(tbl_pr, "w:tblCellMar")
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(int(Cm(cm).twips)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    _insert_before(tbl_pr, margins, ("w:tblLook", "w:tblCaption", "w:tblDescription"))


def _repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)
    _no_split(row)


def _no_split(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    if tr_pr.find(qn("w:cantSplit")) is None:
        el = OxmlElement("w:cantSplit")
        el.set(qn("w:val"), "true")
        tr_pr.insert(0, el)


def _shade_cell(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    _remove(tc_pr, "w:shd")
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


_JUSTIFY = {
    WD_ALIGN_PARAGRAPH.LEFT: "left",
    WD_ALIGN_PARAGRAPH.CENTER: "center",
    WD_ALIGN_PARAGRAPH.RIGHT: "right",
    WD_ALIGN_PARAGRAPH.JUSTIFY: "both",
}
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _write_cell(
    cell: _Cell, text: str, size: float, bold: bool, align: WD_ALIGN_PARAGRAPH, style_id: str
) -> None:
    # Built as XML directly: reports hold thousands of cells (一校一册 for a whole county), and
    # python-docx's paragraph and run objects cost about a millisecond per cell. The result is
    # the same markup python-docx writes (pStyle and jc in pPr; b and sz in rPr).
    tc = cell._tc
    paragraph = tc.find(qn("w:p"))
    half_points = str(round(size * 2))
    justify = _JUSTIFY.get(align, "center")
    for i, line in enumerate(text.split("\n")):
        if i or paragraph is None:
            paragraph = etree.SubElement(tc, qn("w:p"))
        p_pr = etree.SubElement(paragraph, qn("w:pPr"))
        etree.SubElement(p_pr, qn("w:pStyle")).set(qn("w:val"), style_id)
        etree.SubElement(p_pr, qn("w:jc")).set(qn("w:val"), justify)
        run = etree.SubElement(paragraph, qn("w:r"))
        r_pr = etree.SubElement(run, qn("w:rPr"))
        if bold:
            etree.SubElement(r_pr, qn("w:b"))
        etree.SubElement(r_pr, qn("w:sz")).set(qn("w:val"), half_points)
        t = etree.SubElement(run, qn("w:t"))
        t.text = line
        if line != line.strip():
            t.set(_XML_SPACE, "preserve")


def add_picture(
    doc: Document, png: bytes, width_cm: float = TEXT_WIDTH_CM, caption: str | None = None
) -> Paragraph:
    """A centred picture (PNG bytes) scaled to `width_cm`, with an optional caption below."""
    p = doc.add_paragraph(style=STYLE_FIGURE)
    p.add_run().add_picture(io.BytesIO(png), width=Cm(min(width_cm, TEXT_WIDTH_CM)))
    if caption:
        cap = add_caption(doc, caption)
        cap.paragraph_format.keep_with_next = False
        cap.paragraph_format.space_after = Pt(8)
    return p


def save(doc: Document, path: Path) -> Path:
    """Write the document atomically (temporary file in the same folder, then rename)."""
    path = Path(path)
    with atomic_file(path) as tmp:
        doc.save(str(tmp))
    return path


class DocumentWriter:
    """Shared building blocks of the Word reports: one document, its heading outline
    (一、（一）1.（1）) and its table and figure numbers."""

    def __init__(self) -> None:
        self.doc: Document = new_document()
        self.outline = Outline()
        self.numbers = Counter()

    def h(self, text: str, level: int) -> None:
        self.outline.heading(self.doc, text, level)

    def p(self, text: str | Sequence[Fragment], **kw: Any) -> None:
        add_paragraph(self.doc, text, **kw)

    def table(
        self,
        title: str,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        *,
        left: Sequence[int] = (),
        font_size: float = TABLE_SIZE,
        width_cm: float = TEXT_WIDTH_CM,
        note: str | None = None,
        numbered: bool = True,
    ) -> None:
        add_caption(self.doc, f"{self.numbers.table()} {title}" if numbered else title)
        add_table(
            self.doc,
            header,
            rows,
            widths,
            font_size=font_size,
            align=dict.fromkeys(left, WD_ALIGN_PARAGRAPH.LEFT),
            width_cm=width_cm,
        )
        # an empty note keeps the next caption or heading from touching the table
        add_note(self.doc, note or "")

    def figure(self, png: bytes, title: str, width_cm: float = 15.0) -> None:
        add_picture(self.doc, png, width_cm, f"{self.numbers.figure()} {title}")
