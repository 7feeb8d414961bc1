"""How much a line gains from having been seen by the n-gram model (README, "Fluency and coherence").

    python bench/memorisation.py [--corpus DIR] [--n 1000]

Bits per character of N train poems (the model saw them) and N held-out poems (it did not),
under the shipped model (pruned: an n-gram of one line alone is dropped) and under a model built
from the same train lines without pruning. The difference is what memorisation buys.
"""

from __future__ import annotations

import argparse

import numpy as np

from poetbench.audit import split_poems
from poetbench.language import model as language
from poetbench.language import ngram
from poetbench.metrics.fluency import poem_bits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus")
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    split = split_poems(args.corpus)
    seen = [poem for poem, _ in split.train[::7][:args.n]]
    unseen = [poem for poem, _ in split.held[:args.n]]
    unpruned = ngram.build([line for poem, _ in split.train for line in poem], min_lines=1)
    for name, model in (("shipped (pruned)", language.load().ngram), ("unpruned", unpruned)):
        a, b = np.nanmean(poem_bits(model, seen)[0]), np.nanmean(poem_bits(model, unseen)[0])
        print(f"{name:17} train poems {a:.2f} bits/char, held-out {b:.2f}: seen lines gain {b - a:.2f}")


if __name__ == "__main__":
    main()
