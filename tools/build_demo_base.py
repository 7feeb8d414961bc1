"""Build the demo's tiny base into training/tiny-base: the model `poetbench demo` starts from.

    python tools/build_demo_base.py [--corpus DIR] [-o training/tiny-base]

The base is the demo's config (training/configs/tiny-cpu.yaml, ``build_tiny``, 600 pre-training
steps on the classical prose of chinese-poetry 2.0.1) built under the pinned numerics
(poetbench/numerics.py), so a build on any machine gives these bits: about 7 minutes on 2 cores.
The demo copies the shipped one instead of spending those minutes (``poetbench demo
--rebuild-base`` builds it again). ``demo_base.json`` records the settings it was built with and
the sha256 of its weights; the demo uses the shipped base only when the settings are its own.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from poetbench import numerics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="chinese-poetry directory (default: corpus discovery)")
    parser.add_argument("-o", "--output", type=Path, default=None, help="default: training/tiny-base")
    args = parser.parse_args()
    numerics.pin()  # before torch loads
    from poetbench.demo import SHIPPED_BASE, DemoSettings, base_settings, write_base_record
    from training.tiny import build

    out = args.output or SHIPPED_BASE
    settings = base_settings(DemoSettings())
    staging = out.with_name(out.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    build(staging, args.corpus, **settings)
    write_base_record(staging, settings)
    shutil.rmtree(out, ignore_errors=True)
    staging.replace(out)
    print(f"-> {out}")


if __name__ == "__main__":
    main()
