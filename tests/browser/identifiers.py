"""Finding internal identifiers and English words in text a user reads.

Users of the system read Simplified Chinese. A run of ASCII letters in a page or a report is either
something a user legitimately meets in Latin letters (see the allow-list below) or an internal
name leaking through: a standard's id (``national-2017``), a problem key
(``R5/primary/2152080001``), a policy key or value (``survey_favourable_options``, ``separate``),
a checksum (``81c8969d6092``) or a number in programmer's notation (``1e-09``).

Allowed, because users meet them in Latin letters in the documents and software they work with:

- the item codes of the standard: R1–R7, G1–G15, Q1–Q9, S1, V1–V6 (also in ranges such as
  ``G1-G15``), and its part letters R, G, Q, S, V (section headings of the county data form);
- worksheet cells as Excel names them (C2, AB17): an import's problem list must point at the cell;
- survey access codes as printed (3WUU3-HT7TT): respondents type them;
- units: m, m², m2, km, kg, KB, MB, GB (㎡, %, ‰ and 元 are not ASCII letters);
- file names and their formats: anything ending in .xlsx, .xls, .docx, .zip, .pdf, .csv, .png and
  the bare names Excel, Word, WPS, PDF, CSV, ZIP, JPEG, PNG, LibreOffice;
- keyboard keys as printed on them: Ctrl, Command (in the administration site's "按住 Ctrl 键");
- Excel's function names as typed in Excel in Chinese too (ROUND, in the rounding policy);
- the product name Junheng, the paper size A4, the standard number GB/T, the abbreviation QR
  (二维码 is how it is written, but "QR 码" is common);
- web addresses (http://…, https://…) and the paths users type (``/s/``, ``/admin/``);
- the login names of the demo accounts shown in the demo banner and on the login page;
- digits, dates and times: tokens without a letter are never flagged.

Anything else made of ASCII letters is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ITEM_CODE = re.compile(r"^(R[1-7]|G(1[0-5]|[1-9])|Q[1-9]|S1|V[1-6]|[RGQSV])$")
CELL = re.compile(r"^[A-Z]{1,3}[1-9][0-9]{0,6}$")
ACCESS_CODE = re.compile(r"^[0-9A-Z]{5}(-[0-9A-Z]{1,5})+$")
UNITS = frozenset({"m", "m²", "m2", "km", "kg", "KB", "MB", "GB"})
FILE_NAME = re.compile(r"^(.*\.)?(xlsx|xls|docx|zip|pdf|csv|png|jpg|jpeg)$", re.IGNORECASE)
WORDS = frozenset(
    {
        "Excel",
        "Word",
        "WPS",
        "PDF",
        "CSV",
        "ZIP",
        "LibreOffice",
        "Junheng",
        "A4",
        "GB/T",
        "ROUND",
        "QR",
        "JPEG",
        "PNG",
        "Ctrl",
        "Command",
    }
)
DEMO_USERNAMES = frozenset({"admin", "county_admin", "school", "leader", "inspector"})
URL = re.compile(r"^(https?://\S+|/[a-z0-9_/-]*/)$")

# A token is a run of ASCII letters, digits and the joiners of identifiers, paths and file names;
# the joiners at its ends are sentence punctuation or a path's slashes, not part of it.
TOKEN = re.compile(r"/?[A-Za-z0-9_²][A-Za-z0-9_.\-/:+²]*")
LETTER = re.compile(r"[A-Za-z]")


MASKED_ID_TAIL = re.compile(r"^[0-9]{3}[Xx]$")
"""The visible end of a masked ID number whose check character is X (152201********009X)."""


def _allowed(token: str, extra: frozenset[str]) -> bool:
    if not LETTER.search(token):
        return True
    if (
        ITEM_CODE.match(token)
        or MASKED_ID_TAIL.match(token)
        or CELL.match(token)
        or ACCESS_CODE.match(token)
        or token in UNITS
        or token in WORDS
        or token in DEMO_USERNAMES
        or token in extra
        or FILE_NAME.match(token)
        or URL.match(token)
    ):
        return True
    parts = re.split(r"[-/]", token)
    # "G1-G15" is a range of allowed codes; "R5/primary/2152080001" has a part that is not.
    return len(parts) > 1 and all(part and _allowed(part, extra) for part in parts)


def unexpected_identifiers(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """The ASCII tokens of `text` a user should not see, each once, in order of appearance.

    `allowed` adds exact tokens to the allow-list (for instance a username created by a test).
    """
    extra = frozenset(allowed)
    found: list[str] = []
    for match in TOKEN.finditer(text):
        raw = match.group()
        if URL.match(raw):
            continue
        token = raw.strip(".:-/+")
        if token and not _allowed(token, extra) and token not in found:
            found.append(token)
    return found
