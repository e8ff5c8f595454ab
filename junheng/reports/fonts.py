"""The CJK fonts used for charts, taken from the files shipped inside the `mplfonts` package.

Charts must show Chinese on every machine (a county office's Windows PC, a Linux server without
CJK fonts), so they never rely on fonts installed on the system: the font file is read straight
from the installed package. Nothing here changes matplotlib's configuration or rcParams; the font
is registered with the font manager and then passed explicitly to every piece of text.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from matplotlib import font_manager

_PACKAGE = "mplfonts"
_FILES: dict[bool, str] = {
    False: "NotoSansCJKsc-Regular.otf",
    True: "NotoSerifCJKsc-Regular.otf",
}


class FontMissingError(RuntimeError):
    """The bundled CJK font file cannot be found."""


def _package_folder() -> Path:
    # find_spec locates the package without importing it: importing mplfonts pulls in its font
    # installation helpers, which are not wanted here.
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FontMissingError(
            f"未安装 {_PACKAGE} 软件包，无法找到图表所需的中文字体；"
            f"请在项目环境中安装依赖（例如 uv sync）后重试"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def cjk_font_path(serif: bool = False) -> Path:
    """Path of the bundled Noto CJK SC font: sans-serif (黑体类), or serif (宋体类) on request."""
    path = _package_folder() / "fonts" / _FILES[serif]
    if not path.is_file():
        raise FontMissingError(
            f"找不到图表所需的中文字体文件 {path}；{_PACKAGE} 软件包可能不完整，请重新安装"
        )
    return path


@cache
def cjk_font(serif: bool = False) -> font_manager.FontProperties:
    """Font properties pointing at the bundled CJK font file, registered with matplotlib.

    The object is shared: call `.copy()` before changing its size or other properties.
    """
    path = cjk_font_path(serif)
    # addfont makes the family known by name as well (for code that selects fonts by family);
    # the returned properties name the file itself so no other font with the same family name
    # installed on the machine can be picked instead.
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=path)
