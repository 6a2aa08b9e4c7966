"""The pair report as a reader sees it in headless Chromium: an evidence panel opens to show the
child measure beside its parent with copied wording highlighted, a hostile title stays text,
and the page loads nothing from the network. A screenshot goes to ``artifacts/``."""

import json
import shutil

import pytest

from .browser import headless_chromium, outside_requests
from .conftest import DATA, JIANGXI_ID, ROOT, SHANGRAO_ID

HOSTILE = "上饶市实施方案<script>window.__pwned=1</script> | *粗* [x](http://example.com)"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The seeds built and reported, the Shangrao title replaced by a hostile one in the registry."""
    from kg.pipeline import build_graph
    from kg.present.report import write_report

    root = tmp_path_factory.mktemp("browser")
    data = root / "data"
    shutil.copytree(DATA, data)
    registry = (data / "corpus.yaml").read_text(encoding="utf-8")
    title = "上饶市人民政府印发关于加快建立健全绿色低碳循环发展经济体系的实施方案的通知"
    assert registry.count(f"title: {title}") == 1
    (data / "corpus.yaml").write_text(registry.replace(f"title: {title}", f"title: {json.dumps(HOSTILE)}"), "utf-8")
    build_graph(data, root / "build")
    write_report(root / "build", root / "report", child=SHANGRAO_ID, parent=JIANGXI_ID)
    return root / "report" / f"{SHANGRAO_ID}__{JIANGXI_ID}.html"


@pytest.fixture(scope="module")
def browser():
    with headless_chromium("report") as driver:
        yield driver


def test_an_evidence_panel_shows_child_beside_parent_with_copied_wording(browser, report):
    from selenium.webdriver.common.by import By

    browser.get_log("performance")
    browser.get(report.resolve().as_uri())
    panel = browser.find_elements(By.CSS_SELECTOR, "details.ev.aligned")[0]
    child, parent = (
        panel.find_element(By.CSS_SELECTOR, ".side.child"),
        panel.find_element(By.CSS_SELECTOR, ".side.parent"),
    )
    assert not child.is_displayed()  # closed until the reader opens it
    browser.execute_script("arguments[0].scrollIntoView()", panel)
    panel.find_element(By.TAG_NAME, "summary").click()
    assert child.is_displayed() and parent.is_displayed()
    c, p = child.rect, parent.rect
    assert p["x"] >= c["x"] + c["width"] - 1 and abs(p["y"] - c["y"]) < 5, (c, p)  # two columns, side by side
    assert "chars" in child.find_element(By.CSS_SELECTOR, ".where").text
    assert "chars" in parent.find_element(By.CSS_SELECTOR, ".where").text
    shown = [m for m in child.find_elements(By.CSS_SELECTOR, "mark.copied") if m.is_displayed()]
    longest = max(shown, key=lambda m: len(m.text))  # a run crossing a sentence end is cut there
    assert len(longest.text) >= 4
    assert longest.text in "".join(m.text for m in parent.find_elements(By.CSS_SELECTOR, "mark.copied"))
    assert longest.value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)", "transparent")
    shots = ROOT / "artifacts"
    shots.mkdir(exist_ok=True)
    browser.save_screenshot(str(shots / "report-evidence.png"))
    # offline: the page and nothing else
    assert outside_requests(browser) == []


def test_a_hostile_title_stays_text(browser, report):
    from selenium.webdriver.common.by import By

    browser.get(report.resolve().as_uri())
    assert browser.execute_script("return window.__pwned === undefined")
    assert browser.find_elements(By.CSS_SELECTOR, "script") == []
    assert HOSTILE in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_elements(By.CSS_SELECTOR, "a[href^='http']") == []
