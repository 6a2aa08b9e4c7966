"""Charts as plain SVG: well-formed XML holding the labels and values it draws, text escaped."""

import xml.etree.ElementTree as ET

from kg.present.svg import bars, heatmap, side_by_side, text_width

NS = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg" and float(root.get("width")) > 0 and float(root.get("height")) > 0
    return root


def _texts(root) -> list[str]:
    return [t.text for t in root.iter(f"{NS}text")]


def _titles(root) -> list[str]:
    return [t.text for t in root.iter(f"{NS}title")]


def test_stacked_bars_label_every_row_and_carry_each_value():
    svg = bars(
        ["省发展改革委", "省生态环境厅"],
        [("lead", "#1f6feb", [3, 1]), ("support", "#9ec5fe", [2, 0])],
        title="jiangxi",
        axis="measures",
        stacked=True,
    )
    root = _parse(svg)
    assert {"省发展改革委", "省生态环境厅", "jiangxi", "lead", "support", "measures", "5"} <= set(_texts(root))
    assert "省发展改革委 · lead: 3" in _titles(root) and "省生态环境厅 · support: 0" in _titles(root)
    rects = [r for r in root.iter(f"{NS}rect") if r.find(f"{NS}title") is not None]
    widths = {r.find(f"{NS}title").text: float(r.get("width")) for r in rects}
    assert widths["省发展改革委 · lead: 3"] == 3 * widths["省生态环境厅 · lead: 1"]  # bars to scale
    assert svg == bars(["省发展改革委", "省生态环境厅"], [("lead", "#1f6feb", [3, 1]), ("support", "#9ec5fe", [2, 0])],
                       title="jiangxi", axis="measures", stacked=True)  # fmt: skip


def test_labels_are_escaped_and_cjk_labels_get_room():
    hostile = '<script>alert("x")</script>&'
    root = _parse(bars([hostile, "国家发展和改革委员会"], [("a", "#000", [1, 2])]))
    assert hostile in _texts(root)  # parsed back as text, not as an element
    assert not list(root.iter("script")) and not list(root.iter(f"{NS}script"))
    assert text_width("国家发展和改革委员会") == 10 * 12 and text_width("abc") < 3 * 12
    label = next(t for t in root.iter(f"{NS}text") if t.text == "国家发展和改革委员会")
    first_bar = min(float(r.get("x")) for r in root.iter(f"{NS}rect") if r.find(f"{NS}title") is not None)
    assert float(label.get("x")) <= first_bar and float(label.get("x")) >= text_width("国家发展和改革委员会")


def test_heatmap_has_a_cell_per_value_with_its_text_and_shade():
    root = _parse(heatmap(["发展改革", "财政"], ["甲省", "乙省"], [[3, 0], [1, 2]]))
    cells = {r.find(f"{NS}title").text: r.get("fill") for r in root.iter(f"{NS}rect")}
    assert set(cells) == {"发展改革 · 甲省: 3", "发展改革 · 乙省: —", "财政 · 甲省: 1", "财政 · 乙省: 2"}
    assert cells["发展改革 · 乙省: —"] == "#fff"  # zero: no shade
    light = lambda fill: int(fill.rsplit(",", 1)[1].rstrip("%)"))  # noqa: E731
    assert light(cells["发展改革 · 甲省: 3"]) < light(cells["财政 · 乙省: 2"]) < light(cells["财政 · 甲省: 1"])
    assert {"甲省", "乙省", "发展改革", "财政", "3", "1", "2"} <= set(_texts(root))


def test_heatmap_takes_given_texts_and_fills():
    root = _parse(heatmap(["（一）推进"], ["江西省"], [[None]], texts=[["weak"]], fills=[["#ffd8a8"]]))
    assert "weak" in _texts(root) and [r.get("fill") for r in root.iter(f"{NS}rect")] == ["#ffd8a8"]


def test_side_by_side_nests_the_figures_left_to_right():
    a, b = bars(["甲"], [("x", "#000", [1])], title="A"), bars(["乙"], [("x", "#000", [2])], title="B")
    root = _parse(side_by_side([a, b]))
    inner = root.findall(f"{NS}svg")
    assert len(inner) == 2 and float(inner[1].get("x")) >= float(inner[0].get("width"))
    assert {"甲", "乙", "A", "B"} <= set(_texts(root))
