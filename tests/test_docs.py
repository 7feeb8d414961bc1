"""The README and docs/ as a reader meets them: the README short and linked to every page, and every
command they show real — its subcommand, its options and, for `check`, its output."""

import argparse
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from poetbench.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = sorted((ROOT / "docs").glob("*.md"))
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def snippets(path: Path) -> list[str]:
    """The command lines of a page: its inline code, the lines of its bash blocks, the `$ ` lines of its console blocks."""
    text = path.read_text(encoding="utf-8")
    out = []
    for language, body in FENCE.findall(text):
        for line in body.splitlines():
            if language == "bash":
                out.append(line)
            elif language == "console" and line.startswith("$ "):
                out.append(line[2:])
    prose = FENCE.sub("", text)
    out += re.findall(r"`([^`\n]+)`", prose)
    return out


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def options(parser: argparse.ArgumentParser) -> set[str]:
    """The option strings of a parser and of its own subcommands (`data prepare --corpus`)."""
    found = {s for action in parser._actions for s in action.option_strings}
    for nested in subcommands(parser).values():
        found |= options(nested)
    return found


def test_the_readme_fits_on_a_few_screens_and_links_every_page():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) < 200
    assert text.startswith("# poetbench\n\n```bash\n")  # the two commands come first
    for page in PAGES:
        assert f"(docs/{page.name})" in text, f"README does not link docs/{page.name}"


@pytest.mark.parametrize("page", [README, *PAGES], ids=lambda p: p.name)
def test_every_link_and_picture_is_there(page):
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
        if not target.startswith(("http://", "https://")):
            assert (page.parent / target).exists(), f"{page.name}: {target} does not exist"


@pytest.mark.parametrize("page", [README, *PAGES], ids=lambda p: p.name)
def test_every_command_shown_is_real(page):
    parser = build_parser()
    commands = subcommands(parser)
    checked = 0
    for snippet in snippets(page):
        for match in re.finditer(r"(?:^|(?<!from)(?<!import)[\s(&|;])poetbench ([a-z][a-z-]*)(.*?)(?=$|&&|\|(?!\w)|;|#)", snippet):
            name, rest = match.groups()
            assert name in commands, f"{page.name}: `poetbench {name}` is not a command ({snippet})"
            known = options(commands[name]) | {"-h", "--help", "-v", "--verbose"}
            for option in re.findall(r"(?<![\w-])(--?[a-z][a-z0-9-]*)", rest):
                assert option in known, f"{page.name}: `poetbench {name}` has no option {option} ({snippet})"
            checked += 1
        for module in re.findall(r"python3? -m (training\.\w+|poetbench)", snippet):
            assert (ROOT / (module.replace(".", "/") + ".py")).is_file() or (ROOT / module).is_dir(), snippet
        for script in re.findall(r"python3? ((?:tools|bench)/\w+\.py)", snippet):
            assert (ROOT / script).is_file(), f"{page.name}: {script} does not exist"
    if page in (README, ROOT / "docs" / "commands.md"):
        assert checked >= 10


@pytest.mark.parametrize("page", [README, ROOT / "docs" / "ci.md"], ids=lambda p: p.name)
def test_the_check_examples_print_what_the_page_shows(page):
    checked = 0
    for language, body in FENCE.findall(page.read_text(encoding="utf-8")):
        lines = body.splitlines()
        if language != "console" or not lines[0].startswith("$ poetbench check"):
            continue
        command = shlex.split(lines[0][2:])
        done = subprocess.run([sys.executable, "-m", *command], capture_output=True, text=True, cwd=ROOT)
        shown = [line for line in lines[1:] if line != "..."]
        printed = done.stdout.splitlines()
        position = 0
        for line in shown:  # every line shown, in order
            assert line in printed[position:], f"{page.name} shows {line!r}; check printed:\n{done.stdout}"
            position = printed.index(line, position) + 1
        checked += 1
    assert checked, f"{page.name} has no `$ poetbench check` example"


def test_help_and_docs_agree_on_the_4bit_path():
    run = subcommands(build_parser())["run"]
    text = next(a.help for a in run._actions if "--load-in-4bit" in a.option_strings)
    assert "needs CUDA" not in text and "CPU" in text  # the 4-bit path runs on the CPU too (docs/training.md)
    assert "4-bit path" in (ROOT / "docs" / "training.md").read_text(encoding="utf-8")
