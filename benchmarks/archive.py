"""Archive benchmark: the inspection archive (创建档案) of 1,000 evidence files.

Target: 1,000 files of a few KB (PDF, JPEG and Word, made up here) placed in the folders of the
national standard's items, with page counts, 档案索引.xlsx and 档案目录.docx, in under 60 s. The
baseline is a plain zip of the same files (zipfile, deflated, flat names), measured in the same
run; the ratio says what the folders, page counts and the two index documents cost on top.

    .venv/bin/python benchmarks/archive.py [--quick] [--files N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import tempfile
import time
import zipfile
from pathlib import Path

from junheng.archive.catalogue import Completeness, Entry, part_folder, write_archive
from junheng.archive.requirements import load_requirements
from junheng.standards import load_standard

TARGET_S = 60.0


def _pdf(pages: int, padding: int) -> bytes:
    kids = " ".join(f"{n + 3} 0 R" for n in range(pages))
    body = [
        "1 0 obj<</Type /Catalog /Pages 2 0 R>>endobj",
        f"2 0 obj<</Type /Pages /Kids [{kids}] /Count {pages}>>endobj",
        *(f"{n + 3} 0 obj<</Type /Page /Parent 2 0 R>>endobj" for n in range(pages)),
    ]
    return ("%PDF-1.4\n" + "\n".join(body) + "\n%" + "x" * padding + "\n%%EOF\n").encode()


def _jpeg(rng: random.Random, size: int) -> bytes:
    return b"\xff\xd8\xff\xe0" + rng.randbytes(size) + b"\xff\xd9"


def _docx(pages: int, text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f"<w:document><w:t>{text}</w:t></w:document>")
        z.writestr("docProps/app.xml", f"<Properties><Pages>{pages}</Pages></Properties>")
    return out.getvalue()


def make_files(folder: Path, count: int, seed: int = 7) -> list[Entry]:
    """`count` files of 2–8 KB spread over the items and requirements of the national file,
    a third each PDF, JPEG and Word, with some names repeated within a folder."""
    rng = random.Random(seed)
    reqs = load_requirements(load_standard())
    slots = []
    for n, (_, name, items) in enumerate(reqs.by_part(), 1):
        for item in items:
            for requirement in item.requirements:
                slots.append((part_folder(n, name), name, item, requirement.title))
    entries = []
    for i in range(count):
        top, part, item, requirement = slots[i % len(slots)]
        size = rng.randint(2048, 8192)
        kind = i % 3
        if kind == 0:
            data, suffix = _pdf(rng.randint(1, 12), size), "pdf"
        elif kind == 1:
            data, suffix = _jpeg(rng, size), "jpg"
        else:
            data, suffix = _docx(rng.randint(1, 30), "佐证材料" * (size // 12)), "docx"
        path = folder / f"{i:05d}"
        path.write_bytes(data)
        # every fourth file reuses a name, so duplicate names are numbered as in real uploads
        name = f"{requirement}.{suffix}" if i % 4 == 0 else f"材料{i}.{suffix}"
        entries.append(Entry(path, name, (top, item.folder), part, item.label, requirement))
    return entries


def plain_zip(entries: list[Entry], target: Path) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for entry in entries:
            z.write(entry.path, entry.path.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 files (for tests)")
    parser.add_argument("--files", type=int, default=1000, help="evidence files in the archive")
    args = parser.parse_args(argv)
    count = 100 if args.quick else args.files
    with tempfile.TemporaryDirectory(prefix="junheng-archive-") as tmp:
        work = Path(tmp)
        (work / "src").mkdir()
        entries = make_files(work / "src", count)
        checks = [
            Completeness(e.part, e.item, e.requirement, "", True, "已上传") for e in entries[:80]
        ]
        start = time.perf_counter()
        plain_zip(entries, work / "plain.zip")
        baseline_s = time.perf_counter() - start
        start = time.perf_counter()
        archive = write_archive(
            entries,
            work / "archive.zip",
            title="示范县2026学年义务教育优质均衡发展督导评估",
            unit="示范县人民政府教育督导室",
            day=dt.date(2026, 12, 7),
            completeness=checks,
        )
        archive_s = time.perf_counter() - start
        with zipfile.ZipFile(archive.path) as z:
            members = len(z.namelist())
        total_kb = sum(p.size for p in archive.placed) / 1024
        pages = sum(p.pages or 0 for p in archive.placed)
        ok = members == count + 2 and all(p.pages is not None for p in archive.placed)
    load = os.getloadavg()
    mark = {True: "ok", False: "MISSED"}
    print(f"Archive benchmark ({os.cpu_count()} CPUs, load {load[0]:.2f} / {load[1]:.2f})")
    print(f"evidence: {count} files, {total_kb:,.0f} KB, {pages} pages counted")
    print(
        f"archive with index       {archive_s:8.2f} s   target < {TARGET_S:.0f} s  "
        f"{mark[archive_s < TARGET_S]}"
    )
    print(f"plain zip (baseline)     {baseline_s:8.2f} s")
    print(f"ratio archive / baseline {archive_s / baseline_s:8.1f}×")
    print(f"every file once, index and 目录 added: {mark[ok]}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
