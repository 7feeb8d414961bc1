"""Build the 词谱 (poetbench/resources/cipu-v1.json.gz) from the 全宋词 of the corpus.

    python tools/build_cipu.py [--corpus DIR] [-o PATH]

How forms are found, and the thresholds: ``poetbench/cipu_derive.py`` and docs/ci.md. The
output is the same to the byte on every run (``tests/test_cipu.py`` checks it).
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from poetbench import cipu
from poetbench.cipu_derive import build
from poetbench.data.discovery import find_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="chinese-poetry directory (default: corpus discovery)")
    parser.add_argument("-o", "--output", default=str(cipu.RESOURCE), help="where to write (default the resource)")
    args = parser.parse_args()
    data = build(find_corpus(args.corpus))
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    Path(args.output).write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    print(f"-> {args.output} ({Path(args.output).stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
