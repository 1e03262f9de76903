"""The commands of the README and docs: each block classified, each command valid, cheap ones run.

A fenced ``bash`` block is a list of commands meant to be typed as written. The
line before its fence says what kind it is (an HTML comment, invisible on the
rendered page):

- ``<!-- commands: cheap -->``: seconds; this test runs every line in a copy of
  the working tree (the files git tracks) with this checkout's ``.venv``;
- ``<!-- commands: expensive -->``: a training run, the test suite, a benchmark;
- ``<!-- commands: serves -->``: a server or UI that runs until stopped.

Every command, whatever its kind, must name a program that exists on a fresh
clone after ``make install``: a make target, or a tool under ``.venv/bin/``
(the README never activates the virtual environment, so a bare ``kedro`` or
``python`` would not be found), with pipelines, environments, scripts and test
paths that exist.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.project import PROJECT_ROOT

DOCUMENTS = [
    PROJECT_ROOT / "README.md",
    PROJECT_ROOT / "conf" / "README.md",
    *sorted((PROJECT_ROOT / "docs").glob("*.md")),
]
KINDS = ("cheap", "expensive", "serves")
MARKER = re.compile(r"<!-- commands: (\w+) -->")
SHELL_FENCES = ("```bash", "```sh", "```shell", "```console")
VENV_TOOLS = {"kedro", "pytest", "python", "pip", "ruff", "mlflow"}
PLACEHOLDER = re.compile(r"<[a-z_]+>")


@dataclass(frozen=True)
class Block:
    """One fenced shell block of a document."""

    document: Path
    line: int
    kind: str | None
    commands: tuple[str, ...]

    @property
    def where(self) -> str:
        return f"{self.document.relative_to(PROJECT_ROOT)}:{self.line}"


def _commands(body: list[str]) -> tuple[str, ...]:
    joined = "\n".join(body).replace("\\\n", " ")
    commands = []
    for line in joined.splitlines():
        command = re.sub(r"(^|\s)#.*$", "", line).strip()
        if command:
            commands.append(command)
    return tuple(commands)


def shell_blocks(document: Path) -> list[Block]:
    """Every fenced shell block of a Markdown document, with its kind."""
    lines = document.read_text().splitlines()
    blocks = []
    index = 0
    while index < len(lines):
        if lines[index].strip() in SHELL_FENCES:
            marker = MARKER.fullmatch(lines[index - 1].strip()) if index else None
            end = next(
                end
                for end in range(index + 1, len(lines))
                if lines[end].strip() == "```"
            )
            blocks.append(
                Block(
                    document,
                    index + 1,
                    marker.group(1) if marker else None,
                    _commands(lines[index + 1 : end]),
                )
            )
            index = end
        index += 1
    return blocks


BLOCKS = [block for document in DOCUMENTS for block in shell_blocks(document)]
MAKE_TARGETS = set(
    re.findall(r"^([a-z][a-z-]*):", (PROJECT_ROOT / "Makefile").read_text(), re.M)
)
PIPELINES = {"__default__"} | {
    path.name
    for path in (PROJECT_ROOT / "src/customer_segmentation/pipelines").iterdir()
    if (path / "pipeline.py").exists()
}
ENVIRONMENTS = {
    path.name for path in (PROJECT_ROOT / "conf").iterdir() if path.is_dir()
}


def _option(arguments: list[str], name: str) -> list[str]:
    values = []
    for index, argument in enumerate(arguments):
        if argument.startswith(f"{name}="):
            values.append(argument.split("=", 1)[1])
        elif argument == name and index + 1 < len(arguments):
            values.append(arguments[index + 1])
    return values


def problems_of(command: str) -> list[str]:
    """What would stop a command from running as written on a fresh clone."""
    found = []
    for part in command.split("&&"):
        words = shlex.split(part.split("|")[0])
        # VAR=value words before the program set its environment.
        while "=" in words[0] and not words[0].startswith((".", "/")):
            words = words[1:]
        program, arguments = words[0], words[1:]
        if program == "make":
            targets = [word for word in arguments if "=" not in word]
            found += [f"no make target {t!r}" for t in targets if t not in MAKE_TARGETS]
        elif program == "python3":
            if arguments[:2] != ["-m", "venv"]:
                found.append("python3 only creates the virtual environment")
        elif program == "export":
            continue
        elif program.startswith(".venv/bin/"):
            tool = program.removeprefix(".venv/bin/")
            if tool not in VENV_TOOLS:
                found.append(f"{program} is not installed by make install")
            found += _tool_problems(tool, arguments)
        else:
            found.append(
                f"{program!r} is not on PATH on a fresh clone: use a make target "
                "or .venv/bin/..."
            )
    return found


def _tool_problems(tool: str, arguments: list[str]) -> list[str]:
    found = []
    if tool == "kedro":
        names = [
            n for value in _option(arguments, "--pipelines") for n in value.split(",")
        ]
        found += [f"no pipeline {n!r}" for n in names if n not in PIPELINES]
        found += [
            f"no environment {env!r}"
            for env in _option(arguments, "--env")
            if env not in ENVIRONMENTS and not PLACEHOLDER.fullmatch(env)
        ]
    elif tool == "pytest":
        paths = [a for a in arguments if not a.startswith("-")]
        found += [
            f"no test path {p!r}"
            for p in paths
            if not list(PROJECT_ROOT.glob(p.split("::")[0]))
        ]
    elif (
        tool == "python"
        and arguments
        and arguments[0].endswith(".py")
        and not (PROJECT_ROOT / arguments[0]).exists()
    ):
        found.append(f"no script {arguments[0]!r}")
    return found


def test_every_shell_block_is_classified():
    unclassified = [block.where for block in BLOCKS if block.kind not in KINDS]

    assert BLOCKS
    assert not unclassified, (
        f"put <!-- commands: cheap|expensive|serves --> before: {unclassified}"
    )


@pytest.mark.parametrize("block", BLOCKS, ids=lambda block: block.where)
def test_every_command_runs_on_a_fresh_clone(block):
    problems = {command: problems_of(command) for command in block.commands}

    assert {command: found for command, found in problems.items() if found} == {}


def test_a_bare_kedro_command_is_caught():
    assert problems_of("kedro run --pipelines=inference")
    assert problems_of(".venv/bin/kedro run --pipelines=nowhere") == [
        "no pipeline 'nowhere'"
    ]
    assert problems_of(".venv/bin/kedro run --env=wholesale") == []


def test_an_unclassified_block_is_found(tmp_path):
    document = tmp_path / "doc.md"
    document.write_text("text\n```bash\n.venv/bin/kedro run   # trains\n```\n")

    (block,) = shell_blocks(document)

    assert block.kind is None
    assert block.commands == (".venv/bin/kedro run",)


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory):
    """The files git tracks, as in the working tree, with this checkout's .venv."""
    root = tmp_path_factory.mktemp("clone")
    tracked = subprocess.run(
        ["git", "ls-files", "-z"],  # noqa: S607
        cwd=PROJECT_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, tracked.split("\0")):
        source = PROJECT_ROOT / name
        if source.is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    (root / ".venv").symlink_to(PROJECT_ROOT / ".venv")
    return root


@pytest.mark.parametrize(
    "block", [b for b in BLOCKS if b.kind == "cheap"], ids=lambda block: block.where
)
def test_cheap_commands_run_as_written(block, fresh_clone):
    environment = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "true"}
    for command in block.commands:
        completed = subprocess.run(  # noqa: S602
            command,
            shell=True,
            cwd=fresh_clone,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

        assert completed.returncode == 0, f"{command}\n{completed.stderr[-2000:]}"
