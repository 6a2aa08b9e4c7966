"""`kg viz`: the alignment and agencies views of the built graph, checked as data and in a
real headless Chromium with the network out of reach."""

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.analysis.load import co_responsibility_graph, rank, read_agencies, read_responsibilities
from kg.cli import main
from kg.present.viz import EDGE_COLOUR, agencies_view, regional_name, write_view

from .browser import ARTIFACTS, headless_chromium, outside_requests
from .conftest import DATA, JIANGXI_ID, MINI_DOC, SHANGRAO, SHANGRAO_ID, write_corpus

HOSTILE = '<img src=x onerror="window.__pwned=1">'


@pytest.fixture(scope="module")
def real_build(tmp_path_factory):
    from kg.pipeline import build_graph

    return build_graph(DATA, tmp_path_factory.mktemp("viz") / "build").out


@pytest.fixture(scope="module")
def pages(real_build):
    return {view: write_view(real_build, view) for view in ("alignment", "agencies")}


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory):
    """The seeds copied, with HTML in the child's title and in a measure's text: it must stay text."""
    from kg.pipeline import build_graph

    tmp = tmp_path_factory.mktemp("hostile")
    data = tmp / "data"
    shutil.copytree(DATA, data)
    registry = (data / "corpus.yaml").read_text(encoding="utf-8")
    title = "上饶市人民政府印发关于加快建立健全绿色低碳循环发展经济体系的实施方案的通知"
    assert title in registry
    (data / "corpus.yaml").write_text(registry.replace(title, f"'{title}</script>{HOSTILE}'"), encoding="utf-8")
    shangrao = data / SHANGRAO.name
    text = shangrao.read_text(encoding="utf-8")
    assert "坚定不移贯彻新发展理念" in text  # in measure （一）
    shangrao.write_text(
        text.replace("坚定不移贯彻新发展理念", f"坚定不移贯彻新发展理念{HOSTILE}</script>", 1), encoding="utf-8"
    )
    out = build_graph(data, tmp / "build").out
    return write_view(out, "alignment")


def page_data(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    m = re.search(r'<script id="kg-data" type="application/json">(.*?)</script>', text, re.S)
    return json.loads(m.group(1))


# ------------------------------------------------------------------- agencies view


def test_agencies_view_takes_the_network_and_the_load_from_kg_analysis_load(real_build, pages):
    data = page_data(pages["agencies"])
    responsibilities, agencies = read_responsibilities(real_build), read_agencies(real_build)
    g = co_responsibility_graph(responsibilities, agencies)
    nodes = {n["id"]: n for n in data["nodes"]}
    shared = [e for e in data["edges"] if e["kg_kind"] in ("lead", "support")]
    assert set(g.nodes) <= set(nodes)
    assert sorted((e["from"], e["to"], e["value"]) for e in shared) == sorted(g.edges(data="weight"))
    for row in rank(responsibilities, agencies):  # the listing's counts, the same in the labels
        assert nodes[row.iri]["label"].endswith(f"牵头 {row.lead} · 配合 {row.support}")
    assert {e["kg_kind"] for e in shared} == {"lead", "support"}
    assert all((e["kg_kind"] == "support") == bool(e["dashes"]) for e in shared)
    assert {e["color"]["color"] for e in shared} == {EDGE_COLOUR["lead"], EDGE_COLOUR["support"]}


def test_agencies_view_draws_counterpart_edges_across_levels(real_build, pages):
    data = page_data(pages["agencies"])
    agencies = read_agencies(real_build)
    nodes = {n["id"]: n for n in data["nodes"]}
    counterpart = [e for e in data["edges"] if e["kg_kind"] == "counterpart"]
    assert counterpart and all(agencies[e["from"]].counterpart == e["to"] for e in counterpart)
    levels = {(nodes[e["from"]]["kg_level"], nodes[e["to"]]["kg_level"]) for e in counterpart}
    assert ("municipal", "provincial") in levels and ("provincial", "national") in levels
    city = next(e for e in counterpart if nodes[e["from"]]["label"].startswith("上饶市发展改革委"))
    assert nodes[city["to"]]["label"].startswith("江西省发展改革委")
    # one column per level, national on the left: every counterpart edge runs to the left
    assert all(nodes[e["to"]]["x"] < nodes[e["from"]]["x"] for e in counterpart)


def test_agencies_carry_their_region_so_two_cities_never_read_the_same(tmp_path):
    """Two cities that both write 市发展改革委: two nodes, two labels, each naming its city."""
    from kg.corpus import process
    from kg.store.build import build

    text = MINI_DOC
    other = MINI_DOC.replace("上饶市", "九江市")
    registry = """documents:
  - id: shangrao-mini
    file: a.txt
    title: 上饶测试
    level: municipal
    region: 上饶市
    issued: 2022-03-27
  - id: jiujiang-mini
    file: b.txt
    title: 九江测试
    level: municipal
    region: 九江市
    issued: 2022-03-27
"""
    data = write_corpus(tmp_path, {"a.txt": text, "b.txt": other}, registry)
    view = agencies_view(build(process(data), [], tmp_path / "build").out)
    labels = [n["label"].split("  ")[0] for n in view.nodes if n["kg_level"] == "municipal"]
    assert "上饶市发展改革委" in labels and "九江市发展改革委" in labels
    assert len(labels) == len(set(labels))
    assert not [x for x in labels if x.startswith("市")]


def test_regional_name_puts_the_region_where_the_generic_prefix_was():
    assert regional_name("市工业和信息化局", "上饶市") == "上饶市工业和信息化局"
    assert regional_name("省林业局", "江西省") == "江西省林业局"
    assert regional_name("县农业农村局", "婺源县") == "婺源县农业农村局"
    assert regional_name("上饶市税务局", "上饶市") == "上饶市税务局"
    assert regional_name("生态环境部", "中华人民共和国", "national") == "生态环境部"
    assert regional_name("省港航管理局上饶分局", "上饶市") == "省港航管理局上饶分局"  # a provincial body's branch


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
    assert "Content-Security-Policy\" content=\"default-src 'none'" in text  # the browser refuses any request
    assert parser.scripts == {"alignment": 2, "agencies": 3}[view]  # data, (vis-network,) the page's own script


def test_same_build_gives_byte_identical_html(real_build, pages, tmp_path):
    for view, path in pages.items():
        again = write_view(real_build, view, tmp_path / f"{view}.html")
        assert again.read_bytes() == path.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agencies.html", "alignment.html"], "no temp files left"


def test_document_text_is_escaped_in_the_page(hostile_page):
    text = hostile_page.read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;" in text  # the pair selector's option
    body = text.split('<script id="kg-data"', 1)[1]
    assert body.count("</script>") == 2, "document text cannot close the data script"
    assert any(HOSTILE in d["title"] for d in page_data(hostile_page)["documents"])  # kept whole, as data


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
    with headless_chromium("viz", height=900) as driver:
        yield driver


def _open(driver, path: Path):
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get_log("browser"), driver.get_log("performance")  # drop what earlier pages logged
    driver.get(path.resolve().as_uri())
    WebDriverWait(driver, 60).until(
        lambda d: d.execute_script(
            "return document.body.dataset.stabilized === 'true' || document.body.dataset.ready === 'true'"
        )
    )


def _offline(driver):
    """Nothing went to a network: the browser's log and the page's own resource timing."""
    assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    # the browser's own chrome:// pages may load; nothing may go to a network
    assert outside_requests(driver) == []
    script = "return performance.getEntriesByType('resource').filter(e => /^https?:/.test(e.name)).length"
    assert driver.execute_script(script) == 0


def _shot(driver, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    assert driver.save_screenshot(str(ARTIFACTS / name))


VISIBLE_LABELS = """
return [...document.querySelectorAll('#kg-svg .kg-label')].map(t => {
  const r = t.getBoundingClientRect();
  return {text: t.textContent, x: r.left, y: r.top, w: r.width, h: r.height};
}).filter(r => r.w > 0 && r.h > 0 && r.text.trim());
"""


def _overlaps(boxes: list[dict]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if (
                a["x"] < b["x"] + b["w"]
                and b["x"] < a["x"] + a["w"]
                and a["y"] < b["y"] + b["h"]
                and b["y"] < a["y"] + a["h"]
            ):
                out.append((a["text"], b["text"]))
    return out


def test_alignment_view_opens_on_the_document_overview_with_readable_labels(browser, pages):
    _open(browser, pages["alignment"])
    assert browser.execute_script("return document.body.dataset.mode") == "overview"
    labels = browser.execute_script(VISIBLE_LABELS)
    texts = " ".join(x["text"] for x in labels)
    for name in ("中华人民共和国 2021", "江西省 2021", "上饶市 2022", "吉林省 2021"):
        assert name in texts
    assert "落实 21/21 · 100%" in texts  # the Shangrao → Jiangxi link with its coverage
    assert all(x["h"] >= 12 for x in labels), "labels are drawn at a readable size"
    assert _overlaps(labels) == []
    _offline(browser)
    _shot(browser, "viz-alignment-overview.png")


def test_clicking_a_pair_in_the_overview_opens_it(browser, pages):
    from selenium.webdriver.common.by import By

    _open(browser, pages["alignment"])
    pair = f"{SHANGRAO_ID}__{JIANGXI_ID}"
    browser.find_element(By.CSS_SELECTOR, f'#kg-svg g.kg-pair-edge[data-pair="{pair}"] text').click()
    assert browser.execute_script("return document.body.dataset.mode") == "pair"
    assert browser.find_element(By.ID, "kg-pair").get_attribute("value") == pair


def test_a_pair_is_two_ordered_columns_with_labels_that_never_overlap(browser, pages):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    _open(browser, pages["alignment"])
    Select(browser.find_element(By.ID, "kg-pair")).select_by_value(f"{SHANGRAO_ID}__{JIANGXI_ID}")
    assert browser.execute_script("return document.body.dataset.mode") == "pair"
    columns = browser.execute_script("""
      const rows = side => [...document.querySelectorAll('#kg-svg g.kg-measure[data-side="' + side + '"]')].map(g => {
        const r = g.querySelector('text').getBoundingClientRect();
        return {key: g.dataset.key, text: g.querySelector('text').textContent, x: r.left, right: r.right, y: r.top};
      });
      return {parent: rows('parent'), child: rows('child')};""")
    parents, children = columns["parent"], columns["child"]
    assert len(parents) == 21 and len(children) == 23
    for side in (parents, children):  # document order, top to bottom
        assert [int(m["key"]) for m in side] == sorted(int(m["key"]) for m in side)
        assert [m["y"] for m in side] == sorted(m["y"] for m in side)
    assert max(m["right"] for m in parents) < min(m["x"] for m in children), "parents left, children right"
    assert parents[0]["text"].startswith("（一）推进工业绿色转型")
    assert children[0]["text"].startswith("（一）") and "地方创新" in children[0]["text"]
    assert any("标题缺失" in m["text"] for m in parents)  # a heading the scrape lost, shown with its text
    labels = browser.execute_script(VISIBLE_LABELS)
    assert len(labels) >= 44 and all(x["h"] >= 12 for x in labels)
    assert _overlaps(labels) == []
    links = browser.execute_script(
        "return [...document.querySelectorAll('#kg-svg g.kg-link')].map(g => g.dataset.status)"
    )
    assert len(links) == 21 and set(links) == {"aligned"}  # every seed link is aligned by the tool
    _shot(browser, "viz-alignment-pair.png")


def test_clicking_a_link_shows_both_texts_with_the_copied_runs(browser, pages):
    from selenium.webdriver.common.by import By

    _open(browser, pages["alignment"])
    browser.execute_script(f"kgAlignment.open('{SHANGRAO_ID}__{JIANGXI_ID}')")
    browser.find_element(By.CSS_SELECTOR, '#kg-svg g.kg-link[data-link="0"] path.kg-line').click()
    panel = browser.find_element(By.ID, "kg-panel")
    assert panel.is_displayed()
    text = panel.text
    assert "（二）→ 江西省 2021（一）" in text and "score" in text and "margin" in text
    assert "推进工业绿色转型" in text  # the parent measure's heading
    assert "建设绿色制造体系，培育一批绿色工厂" in text  # the sentence the two share
    copied = browser.execute_script(
        "return [...document.querySelectorAll('#kg-panel mark.copied')].map(m => m.textContent)"
    )
    assert len(copied) >= 2 and all(len(c) >= 4 for c in copied)
    changed = browser.execute_script(
        "return [...document.querySelectorAll('#kg-panel mark.changed')].map(m => m.textContent)"
    )
    assert "20" in changed and "200" in changed  # 20 绿色工厂 in the city against 200 in the province
    assert "字符" in text  # the character position of each side
    _shot(browser, "viz-alignment-evidence.png")


def test_clicking_an_innovation_shows_its_text_and_why(browser, pages):
    from selenium.webdriver.common.by import By

    _open(browser, pages["alignment"])
    browser.execute_script(f"kgAlignment.open('{SHANGRAO_ID}__{JIANGXI_ID}')")
    browser.find_element(By.CSS_SELECTOR, '#kg-svg g.kg-measure[data-side="child"][data-key="1"] text').click()
    text = browser.find_element(By.ID, "kg-panel").text
    assert "地方创新" in text and "坚定绿色发展理念" in text and "字符" in text and len(text) > 100


def test_agencies_view_shows_region_labels_and_counterpart_edges(browser, pages):
    _open(browser, pages["agencies"])
    assert browser.execute_script("return kgNetwork.physics.options.enabled") is False
    nodes = browser.execute_script("return kgNetwork.body.data.nodes.get().map(n => [n.kg_level, n.label])")
    labels = [label for _, label in nodes]
    assert any(x.startswith("上饶市发展改革委") for x in labels) and any(
        x.startswith("江西省发展改革委") for x in labels
    )
    generic = {"municipal": "市", "provincial": "省", "county": "县"}  # the prefix a region replaces
    assert not [x for level, x in nodes if level in generic and x.startswith(generic[level])]
    kinds = browser.execute_script("return kgNetwork.body.data.edges.get().map(e => e.kg_kind)")
    assert "counterpart" in kinds and "lead" in kinds and "support" in kinds
    # the opening view is readable: on-screen nodes drawn at scale 1, not fitted into a strip
    assert browser.execute_script("return kgNetwork.getScale()") > 0.5
    _offline(browser)
    _shot(browser, "viz-agencies.png")


def test_agency_filters_and_search_work_in_the_browser(browser, pages):
    from selenium.webdriver.common.by import By

    _open(browser, pages["agencies"])
    browser.find_element(By.CSS_SELECTOR, 'input[name="status"][value="counterpart"]').click()
    kinds = browser.execute_script("return kgNetwork.body.data.edges.get().map(e => e.kg_kind)")
    assert "counterpart" not in kinds and "lead" in kinds
    browser.find_element(By.CSS_SELECTOR, 'input[name="level"][value="national"]').click()
    levels = browser.execute_script("return kgNetwork.body.data.nodes.get().map(n => n.kg_level)")
    assert "national" not in levels and "municipal" in levels
    browser.find_element(By.ID, "kg-search").send_keys("生态环境")
    assert browser.find_element(By.ID, "kg-found").text.endswith("found")
    assert len(browser.execute_script("return kgNetwork.getSelectedNodes()")) >= 2


def test_hostile_document_text_stays_text_in_the_browser(browser, hostile_page):
    from selenium.webdriver.common.by import By

    _open(browser, hostile_page)
    assert HOSTILE in browser.execute_script("return document.getElementById('kg-svg').textContent")
    browser.execute_script(f"kgAlignment.open('{SHANGRAO_ID}__{JIANGXI_ID}')")
    browser.find_element(By.CSS_SELECTOR, '#kg-svg g.kg-measure[data-side="child"][data-key="1"] text').click()
    assert HOSTILE in browser.find_element(By.ID, "kg-panel").text
    assert browser.execute_script("return window.__pwned === undefined && document.images.length === 0")
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
