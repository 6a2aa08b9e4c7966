"""The report's front page: every pair report and view linked, a sortable comparison of the pairs,
the diffusion heat map, and documents that yield no findings listed as such (never as a city that
implemented nothing); checked on the seeds and in headless Chromium."""

import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from click.testing import CliRunner

from kg.analysis.gaps import Coverage, Gap
from kg.cli import main
from kg.present.front import Unfit, front_html, generated, pair_rows

from .browser import ARTIFACTS, headless_chromium, outside_requests
from .conftest import DATA, JIANGXI_ID, SHANGRAO_ID, write_corpus

EMPTY_ENTRY = """
  - id: nanchang-empty
    file: empty.txt
    title: 南昌市人民政府关于加快建立健全绿色低碳循环发展经济体系的实施方案
    level: municipal
    region: 南昌市
    implements: [jiangxi-2021-green-economy]
"""
HOSTILE = '<img src="x.png" onerror="window.pwned=1">'
NATION = """国务院关于推进测试领域绿色发展的指导意见

一、重点任务

（一）推进工业绿色升级。加快实施钢铁、石化、化工等行业绿色化改造，推行产品绿色设计，建设绿色制造体系。

（二）加快农业绿色发展。鼓励发展生态种植、生态养殖，加强绿色食品、有机农产品认证和管理。

（三）提升服务业绿色水平。促进商贸企业绿色升级，培育一批绿色流通主体，有序发展出行、住宿等领域共享经济。

（四）完善绿色金融体系。发展绿色信贷和绿色直接融资，加大对金融机构绿色金融业绩评价考核力度。
"""
JX = """江西省人民政府关于推进测试领域绿色发展的实施意见

一、重点任务

（一）推进工业绿色升级。加快实施钢铁、石化、化工等行业绿色化改造，推行产品绿色设计，建设绿色制造体系。（省工业和信息化厅负责）

（二）加快农业绿色发展。鼓励发展生态种植、生态养殖，加强绿色食品、有机农产品认证和管理。（省农业农村厅负责）

（三）建设赣江绿色走廊。统筹推进赣江沿线生态保护和修复，打造沿江生态廊道。（省自然资源厅负责）
"""
JL = """吉林省人民政府关于推进测试领域绿色发展的实施意见

一、重点任务

（一）推进工业绿色升级。加快实施钢铁、石化、化工等行业绿色化改造，推行产品绿色设计。（省工业和信息化厅负责）

（二）提升服务业绿色水平。促进商贸企业绿色升级，培育一批绿色流通主体，有序发展出行、住宿等领域共享经济。（省商务厅负责）
"""
REGISTRY = f"""documents:
  - id: nation
    file: nation.txt
    title: 国务院关于推进测试领域绿色发展的指导意见
    level: national
    region: 中华人民共和国
  - id: jx
    file: jx.txt
    title: 江西省人民政府关于推进测试领域绿色发展的实施意见
    level: provincial
    region: 江西省
    implements: [nation]
  - id: jl
    file: jl.txt
    title: '吉林省人民政府关于推进测试领域绿色发展的实施意见{HOSTILE}'
    level: provincial
    region: 吉林省
    implements: [nation]
  - id: broken
    file: broken.txt
    title: 南昌市人民政府关于推进测试领域绿色发展的实施方案
    level: municipal
    region: 南昌市
    implements: [jx]
"""


def _all(data: Path, out: Path):
    return CliRunner().invoke(main, ["--data", str(data), "all", "--out", str(out)])


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    """`kg all` on a copy of the seeds with one more city document whose file is empty."""
    root = tmp_path_factory.mktemp("front-seeds")
    data = Path(shutil.copytree(DATA, root / "data"))
    (data / "empty.txt").write_bytes(b"")
    with open(data / "corpus.yaml", "a", encoding="utf-8") as f:
        f.write(EMPTY_ENTRY)
    r = _all(data, root / "out")
    assert r.exit_code == 1 and "nanchang-empty" in r.output, r.output  # the failure is reported, the rest runs
    return root / "out"


@pytest.fixture(scope="module")
def nation(tmp_path_factory):
    """`kg all` on a tiny national guidance, two provinces copying parts of it, and a failed city."""
    root = tmp_path_factory.mktemp("front-nation")
    (root / "data").mkdir()
    data = write_corpus(root / "data", {"nation.txt": NATION, "jx.txt": JX, "jl.txt": JL, "broken.txt": ""}, REGISTRY)
    r = _all(data, root / "out")
    assert r.exit_code == 1, r.output
    return root / "out"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.srcs = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if a.get("src"):
            self.srcs.append(a["src"])


def _links(page: Path) -> _Links:
    p = _Links()
    p.feed(page.read_text(encoding="utf-8"))
    return p


def test_front_page_links_every_report_and_view_to_existing_files(seeds):
    index = seeds / "report" / "index.html"
    links = _links(index)
    reports = sorted(p.name for p in (seeds / "report").glob("*__*.html"))
    assert reports == [f"{SHANGRAO_ID}__{JIANGXI_ID}.html"]
    assert set(reports) | {"../alignment.html", "../agencies.html"} <= set(links.hrefs)
    for href in links.hrefs:
        assert (index.parent / href).is_file(), href
    assert links.srcs == []  # nothing loaded: CSS, JS and SVG are inline


def test_a_failed_document_gets_no_report_and_is_listed_as_failed(seeds):
    assert not list((seeds / "report").glob("nanchang-empty*"))
    page = (seeds / "report" / "index.html").read_text(encoding="utf-8")
    unfit = page.split('id="unfit"')[1].split("</table>")[0]
    assert re.search(
        r"nanchang-empty</code></td><td>南昌市人民政府[^<]*</td><td>municipal</td><td>failed</td><td>[^<]*empty", unfit
    )
    assert "china-2021-green-economy" in unfit and "registered without a file" in unfit  # no text: no findings
    pairs = page.split('id="pairs"')[1].split("</table>")[0]
    assert "nanchang-empty" not in pairs and pairs.count("<tr>") == 2  # the heading and Shangrao → Jiangxi
    md = (seeds / "report" / "index.md").read_text(encoding="utf-8")
    assert "| nanchang-empty | 南昌市人民政府" in md and "| failed |" in md


def test_pair_table_shows_the_figures_of_the_pair_report(seeds):
    page = (seeds / "report" / "index.html").read_text(encoding="utf-8")
    report = (seeds / "report" / f"{SHANGRAO_ID}__{JIANGXI_ID}.md").read_text(encoding="utf-8")
    implemented = re.search(r"\| parent measures implemented \| (\d+ / \d+ \(\d+%\)) \|", report).group(1)
    copied = re.search(r"\| parent sentences carried over \(copy rate\) \| \d+ / \d+ \((\d+%)\) \|", report).group(1)
    row = page.split('id="pairs"')[1].split("</table>")[0].split("<tr>")[2]
    assert f">{implemented}</td>" in row and f">{copied}</td>" in row
    innovations = re.search(r"## Local innovations: child measures with no parent \((\d+)\)", report).group(1)
    kept = report.split("## Targets")[1].split("\n## ")[0].count("| kept |")
    cells = re.findall(r'<td class="num" data-sort="[^"]*">([^<]*)</td>', row)
    assert cells[2] == innovations and cells[3] == str(kept)


def test_front_page_states_its_graph_version_and_date(seeds):
    page = (seeds / "report" / "index.html").read_text(encoding="utf-8")
    version = re.search(r"graph version <code>([0-9a-f]{12})</code>", page).group(1)
    import hashlib

    assert hashlib.sha256((seeds / "build" / "graph.nt").read_bytes()).hexdigest().startswith(version)
    assert f"Generated {generated(seeds / 'build')} " in page


def test_generated_date_honours_source_date_epoch(seeds, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert generated(seeds / "build") == "2023-11-14"


def test_national_matrix_is_a_heat_map_on_the_front_page(nation):
    page = (nation / "report" / "index.html").read_text(encoding="utf-8")
    section = page.split("Diffusion across provinces")[1]
    svg = re.search(r"<svg .*?</svg>", section, re.S).group(0)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    cells = {t.text for t in root.iter(f"{ns}title")}
    # (一) is implemented by both provinces, (四) by none, (三) only by 吉林省
    assert any(c.startswith("（一）推进工业绿色升级 · 江西省: ") and not c.endswith("—") for c in cells)
    assert any(c.startswith("（一）推进工业绿色升级 · 吉林省: ") and not c.endswith("—") for c in cells)
    assert "（四）完善绿色金融体系 · 江西省: —" in cells and "（四）完善绿色金融体系 · 吉林省: —" in cells
    assert "（三）提升服务业绿色水平 · 江西省: —" in cells
    assert (nation / "report" / "diffusion__nation.html").is_file() and 'href="diffusion__nation.html"' in page


def test_hostile_titles_are_escaped(nation):
    page = (nation / "report" / "index.html").read_text(encoding="utf-8")
    assert HOSTILE not in page and "&lt;img src=&quot;x.png&quot;" in page


def test_pair_rows_count_each_kind_of_finding():
    cover = [Coverage("c", "p", 4, 3, 5, 3, 10, 6)]
    findings = [
        Gap("local_innovation", "c", "p"),
        Gap("weak_link", "c", "p"),
        Gap("target_change", "c", "p", change="kept"),
        Gap("target_change", "c", "p", change="raised"),
        Gap("target_change", "c", "p", change="raised"),
        Gap("target_change", "other", "p", change="lowered"),
    ]
    [row] = pair_rows([("c", "p")], {"c": {"title": "子", "level": "municipal"}}, cover, findings)
    assert (row["coverage"], row["copy_rate"], row["innovations"], row["weak"]) == (0.75, 0.6, 1, 1)
    assert (row["kept"], row["raised"], row["lowered"]) == (1, 2, 0)
    assert row["child"] == "子" and row["parent"] == "p" and row["report"] == "c__p.html"
    page = front_html(
        [row], [Unfit("x", "<b>x</b>", "municipal", "failed", "x.txt: empty file")], "abc", "2026-01-01", []
    )
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page and ">3 / 4 (75%)</td>" in page


# ------------------------------------------------------------ headless Chromium


@pytest.fixture(scope="module")
def browser():
    with headless_chromium("front") as driver:
        yield driver


def _column(driver, table: str, i: int) -> list[str]:
    return driver.execute_script(
        f"return Array.from(document.querySelectorAll('#{table} tbody tr')).map(r => r.cells[{i}].textContent)"
    )


def test_front_page_in_headless_chromium(browser, nation):
    from selenium.webdriver.common.by import By

    index = nation / "report" / "index.html"
    browser.get_log("performance")
    browser.get(index.resolve().as_uri())
    assert browser.execute_script("return window.pwned") is None  # the hostile title stayed text
    headings = browser.find_elements(By.CSS_SELECTOR, "#pairs thead th")
    names = [h.text for h in headings]
    i = names.index("innovations")
    before = _column(browser, "pairs", 0)
    assert len(before) == 2
    headings[i].click()
    assert headings[i].get_attribute("aria-sort") == "ascending"
    up = [int(x) for x in _column(browser, "pairs", i)]
    assert up == sorted(up)
    headings[i].click()
    assert headings[i].get_attribute("aria-sort") == "descending"
    down = [int(x) for x in _column(browser, "pairs", i)]
    assert down == sorted(down, reverse=True) and down != up and sorted(_column(browser, "pairs", 0)) == sorted(before)
    heat = browser.find_elements(
        By.XPATH, "//h2[contains(., 'Diffusion across provinces')]/following::figure[1]/*[local-name()='svg']"
    )[0]
    assert heat.is_displayed() and heat.size["width"] > 100 and heat.size["height"] > 60
    failed = browser.find_element(By.ID, "unfit").text
    assert "broken" in failed and "failed" in failed
    hrefs = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#links a")]
    assert len(hrefs) == 5  # two pair reports, two views, one diffusion page
    for href in hrefs:
        assert Path(unquote(urlparse(href).path)).is_file(), href
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []
    assert outside_requests(browser) == []
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "front-page.png"))
