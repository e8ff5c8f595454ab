"""QR code sheets for handing out access codes: A4 pages of cards to cut apart.

Each card holds the QR code of the code's own form address, the code in large letters (for
typing it in when a phone cannot scan), the school and group it is for, and one line saying
what to do. Pages are drawn with Pillow at print resolution; the font file is passed in, so
the sheet shows Chinese on machines without CJK fonts installed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from junheng.survey.distribution import printed_code

DPI = 150
MM = DPI / 25.4
PAGE = (round(210 * MM), round(297 * MM))
"""A4 portrait in pixels at DPI."""
MARGIN = round(10 * MM)
COLUMNS, ROWS = 2, 4
QR_MODULES_BORDER = 2
"""Quiet zone around the code in modules (scanners need some; the card's white adds more)."""
INK = (0, 0, 0)
GUIDE = (150, 150, 150)


@dataclass(frozen=True)
class SheetEntry:
    code: str
    url: str
    """The address the QR code opens: the form of this one code."""
    label: str
    """Who the code is for, e.g. 城关小学 · 家长."""


def per_page() -> int:
    return COLUMNS * ROWS


def page_count(entries: int) -> int:
    return max(1, -(-entries // per_page()))


def _qr_image(url: str, size: int) -> Image.Image:
    qr = segno.make(url, error="m")
    rows = list(qr.matrix_iter(scale=1, border=QR_MODULES_BORDER))
    modules = len(rows)
    image = Image.new("1", (modules, modules), 1)
    pixels = image.load()
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                pixels[x, y] = 0
    scale = max(1, size // modules)
    return image.resize((modules * scale, modules * scale), Image.Resampling.NEAREST)


def _fit(
    draw: ImageDraw.ImageDraw, text: str, font_path: Path, size: int, width: int
) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(str(font_path), size)
    while size > 8 and draw.textlength(text, font=font) > width:
        size -= 1
        font = ImageFont.truetype(str(font_path), size)
    return font


def sheet_pages(
    entries: Sequence[SheetEntry],
    title: str,
    footer: str,
    font_path: Path,
    *,
    only: int | None = None,
) -> list[Image.Image]:
    """The pages of a sheet: `title` at the top of each page, `footer` (how to answer, the
    address to type) below the cards. With `only`, just that page (1-based) is drawn."""
    card_w = (PAGE[0] - 2 * MARGIN) // COLUMNS
    top = MARGIN + round(12 * MM)
    bottom = PAGE[1] - MARGIN - round(10 * MM)
    card_h = (bottom - top) // ROWS
    qr_size = min(card_h - round(8 * MM), card_w // 2)
    pages: list[Image.Image] = []
    total = page_count(len(entries))
    small = ImageFont.truetype(str(font_path), round(2.8 * MM))
    for index in range(total) if only is None else [only - 1]:
        page = Image.new("RGB", PAGE, "white")
        draw = ImageDraw.Draw(page)
        heading = f"{title}（第 {index + 1} / {total} 页）"
        title_font = _fit(draw, heading, font_path, round(5 * MM), PAGE[0] - 2 * MARGIN)
        draw.text((MARGIN, MARGIN), heading, fill=INK, font=title_font)
        chunk = entries[index * per_page() : (index + 1) * per_page()]
        for i, entry in enumerate(chunk):
            col, row = i % COLUMNS, i // COLUMNS
            x0, y0 = MARGIN + col * card_w, top + row * card_h
            draw.rectangle((x0, y0, x0 + card_w, y0 + card_h), outline=GUIDE, width=1)
            pad = round(4 * MM)
            qr = _qr_image(entry.url, qr_size)
            page.paste(qr, (x0 + pad, y0 + (card_h - qr.height) // 2))
            text_x = x0 + pad + qr.width + pad
            text_w = x0 + card_w - pad - text_x
            label_font = _fit(draw, entry.label, font_path, round(4 * MM), text_w)
            code_font = _fit(draw, printed_code(entry.code), font_path, round(6 * MM), text_w)
            y = y0 + round(card_h * 0.25)
            draw.text((text_x, y), entry.label, fill=INK, font=label_font)
            y += round(8 * MM)
            draw.text((text_x, y), "访问码", fill=INK, font=small)
            y += round(4 * MM)
            draw.text((text_x, y), printed_code(entry.code), fill=INK, font=code_font)
            y += round(9 * MM)
            for line in ("手机扫码即可匿名作答", "每个访问码只能提交一次"):
                font = _fit(draw, line, font_path, round(2.8 * MM), text_w)
                draw.text((text_x, y), line, fill=INK, font=font)
                y += round(4 * MM)
        draw.text(
            (MARGIN, PAGE[1] - MARGIN - round(6 * MM)),
            footer,
            fill=INK,
            font=_fit(draw, footer, font_path, round(2.8 * MM), PAGE[0] - 2 * MARGIN),
        )
        pages.append(page)
    return pages


def sheet_png(page: Image.Image) -> bytes:
    buffer = io.BytesIO()
    page.save(buffer, format="PNG", dpi=(DPI, DPI))
    return buffer.getvalue()


def sheet_pdf(pages: Sequence[Image.Image]) -> bytes:
    """All pages as one PDF for printing."""
    buffer = io.BytesIO()
    first, *rest = pages
    first.save(buffer, format="PDF", resolution=DPI, save_all=True, append_images=rest)
    return buffer.getvalue()
