"""The replies extraction v1 misread, scored by v1 and by this checkout (README, "Extraction").

    python tools/extraction_before_after.py [--v1 79f2883]

Checks out ``--v1`` (the last commit with extraction v1) into a temporary git worktree, scores the
same replies with both versions in separate processes and prints a Markdown table: lines, form and
poetscore, v1 → now. The replies are the shapes of the issue that introduced v2, written here.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUATRAIN = ["白日依山尽，", "黄河入海流。", "欲穷千里目，", "更上一层楼。"]
OCTAVE = ["青山横北郭，", "白水绕东城。", "此地一为别，", "孤蓬万里征。", "浮云游子意，", "落日故人情。", "挥手自兹去，", "萧萧班马鸣。"]
REPLIES = {
    "a fenced 五律": "```\n" + "\n".join(OCTAVE) + "\n```",
    "好！以下是… + bold title + 五律": "好！以下是一首五言律诗：\n**《送友人》**\n" + "\n".join(OCTAVE),
    "numbered lines": "\n".join(f"{i}. {line}" for i, line in enumerate(QUATRAIN, 1)),
    "bold title + 五绝": "**《登鹳雀楼》**\n" + "".join(QUATRAIN[:2]) + "\n" + "".join(QUATRAIN[2:]),
    "bullets": "- " + "\n- ".join(QUATRAIN),
    "`<think>` with a draft, then the poem": "<think>\n用户要五绝。草拟：山高云自远，水阔月初明。\n</think>\n" + "".join(QUATRAIN),
    "couplets split by a full-width space": "白日依山尽　黄河入海流\n欲穷千里目　更上一层楼",
}
SCORE = """
import json, sys
from poetbench.scoring import Scorer
replies = json.loads(sys.stdin.read())
print(json.dumps({k: Scorer().score(v) for k, v in replies.items()}))
"""


def scores(root: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", SCORE], input=json.dumps(REPLIES), capture_output=True, text=True,
                          cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--v1", default="79f2883", help="a commit with extraction v1")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "v1"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(old), args.v1], check=True)
        try:
            before = scores(old)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(old)], check=True)
    after = scores(REPO)
    print("| reply | lines | form | poetscore |\n|---|---|---|---|")
    for name in REPLIES:
        b, a = before[name], after[name]
        print(f"| {name} | {b['n_lines']} → {a['n_lines']} | {b['form']} → {a['form']} | {b['poetscore']} → {a['poetscore']} |")


if __name__ == "__main__":
    main()
