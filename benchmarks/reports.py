"""Report benchmark: the self-evaluation report and 一校一册 for a 400-school county.

Targets: the self-evaluation report in under 10 s; 一校一册 for 400 schools in under 60 s using
both cores. The baseline is what a script per document does: one new process per document
(start Python, read the dataset, evaluate, write one book). It is measured in the same run on a
sample of schools and scaled to all of them (the output says so).

    .venv/bin/python benchmarks/reports.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from junheng.core.evaluate import evaluate
from junheng.demo import national_dataset
from junheng.intake.writer import write_csv_folder
from junheng.reports.school_book import write_school_books
from junheng.reports.self_evaluation import write_self_evaluation
from junheng.standards import load_standard

ONE_BOOK = """
import sys
from pathlib import Path
from junheng.core.evaluate import evaluate
from junheng.intake.reader import read_dataset
from junheng.reports.school_book import write_school_book
from junheng.standards import load_standard
dataset = read_dataset(Path(sys.argv[1])).dataset
evaluation = evaluate(dataset, load_standard())
write_school_book(evaluation, sys.argv[2], sys.argv[3], Path(sys.argv[4]), dataset=dataset)
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small county (for tests)")
    parser.add_argument("--sample", type=int, default=6, help="schools in the baseline sample")
    args = parser.parse_args(argv)
    segments = 40 if args.quick else 420
    dataset = national_dataset(counties=1, segments_per_county=segments, seed=5)
    evaluation = evaluate(dataset, load_standard())
    county = evaluation.counties[0]
    schools = (
        evaluation.segments.filter(evaluation.segments["in_scope"])["school_id"]
        .unique(maintain_order=True)
        .to_list()
    )
    with tempfile.TemporaryDirectory(prefix="junheng-reports-") as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        write_self_evaluation(evaluation, county, work / "自评报告.docx", dataset=dataset)
        report_s = time.perf_counter() - start

        start = time.perf_counter()
        books = write_school_books(evaluation, county, work / "books", dataset=dataset, workers=2)
        books_s = time.perf_counter() - start

        data = work / "data"
        write_csv_folder(dataset, data)
        sample = schools[: min(args.sample, len(schools))]
        start = time.perf_counter()
        for school_id in sample:
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    ONE_BOOK,
                    str(data),
                    county,
                    school_id,
                    str(work / "one.docx"),
                ],
                check=True,
            )
        per_process = (time.perf_counter() - start) / len(sample)
    baseline_s = per_process * len(books)
    load = os.getloadavg()
    print(f"Report benchmark ({os.cpu_count()} CPUs, load {load[0]:.2f} / {load[1]:.2f})")
    print(f"county: {dataset.schools.height} schools, {len(books)} in-scope schools with a book")
    mark = {True: "✓", False: "✗"}
    print(f"self-evaluation report   {report_s:8.2f} s   target < 10 s  {mark[report_s < 10]}")
    print(f"一校一册, both cores      {books_s:8.2f} s   target < 60 s  {mark[books_s < 60]}")
    print(f"  per book                        {books_s / len(books):8.3f} s")
    print(
        f"baseline, one process per book    {baseline_s:8.2f} s   "
        f"(measured on {len(sample)} books: {per_process:.2f} s each, scaled to {len(books)})"
    )
    print(f"ratio baseline / 一校一册          {baseline_s / books_s:8.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
