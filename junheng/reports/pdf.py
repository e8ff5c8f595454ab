"""PDF export of Word reports with LibreOffice, and page images with poppler's pdftoppm.

LibreOffice's plain `--convert-to pdf` keeps the table of contents exactly as cached in the file,
so a freshly generated report would print an outline without page numbers. The export therefore
runs a small Basic macro (installed in a private LibreOffice profile) that loads the document,
updates its indexes and fields, and then writes the PDF; if the macro cannot run, the plain
conversion is used instead.

Each process (and thread) uses its own profile directory: two LibreOffice instances sharing a
profile block each other, and a per-process profile is initialised only once.

On machines without the Windows fonts the documents name (仿宋_GB2312, 黑体 …) LibreOffice picks
any font that has the glyphs, often a Japanese variant. A private fontconfig file maps those names
to the installed Simplified-Chinese Noto fonts (serif for 宋体/仿宋/楷体, sans for 黑体), so the PDF
looks like the document was meant to look.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

SOFFICE_NAMES: tuple[str, ...] = ("soffice", "libreoffice")
SOFFICE_PATHS: tuple[str, ...] = (
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
DEFAULT_TIMEOUT = 180.0
NO_SOFFICE = (
    "未找到 LibreOffice（soffice），无法导出 PDF；请安装 LibreOffice 后重试，或直接使用 .docx 文件"
)

_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" \
script:language="StarBasic">
Sub ExportPdf(sIn As String, sOut As String)
  On Error GoTo Failed
  Dim aLoad(0) As New com.sun.star.beans.PropertyValue
  aLoad(0).Name = &quot;Hidden&quot;
  aLoad(0).Value = True
  oDoc = StarDesktop.loadComponentFromURL(ConvertToURL(sIn), &quot;_blank&quot;, 0, aLoad())
  oIndexes = oDoc.getDocumentIndexes()
  For i = 0 To oIndexes.getCount() - 1
    oIndexes.getByIndex(i).update()
  Next i
  oDoc.getTextFields().refresh()
  REM the contents pages themselves may move the page numbers: update once more
  For i = 0 To oIndexes.getCount() - 1
    oIndexes.getByIndex(i).update()
  Next i
  Dim aSave(0) As New com.sun.star.beans.PropertyValue
  aSave(0).Name = &quot;FilterName&quot;
  aSave(0).Value = &quot;writer_pdf_Export&quot;
  oDoc.storeToURL(ConvertToURL(sOut), aSave())
  oDoc.close(True)
  Exit Sub
Failed:
  If Not IsNull(oDoc) And Not IsEmpty(oDoc) Then oDoc.close(True)
End Sub
</script:module>
"""

_FONT_ALIASES: dict[str, tuple[str, ...]] = {
    "Noto Serif CJK SC": (
        "方正小标宋简体",
        "方正小标宋_GBK",
        "小标宋",
        "宋体",
        "SimSun",
        "仿宋_GB2312",
        "仿宋",
        "FangSong",
        "楷体_GB2312",
        "楷体",
        "KaiTi",
    ),
    "Noto Sans CJK SC": ("黑体", "SimHei", "微软雅黑", "Microsoft YaHei"),
}
_CONVERT = ("--convert-to", "pdf")
_LATIN_ALIASES: dict[str, tuple[str, ...]] = {
    "Times New Roman": ("Liberation Serif", "Tinos", "Noto Serif CJK SC"),
}


class PdfUnavailable(RuntimeError):
    """LibreOffice or pdftoppm is not installed."""


class PdfConversionError(RuntimeError):
    """The converter ran but produced no file."""


def find_soffice() -> str | None:
    """Path of LibreOffice's `soffice` (on PATH or in the usual install folders), or None."""
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    for candidate in SOFFICE_PATHS:
        if Path(candidate).is_file():
            return candidate
    return None


def pdf_available() -> bool:
    return find_soffice() is not None


_profiles: dict[tuple[int, int], Path] = {}
_profiles_lock = threading.Lock()


def _cleanup_profiles() -> None:
    pid = os.getpid()
    for (owner, _), folder in list(_profiles.items()):
        if owner == pid:
            shutil.rmtree(folder, ignore_errors=True)


atexit.register(_cleanup_profiles)


def _profile(soffice: str, timeout: float) -> Path:
    """This process's and thread's LibreOffice profile, created and initialised on first use,
    with the export macro installed and a fontconfig file next to it."""
    key = (os.getpid(), threading.get_ident())
    with _profiles_lock:
        folder = _profiles.get(key)
    if folder is not None and folder.is_dir():
        return folder
    folder = Path(tempfile.mkdtemp(prefix="junheng-soffice-"))
    # LibreOffice writes its default Basic library on first start, overwriting anything put
    # there earlier: start it once, then install the macro.
    _run([soffice, *_soffice_args(folder), "--terminate_after_init"], timeout, folder)
    standard = folder / "user" / "basic" / "Standard"
    if standard.is_dir():
        (standard / "Module1.xba").write_text(_MACRO, encoding="utf-8")
    _write_fontconfig(folder)
    with _profiles_lock:
        _profiles[key] = folder
    return folder


def _soffice_args(profile: Path) -> list[str]:
    return [
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--invisible",
        "--nologo",
        "--nodefault",
        "--norestore",
        "--nolockcheck",
    ]


def _write_fontconfig(profile: Path) -> None:
    system = Path("/etc/fonts/fonts.conf")
    if not system.is_file():
        return
    aliases = [(name, (target,)) for target, names in _FONT_ALIASES.items() for name in names]
    rules = "\n".join(
        f'  <alias binding="same"><family>{name}</family><prefer>'
        + "".join(f"<family>{t}</family>" for t in targets)
        + "</prefer></alias>"
        for name, targets in [*aliases, *_LATIN_ALIASES.items()]
    )
    (profile / "fonts.conf").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f'<fontconfig>\n  <include ignore_missing="yes">{system}</include>\n{rules}\n'
        "</fontconfig>\n",
        encoding="utf-8",
    )


def _environment(profile: Path) -> dict[str, str]:
    env = dict(os.environ)
    fonts = profile / "fonts.conf"
    if fonts.is_file():
        env["FONTCONFIG_FILE"] = str(fonts)
    return env


def _run(command: list[str], timeout: float, profile: Path) -> subprocess.CompletedProcess[str]:
    """Run LibreOffice in its own process group so a timeout can stop all its processes."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(profile),
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        process.communicate()
        raise PdfConversionError(
            f"LibreOffice 在 {timeout:g} 秒内未完成 PDF 导出，已终止；"
            "请稍后重试或直接使用 .docx 文件"
        ) from None
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def _kill_group(process: subprocess.Popen[str]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        process.kill()


def to_pdf(docx: Path, out_dir: Path, *, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Convert a .docx to PDF in `out_dir` (same file name, .pdf) and return the PDF's path.

    The table of contents and page fields are updated before export. Raises `PdfUnavailable`
    when LibreOffice is not installed and `PdfConversionError` when the conversion fails."""
    soffice = find_soffice()
    if soffice is None:
        raise PdfUnavailable(NO_SOFFICE)
    docx = Path(docx).resolve()
    if not docx.is_file():
        raise FileNotFoundError(f"找不到要导出的文件：{docx}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{docx.stem}.pdf"
    profile = _profile(soffice, timeout)
    with tempfile.TemporaryDirectory(prefix="junheng-pdf-") as work_name:
        # Plain ASCII names in a private folder: the macro call is a URL with quoted arguments
        work = Path(work_name)
        source = work / "report.docx"
        shutil.copyfile(docx, source)
        produced = work / "report.pdf"
        macro = f'macro:///Standard.Module1.ExportPdf("{source}","{produced}")'
        result = _run([soffice, *_soffice_args(profile), macro], timeout, profile)
        if not produced.is_file() or produced.stat().st_size == 0:
            result = _run(
                [soffice, *_soffice_args(profile), *_CONVERT, "--outdir", str(work), str(source)],
                timeout,
                profile,
            )
        if not produced.is_file() or produced.stat().st_size == 0:
            detail = (result.stderr or result.stdout or "").strip()
            raise PdfConversionError(
                f"LibreOffice 未能把 {docx.name} 导出为 PDF" + (f"：{detail}" if detail else "")
            )
        shutil.move(str(produced), target)
    return target


def pdf_to_png(pdf: Path, out_dir: Path, dpi: int = 60) -> list[Path]:
    """Render every page of `pdf` to PNG files in `out_dir` (`<name>-1.png` …) and return their
    paths in page order."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise PdfUnavailable(
            "未找到 pdftoppm（poppler-utils），无法把 PDF 转为图片；请安装 poppler-utils 后重试"
        )
    pdf = Path(pdf)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = out_dir / pdf.stem
    for stale in out_dir.glob(f"{pdf.stem}-*.png"):
        stale.unlink()
    completed = subprocess.run(
        [pdftoppm, "-png", "-r", str(dpi), str(pdf), str(prefix)],
        capture_output=True,
        text=True,
        timeout=DEFAULT_TIMEOUT,
        check=False,
    )
    pages = sorted(
        out_dir.glob(f"{pdf.stem}-*.png"),
        key=lambda p: int(p.stem.rsplit("-", 1)[1]) if p.stem.rsplit("-", 1)[1].isdigit() else 0,
    )
    if completed.returncode != 0 or not pages:
        raise PdfConversionError(
            f"pdftoppm 未能把 {pdf.name} 转为图片：{completed.stderr.strip() or '没有输出'}"
        )
    return pages
