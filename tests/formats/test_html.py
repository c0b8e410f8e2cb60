"""``--format html``: self-contained, escaped, and it loads in a real headless browser."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import build, organic
from hostile import COMMENT, IMG, SCRIPT, report

import pod_detect
from pod_detect.formats import FORMATS, RenderOptions

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")


class Elements(HTMLParser):
    """Counts <script> elements and collects every src/href attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts, self.links, self.tags = 0, [], set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.scripts += tag == "script"
        self.links += [v or "" for k, v in attrs if k in ("src", "href", "xlink:href")]


@pytest.fixture(scope="module")
def page() -> str:
    return FORMATS["html"](report(), RenderOptions())


def test_hostile_names_and_comments_are_escaped(page):
    for payload in (SCRIPT, IMG, COMMENT, "<img"):
        assert payload not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(&#39;comment&#39;)&lt;/script&gt;" in page


def test_only_our_own_script_and_no_network(page):
    parser = Elements()
    parser.feed(page)
    assert parser.scripts == 1
    assert "img" not in parser.tags
    assert all(link.startswith("#") for link in parser.links)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)
    assert "default-src 'none'" in page


def test_contents(page):
    for words in ("Input", "Authentic versus pod engagement", "Groups", "<svg",
                  "Who engaged whom", "Response latency", "Timeline", "Network"):
        assert words in page


def test_without_groups_or_timestamps():
    page = FORMATS["html"](pod_detect.scan(build(organic(20, 2), drop=("timestamp",))),
                           RenderOptions())
    assert "No pods or coordinated groups found" in page


def _chromium(*args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run",
             f"--user-data-dir={tmp / 'profile'}", "--enable-logging=stderr", "--v=0"]
    return subprocess.run([str(CHROMIUM), *flags, *args], capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="no /usr/bin/chromium (install Debian's chromium: .ci/run does)")
def test_headless_browser_loads_without_errors(page, tmp_path):
    html = tmp_path / "report.html"
    html.write_text(page, encoding="utf-8")
    shot = tmp_path / "report.png"
    run = _chromium(f"--screenshot={shot}", "--window-size=1280,2000", html.as_uri(),
                    tmp=tmp_path)
    assert shot.exists() and shot.stat().st_size > 10_000, run.stderr[-2000:]
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(shot, ARTIFACTS / "report.png")
    dom = _chromium("--dump-dom", html.as_uri(), tmp=tmp_path)
    assert "Authentic versus pod engagement" in dom.stdout
    assert "<img" not in dom.stdout
    log = run.stderr + dom.stderr
    assert not [line for line in log.splitlines() if "Uncaught" in line
                or "Content Security Policy" in line or "CONSOLE" in line.upper()
                and "error" in line.lower()]
