"""`kg viz`: the alignment and agencies views of the built graph, checked as data and in a
real headless Chromium with the network out of reach."""

import json
import os
import re
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.corpus import process
from kg.pipeline import build_graph
from kg.present.viz import PREFIXES, RESPONSIBILITIES, STATUS_COLOUR, co_responsibility, write_view
from kg.store.query import run_query

from .conftest import DATA, JIANGXI_ID, MINI_DOC, ROOT, SHANGRAO_ID, write_corpus

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
ARTIFACTS = ROOT / "test-artifacts"  # git-ignored: screenshots to look at after a run
HOSTILE = '<img src=x onerror="window.__pwned=1">'


@pytest.fixture(scope="module")
def real_build(tmp_path_factory):
    return build_graph(DATA, tmp_path_factory.mktemp("viz") / "build").out


@pytest.fixture(scope="module")
def pages(real_build):
    return {view: write_view(real_build, view) for view in ("alignment", "agencies")}


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory):
    """A one-document build whose title and measure text carry HTML that must stay text."""
    from kg.store.build import build

    tmp = tmp_path_factory.mktemp("hostile")
    registry = f"""documents:
  - id: mini-2022
    file: mini.txt
    title: '测试</script>{HOSTILE}'
    level: municipal
    region: 上饶市
    issued: 2022-03-27
"""
    text = MINI_DOC.replace("推进农业节水。", f"推进农业节水{HOSTILE}</script>。")
    data = write_corpus(tmp, {"mini.txt": text}, registry)
    out = build(process(data), [], tmp / "build").out
    return write_view(out, "alignment")


def page_data(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    m = re.search(r'<script id="kg-data" type="application/json">(.*?)</script>', text, re.S)
    return json.loads(m.group(1))


def count(build, where: str) -> int:
    return run_query(build, PREFIXES + f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}").rows[0]["n"]


# ------------------------------------------------------------------ alignment view


def test_alignment_view_has_every_document_and_measure_and_every_link_with_a_parent(real_build, pages):
    data = page_data(pages["alignment"])
    docs = count(real_build, "?d a eli:LegalResource")
    measures = count(real_build, "?m a pkg:Measure")
    links = count(real_build, "?a a pkg:Alignment ; pkg:targetMeasure ?t ; pkg:status ?s FILTER(?s != pkg:unaligned)")
    doc_links = count(real_build, "?c a eli:LegalResource ; eli:implements ?p . ?p a eli:LegalResource")
    assert len(data["nodes"]) == docs + measures == 127
    assert len(data["edges"]) == measures + doc_links + links
    by_status = {}
    for e in data["edges"]:
        by_status[e["kg_status"]] = by_status.get(e["kg_status"], 0) + 1
    assert by_status == {
        "structure": measures + doc_links,
        "aligned": 21,
    }  # 15 and 6 weak before the scrape was rebuilt


def test_alignment_rows_go_national_provincial_municipal(pages):
    rows = {n["id"]: n["level"] for n in page_data(pages["alignment"])["nodes"]}
    assert rows["doc:china-2021-green-economy"] < rows[f"doc:{JIANGXI_ID}"] < rows[f"doc:{SHANGRAO_ID}"]
    measure = "https://w3id.org/policy-kg/id/doc/{}/measure/{}"
    assert rows[measure.format(JIANGXI_ID, 1)] == rows[f"doc:{JIANGXI_ID}"] + 1
    assert rows[measure.format(JIANGXI_ID, 1)] < rows[measure.format(SHANGRAO_ID, 2)]


def test_links_are_coloured_by_status_and_as_wide_as_their_score(pages):
    links = [e for e in page_data(pages["alignment"])["edges"] if e["kg_status"] != "structure"]
    assert STATUS_COLOUR["aligned"] != STATUS_COLOUR["weak"]
    assert {e["color"] for e in links} == {STATUS_COLOUR["aligned"]}  # every seed link is aligned now
    assert all(e["from"].split("/doc/")[1].startswith(SHANGRAO_ID) for e in links)
    assert all(1 <= e["width"] <= 7 for e in links)
    widest, narrowest = max(links, key=lambda e: e["width"]), min(links, key=lambda e: e["width"])
    assert widest["width"] > narrowest["width"]  # width = 1 + 6 × score


def test_lost_heading_measures_are_distinct_and_a_link_to_one_is_drawn(real_build, pages):
    nodes = {n["id"]: n for n in page_data(pages["alignment"])["nodes"]}
    lost = [n for n in nodes.values() if n["shape"] == "diamond"]
    assert len(lost) == count(real_build, "?m pkg:headingLost true") > 0
    assert all("标题缺失" in n["label"] and n["shapeProperties"]["borderDashes"] for n in lost)
    target = f"https://w3id.org/policy-kg/id/doc/{JIANGXI_ID}/measure/16"  # 大力发展绿色金融, heading lost
    linked = [e for e in page_data(pages["alignment"])["edges"] if e["to"] == target and e["kg_status"] != "structure"]
    assert nodes[target]["shape"] == "diamond" and [e["kg_status"] for e in linked] == ["aligned"]
    assert linked[0]["dashes"] is False  # found by the tool: only curated links are dotted


def test_measure_tooltip_gives_number_title_agencies_and_an_excerpt(pages):
    nodes = {n["id"]: n for n in page_data(pages["alignment"])["nodes"]}
    tip = nodes[f"https://w3id.org/policy-kg/id/doc/{SHANGRAO_ID}/measure/2"]["title"]
    assert tip.startswith('<div class="kg-tip"><div class="kg-tip-h">（二）')
    assert "责任单位" in tip and "（牵头）" in tip and "摘要" in tip


# ------------------------------------------------------------------- agencies view


def test_agencies_view_links_agencies_by_shared_measures(real_build, pages):
    data = page_data(pages["agencies"])
    rows = run_query(real_build, RESPONSIBILITIES).rows
    g = co_responsibility(rows)
    assert len(data["nodes"]) == g.number_of_nodes() == len({r["agency"] for r in rows if not r["generic"]})
    assert len(data["edges"]) == g.number_of_edges()
    assert sum(e["value"] for e in data["edges"]) == sum(d["weight"] for _, _, d in g.edges(data=True))
    nodes = {n["id"]: n for n in data["nodes"]}
    for a in g.nodes:
        assert nodes[a]["value"] == g.nodes[a]["lead"] + g.nodes[a]["support"] > 0
    assert {n["kg_level"] for n in data["nodes"]} == {"provincial", "municipal"}
    assert len({n["color"] for n in data["nodes"]}) == 2


def test_co_responsibility_weight_counts_each_shared_measure_once():
    def row(m, agency, role, rank, generic=False):
        return {
            "m": m,
            "doc": "d",
            "key": m,
            "number": m,
            "title": None,
            "agency": agency,
            "name": agency.upper(),
            "role": role,
            "rank": rank,
            "level": "municipal",
            "region": None,
            "generic": generic,
        }

    g = co_responsibility(
        [
            row("1", "a", "lead", 1),
            row("1", "b", "support", 2),
            row("1", "x", "support", 3, True),
            row("2", "b", "lead", 1),
            row("2", "a", "support", 2),
            row("3", "a", "lead", 1),
        ]
    )
    assert sorted(g.nodes) == ["a", "b"] and g.edges["a", "b"]["weight"] == 2
    assert (g.nodes["a"]["lead"], g.nodes["a"]["support"]) == (2, 1)


# ------------------------------------------------------------ the page as a file


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.scripts = [], 0

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"
        for name, value in attrs:
            if name in ("src", "href") or (tag == "link"):
                self.refs.append((tag, name, value))


@pytest.mark.parametrize("view", ["alignment", "agencies"])
def test_page_loads_nothing_from_outside(pages, view):
    text = pages[view].read_text(encoding="utf-8")
    parser = _Refs()
    parser.feed(text)
    assert parser.refs == []  # no <script src>, <link href>, <img src>: everything is inline
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", text)
    assert not re.search(r"""url\(\s*["']?https?:""", text)
    assert parser.scripts == 3 and "vis.Network" in text  # data, vis-network, the page's own script


def test_same_build_gives_byte_identical_html(real_build, pages, tmp_path):
    for view, path in pages.items():
        again = write_view(real_build, view, tmp_path / f"{view}.html")
        assert again.read_bytes() == path.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agencies.html", "alignment.html"], "no temp files left"


def test_document_text_is_escaped_in_tooltips(hostile_page):
    text = hostile_page.read_text(encoding="utf-8")
    data = page_data(hostile_page)
    tips = [n["title"] for n in data["nodes"]] + [e.get("title", "") for e in data["edges"]]
    assert any("&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;" in t for t in tips)
    assert not any("<img" in t or "</script" in t for t in tips)
    body = text.split('<script id="kg-data"', 1)[1]
    assert body.count("</script>") == 3, "document text cannot close the data script"


def test_cli_writes_the_default_file_beside_the_build_and_says_where(real_build, tmp_path):
    build = tmp_path / "out" / "build"
    shutil.copytree(real_build, build)
    r = CliRunner().invoke(main, ["viz", "--view", "agencies", "--build", str(build)])
    assert r.exit_code == 0, r.output
    view = tmp_path / "out" / "agencies.html"  # where `kg all` puts it
    assert r.output == f"wrote {view}\n" and view.stat().st_size > 100_000


def test_cli_without_a_store_says_to_run_kg_build(tmp_path):
    r = CliRunner().invoke(main, ["viz", "--build", str(tmp_path / "nowhere")])
    assert r.exit_code == 1
    assert (
        r.output
        == f"Error: {tmp_path / 'nowhere'}: no graph store found; run `kg build --out {tmp_path / 'nowhere'}` to build it\n"
    )
    assert not (tmp_path / "nowhere").exists()


# ------------------------------------------------------------ headless Chromium


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} or {CHROMEDRIVER} missing in CI (.ci/run installs chromium and chromium-driver)")
        pytest.skip(
            f"headless browser test needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="kg-viz-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _open(driver, path: Path):
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get_log("browser"), driver.get_log("performance")  # drop what earlier pages logged
    driver.get(path.resolve().as_uri())
    WebDriverWait(driver, 60).until(lambda d: d.execute_script("return document.body.dataset.stabilized === 'true'"))


def _requests(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


@pytest.mark.parametrize("view", ["alignment", "agencies"])
def test_page_renders_in_headless_chromium_offline(browser, pages, view):
    from selenium.webdriver.common.by import By

    _open(browser, pages[view])
    canvas = browser.find_element(By.CSS_SELECTOR, "#kg-network canvas")
    assert canvas.size["width"] > 300 and canvas.size["height"] > 300
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []
    # the browser's own chrome:// pages may load; nothing may go to a network
    assert [u for u in _requests(browser) if not u.startswith(("file:", "data:", "chrome:", "about:", "blob:"))] == []
    assert (
        browser.execute_script(
            "return performance.getEntriesByType('resource').filter(e => /^https?:/.test(e.name)).length"
        )
        == 0
    )
    assert browser.execute_script("return kgNetwork.physics.options.enabled") is False, "physics stops once settled"
    shown = browser.execute_script("return kgNetwork.body.data.nodes.length")
    assert shown == len(page_data(pages[view])["nodes"])
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / f"viz-{view}.png"))


def test_filters_and_search_work_in_the_browser(browser, pages):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    _open(browser, pages["alignment"])
    total = browser.execute_script("return kgNetwork.body.data.nodes.length")
    Select(browser.find_element(By.ID, "kg-doc")).select_by_value(SHANGRAO_ID)
    after_doc = browser.execute_script("return kgNetwork.body.data.nodes.length")
    assert 23 < after_doc < total  # Shangrao, its measures, and the parents they are linked to
    browser.find_element(By.CSS_SELECTOR, 'input[name="status"][value="aligned"]').click()
    statuses = browser.execute_script("return kgNetwork.body.data.edges.get().map(e => e.kg_status)")
    assert "aligned" not in statuses and "structure" in statuses
    browser.find_element(By.CSS_SELECTOR, 'input[name="level"][value="provincial"]').click()
    levels = browser.execute_script("return kgNetwork.body.data.nodes.get().map(n => n.kg_level)")
    assert "provincial" not in levels and "municipal" in levels
    browser.find_element(By.ID, "kg-search").send_keys("绿色")
    assert browser.find_element(By.ID, "kg-found").text.endswith("found")
    assert len(browser.execute_script("return kgNetwork.getSelectedNodes()")) > 0
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "viz-alignment-filtered.png"))


def test_hostile_document_text_stays_text_in_the_browser(browser, hostile_page):
    _open(browser, hostile_page)
    assert browser.execute_script("return window.__pwned === undefined && document.images.length === 0")
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
