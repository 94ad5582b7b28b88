"""The documentation site builds with warnings as errors (mkdocs --strict), holds the API reference
generated from the docstrings and the data dictionary, and the README names only files that exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO


def test_the_site_builds_strict_with_the_api_and_the_data_dictionary(tmp_path):
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site),
                          "--config-file", str(REPO / "mkdocs.yml")],
                         cwd=REPO, capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "WARNING" not in run.stderr, run.stderr[-3000:]

    # one page per role, plus the data dictionary, methods and the API reference
    for page in ("planners", "report-staff", "reviewers", "data", "data-dictionary", "methods", "api"):
        assert (site / page / "index.html").is_file(), page

    # the API reference holds the docstrings of the analysis and data layers (read here with ast, not mkdocs)
    import ast

    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    for module in ("ucj/analysis/district.py", "ucj/data/dataset.py"):
        tree = ast.parse((REPO / module).read_text(encoding="utf-8"))
        dotted = module.removesuffix(".py").replace("/", ".")
        public = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("_")]
        assert public, module
        for node in public:
            assert f'id="{dotted}.{node.name}"' in api, f"{dotted}.{node.name}"
    assert 'id="ucj.load"' in api

    # the data dictionary page is data/README.md, which names every table the schemas define
    from ucj.data.schema import TABLES

    dictionary = (site / "data-dictionary" / "index.html").read_text(encoding="utf-8")
    for name in TABLES:
        assert f"<code>{name}</code>" in dictionary, name


def test_the_readme_links_only_to_files_that_exist():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#]+)\)", text)
    local = [t for t in targets if not t.startswith(("http://", "https://"))]
    assert len(local) >= 8
    assert [t for t in local if not (REPO / t).exists()] == []
