"""The README is the newcomer's first contact: its two commands, and every command and setting, documented."""

import re

from indicators.cli import build_parser
from tests.conftest import REPOSITORY

README = (REPOSITORY / "README.md").read_text(encoding="utf-8")


def _quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_the_readme_opens_with_exactly_two_commands():
    assert README.index("## Quick start") < README.index("## What this is")
    start, test = _quick_start_commands()
    assert "streamlit run app.py" in start
    assert "pytest" in test


def test_ci_runs_the_readmes_test_command():
    ci = (REPOSITORY / ".ci" / "run").read_text(encoding="utf-8")
    assert _quick_start_commands()[1] in ci


def test_every_cli_command_is_documented():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    missing = [name for name in commands if f"`{name}" not in README]
    assert missing == []


def test_every_environment_variable_is_documented():
    code = "\n".join(path.read_text(encoding="utf-8") for path in (REPOSITORY / "indicators").rglob("*.py"))
    variables = set(re.findall(r"\bINDICATORS_[A-Z_]+\b", code))
    assert variables, "the code reads its settings from INDICATORS_* variables"
    assert sorted(v for v in variables if f"`{v}`" not in README) == []


def test_the_readme_calls_a_browser_journey_an_expected_failure_only_while_one_is_marked_so():
    """A newcomer reading the browser-test section is not told that a journey fails when it passes."""
    browser_tests = (REPOSITORY / "tests" / "browser").glob("test_*.py")
    marked = any("xfail" in path.read_text(encoding="utf-8") for path in browser_tests)
    assert marked or "expected failure" not in README
