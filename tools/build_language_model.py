"""Build the language resource shipped as poetbench/resources/language-v1.npz (``lm=v1``).

    python tools/build_language_model.py [--corpus DIR] [-o FILE]

1. Split the corpus as ``poetbench data prepare`` does by default (seed 0, 5 % held out, the
   four regulated forms, duplicates and leaking train poems removed): the same split the eval
   sets are drawn from, so no held-out poem or eval-set prompt reaches the model.
2. Train lines (Simplified, character by character, as scoring converts) → the n-gram model
   (``language/ngram.py``): distinct lines, order 4, interpolated Kneser–Ney, n-grams kept from
   order 2 up only when they occur in two different lines.
3. Train poems → the association statistics (``language/association.py``). Their weights: a
   logistic regression of every tenth train poem against the same poems with their lines
   shuffled among poems of the same form and line count (each position permuted on its own),
   on statistics built from the other nine tenths.
4. Held-out poems → the calibration (``language/model.py``): per form, the median and robust
   spread of the bits per character saved by the context and of the coherence log-odds.

The file holds derived statistics only, never a line of text. Deterministic: the same corpus
gives the same file.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import numpy as np

from poetbench.audit import split_poems
from poetbench.language import association, ngram
from poetbench.language.model import RESOURCE, SHAPES, LanguageModel, robust_centre, save, shape_of
from poetbench.metrics.fluency import poem_bits


def shuffled_lines(poems: list[list[str]], forms: list[str], seed: int = 0) -> list[list[str]]:
    """Each line position permuted among the poems of the same form and line count."""
    rng = np.random.default_rng(seed)
    groups = defaultdict(list)
    for number, (poem, form) in enumerate(zip(poems, forms)):
        groups[form, len(poem)].append(number)
    out = [list(p) for p in poems]
    for (_, size), members in sorted(groups.items()):
        for position in range(size):
            for target, source in zip(members, rng.permutation(members)):
                out[target][position] = poems[source][position]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="a chinese-poetry or `data prepare` directory (default: discovery)")
    parser.add_argument("-o", "--output", type=Path, default=RESOURCE)
    args = parser.parse_args()
    split = split_poems(args.corpus)  # Simplified character by character, as scoring converts
    train_poems, forms = [p for p, _ in split.train], [f for _, f in split.train]
    held_poems = [p for p, _ in split.held]
    print(f"train {len(train_poems)} poems, held-out {len(held_poems)}")
    model_ngram = ngram.build([line for poem in train_poems for line in poem])
    print("n-grams per order:", [len(k) for k in model_ngram.keys])
    fold = [p for i, p in enumerate(train_poems) if i % 10 == 0]
    rest = [p for i, p in enumerate(train_poems) if i % 10]
    scale, weights = association.fit(association.build(rest), fold, shuffled_lines(fold, forms[::10]))
    model_assoc = association.build(train_poems)
    model_assoc.scale, model_assoc.weights = scale, weights
    print("association: vocabulary", len(model_assoc.chars), "weights (topic, couplet, parallel, repeats, bias)",
          np.round(model_assoc.weights, 3))
    model = LanguageModel(model_ngram, model_assoc, {})
    shapes = np.array([shape_of(form) for _, form in split.held])
    _, saved = poem_bits(model_ngram, held_poems)
    odds = model_assoc.log_odds(held_poems)
    for metric, values in (("fluency", saved), ("coherence", odds)):
        model.calibration[metric] = {shape: robust_centre(values[(shapes == shape) | (shape == "other")])
                                     for shape in SHAPES}
        print(metric, {s: tuple(round(x, 3) for x in v) for s, v in model.calibration[metric].items()})
    save(model, args.output)
    print(f"-> {args.output} ({args.output.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
