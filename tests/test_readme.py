"""The README and docs: generated tables, links that resolve, code that runs, and the set-up CI runs."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # subprocesses, kills and whole runs: the slow tier (.ci/run)

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_and_docs_tables_are_up_to_date(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))  # as when run as a script: its folder is on the path
    tables = _load(ROOT / "benchmarks" / "make_readme_tables.py", "make_readme_tables")
    assert tables.stale_pages() == [], "run: python benchmarks/make_readme_tables.py"
    assert all((ROOT / page).exists() for page in tables.PAGES)


def _slug(heading: str) -> str:  # GitHub's anchors: lower case, punctuation dropped, spaces to hyphens
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_link_resolves(page):
    text = page.read_text()
    links = re.findall(r"\[[^\]]*\]\(([^)\s]+)\)", re.sub(r"```.*?```", "", text, flags=re.S))
    assert page.name != "README.md" or len(links) >= 5
    for link in links:
        if re.match(r"[a-z]+://", link):
            continue  # no network here: only links inside the repository are checked
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        assert path.exists(), f"{page.name}: broken link {link}"
        if anchor:
            headings = {_slug(h) for h in re.findall(r"^#+ (.*)$", path.read_text(), re.M)}
            assert anchor in headings, f"{page.name}: no heading for #{anchor} in {path.name}"


def _readme_block(name: str) -> str:
    match = re.search(rf"<!-- example:{name}:start -->\s*```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert match, f"README lacks the {name} example"
    return match.group(1)


@pytest.mark.parametrize("name", ["pde", "geometry", "image"])
def test_readme_python_examples_run(name, tmp_path):
    """Each example runs as written, in a fresh interpreter in an empty folder (where it writes its outputs)."""
    proc = subprocess.run([sys.executable, "-c", _readme_block(name)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = proc.stdout.strip().splitlines()
    if name in ("pde", "geometry"):
        run = {"pde": "my_heat", "geometry": "my_plate"}[name]
        assert summary[-1].startswith(f"{run}: rel L2 = ") and (tmp_path / "runs" / run / "pinnzoo.json").exists()
        assert float(summary[-1].split("= ")[1].split()[0]) < 1e-2  # the target it declares
    else:
        psnrs = [float(re.search(r"PSNR ([\d.]+) dB", line).group(1)) for line in summary[-2:]]
        # the blurred image is at 24.0 dB; measured 26.7 and 26.5 dB
        assert (tmp_path / "restored.png").exists() and min(psnrs) > 25.5


def test_ci_runs_the_two_readme_commands():
    ci = _load(ROOT / ".ci" / "readme_commands.py", "readme_commands")
    commands = ci.setup_commands((ROOT / "README.md").read_text())
    assert commands == ['pip install -e . && pinnzoo train burgers',
                        'pip install -e ".[test]" && python -m pytest -q']
    run = (ROOT / ".ci" / "run").read_text()
    assert "readme_commands.py" in run and "git status --porcelain" in run


def test_benchmarks_use_the_public_api_only():
    for script in sorted((ROOT / "benchmarks").glob("*.py")):
        text = script.read_text()
        assert "sys.path" not in text, f"{script.name} edits sys.path"
        private = re.findall(r"from pinnzoo[\w.]* import [^\n]*\b_\w+|pinnzoo\.\w+\._\w+", text)
        assert not private, f"{script.name} uses private helpers: {private}"
