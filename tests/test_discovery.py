"""Parent discovery (kg.align.discovery): among near-identical provincial versions of one
policy the child's own parent is chosen, a plan implementing two documents keeps both, and
a plan copying nothing gets no parent."""

from kg.align.candidates import CandidateIndex
from kg.align.discovery import align_undeclared, find_parents
from kg.extract.parse import parse_text

# One policy as two provinces issued it: most sentences shared, some reworded by each.
VERSION_A = """甲省人民政府关于推进绿色发展的实施方案

一、主要任务

（一）推进工业绿色转型。推动钢铁、有色、石化、建材等传统产业绿色化改造。到2025年全省创建绿色工厂300家以上。（省工业和信息化厅牵头）

（二）加快农业绿色发展。深入推进化肥农药减量增效行动，推广测土配方施肥技术。推进秸秆综合利用和畜禽粪污资源化利用。（省农业农村厅牵头）

（三）打造绿色物流。积极调整运输结构，推进铁水、公铁联运。加快发展冷链物流，推广新能源物流车辆。（省交通运输厅牵头）

（四）倡导绿色生活方式。开展节约型机关、绿色家庭、绿色学校创建行动。推行垃圾分类和减量化、资源化。（省发展改革委牵头）
"""
VERSION_B = """乙省人民政府关于推进绿色发展的实施方案

一、主要任务

（一）推进工业绿色转型。推动钢铁、化工、造纸、建材等重点行业数字化和绿色化改造。到2025年全省创建绿色工厂150家以上。（省工业和信息化厅牵头）

（二）加快农业绿色发展。实施化肥农药零增长行动，推广有机肥替代化肥。推进秸秆综合利用和畜禽粪污资源化利用。（省农业农村厅牵头）

（三）打造绿色物流。积极调整运输结构，推进铁水、公铁联运。加快发展冷链物流，推广新能源物流车辆。（省交通运输厅牵头）

（四）倡导绿色生活方式。深入开展绿色社区、绿色出行创建行动。推行垃圾分类和减量化、资源化。（省发展改革委牵头）
"""
# A different policy of the same level.
WATER = """甲省人民政府关于加强水生态保护的实施方案

一、主要任务

（一）加强饮用水水源保护。划定县级以上集中式饮用水水源保护区，清理整治保护区内违法建设项目。（省生态环境厅牵头）

（二）推进河湖生态修复。实施退田还湖、退养还滩工程，恢复重要湿地面积五千公顷。（省水利厅牵头）
"""
CITY_HEAD = "丙市人民政府关于印发实施方案的通知\n\n一、主要任务\n\n"
# 丙市 copies version A: 省 → 市, a clause dropped here and there.
CITY_OF_A = (
    CITY_HEAD
    + """（一）推进工业绿色转型。推动钢铁、有色、石化、建材等传统产业绿色化改造。到2025年全市创建绿色工厂30家以上。（市工业和信息化局牵头）

（二）加快农业绿色发展。深入推进化肥农药减量增效行动，推广测土配方施肥技术。推进秸秆综合利用和畜禽粪污资源化利用。（市农业农村局牵头）

（三）打造绿色物流。积极调整运输结构，推进铁水联运。加快发展冷链物流，推广新能源物流车辆。（市交通运输局牵头）

（四）倡导绿色生活方式。开展节约型机关、绿色家庭、绿色学校创建行动。推行垃圾分类和减量化、资源化。（市发展改革委牵头）
"""
)
# 丙市 implements both of 甲省's plans in one: two measures of each.
CITY_OF_TWO = (
    CITY_HEAD
    + """（一）推进工业绿色转型。推动钢铁、有色、石化、建材等传统产业绿色化改造。到2025年全市创建绿色工厂30家以上。（市工业和信息化局牵头）

（二）倡导绿色生活方式。开展节约型机关、绿色家庭、绿色学校创建行动。推行垃圾分类和减量化、资源化。（市发展改革委牵头）

（三）加强饮用水水源保护。划定县级以上集中式饮用水水源保护区，清理整治保护区内违法建设项目。（市生态环境局牵头）

（四）推进河湖生态修复。实施退田还湖、退养还滩工程，恢复重要湿地面积五百公顷。（市水利局牵头）
"""
)
CITY_OF_NOTHING = (
    CITY_HEAD
    + """（一）打造特色文旅品牌。举办马拉松等群众赛事，建设城市书房和社区食堂。（市文化广电旅游局牵头）

（二）提升政务服务水平。推行一网通办，建设智慧停车系统。（市政务服务中心牵头）
"""
)


def _parents(*names):
    texts = {"a": VERSION_A, "b": VERSION_B, "water": WATER}
    docs = {n: parse_text(texts[n], level="provincial") for n in names}
    return docs, CandidateIndex(docs)


def test_the_child_is_given_the_version_it_copies_not_its_near_identical_sibling():
    docs, index = _parents("b", "a")  # the sibling indexed first
    found = find_parents(parse_text(CITY_OF_A, level="municipal"), "city", docs, index)
    assert [(f.doc, f.kept) for f in found] == [("a", True), ("b", False)]
    assert found[0].similarity > found[1].similarity
    assert all(link.discovered and link.target_doc == "a" for link in found[0].links)
    assert {link.source_key: link.target_key for link in found[0].links} == {"1": "1", "2": "2", "3": "3", "4": "4"}


def test_a_plan_implementing_two_documents_keeps_both():
    docs, index = _parents("a", "water")
    found = find_parents(parse_text(CITY_OF_TWO, level="municipal"), "city", docs, index)
    assert sorted(f.doc for f in found if f.kept) == ["a", "water"]
    linked = {(link.target_doc, link.source_key) for f in found for link in f.links if link.status == "aligned"}
    assert {("a", "1"), ("a", "2"), ("water", "3"), ("water", "4")} <= linked


def test_a_plan_copying_nothing_gets_no_parent():
    docs, index = _parents("a", "b", "water")
    found = find_parents(parse_text(CITY_OF_NOTHING, level="municipal"), "city", docs, index)
    assert not any(f.kept for f in found)


def test_allowed_mask_keeps_other_documents_out():
    docs, index = _parents("a", "b")
    found = find_parents(parse_text(CITY_OF_A, level="municipal"), "city", docs, index, index.allowed(["b"]))
    assert [f.doc for f in found] == ["b"]


def test_align_undeclared_counts_the_pairs_of_every_document_compared():
    docs, index = _parents("a", "b")
    child = parse_text(CITY_OF_A, level="municipal")
    links, pairs = align_undeclared(child, "city", docs, index)
    found = find_parents(child, "city", docs, index)
    assert {link.target_doc for link in links} == {"a"} and len(links) == 4
    assert pairs == sum(f.scores.pairs_scored for f in found) > found[0].scores.pairs_scored
