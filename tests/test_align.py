"""Cross-level alignment: tiny province → city texts, then `kg align` on the real corpus."""

import json
import re

import pytest
from click.testing import CliRunner

from kg.align import align_corpus, align_documents
from kg.cli import main
from kg.corpus import load_registry, process
from kg.extract.parse import parse_text
from kg.present.records import align_records

from .conftest import DATA, write_corpus

# --- tiny documents -----------------------------------------------------------------------

PROVINCE = """江西省人民政府关于测试绿色发展的若干措施

为贯彻落实国家部署，加快建立健全绿色低碳循环发展经济体系，结合我省实际，制定如下措施。坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻新发展理念，统筹推进高质量发展和高水平保护。

一、健全绿色低碳循环发展的生产体系

（一）推进工业绿色转型。推动钢铁、有色、石化、建材等传统产业绿色化改造。到2025年全省创建省级以上绿色工厂300家以上。加快发展新能源汽车和节能环保装备制造业。（省工业和信息化厅牵头，省发展改革委、省生态环境厅等按职责分工负责）

（二）加快农业绿色发展。深入推进化肥农药减量增效行动，推广测土配方施肥技术。推进秸秆综合利用和畜禽粪污资源化利用。发展生态循环农业，建设绿色有机农产品基地。（省农业农村厅牵头，省林业局等按职责分工负责）

（三）壮大绿色环保产业。做大做强省级环保龙头企业，培育一批专精特新企业。引导企业开展环境污染第三方治理。推行合同能源管理和合同节水管理模式。（省发展改革委牵头，省生态环境厅等按职责分工负责）

二、健全绿色低碳循环发展的流通体系

（四）打造绿色物流。积极调整运输结构，推进铁水、公铁联运。加快发展冷链物流，推广新能源物流车辆。（省交通运输厅牵头，省商务厅等按职责分工负责）
"""

# The same province text after a scrape lost the heading （二）: its sentences and its
# responsibility list now sit under （一）.
PROVINCE_LOST_HEADING = """江西省人民政府关于测试绿色发展的若干措施

为贯彻落实国家部署，结合我省实际，制定如下措施。

一、健全绿色低碳循环发展的生产体系

（一）推进工业绿色转型。推动钢铁、有色、石化、建材等传统产业绿色化改造。到2025年全省创建省级以上绿色工厂300家以上。（省工业和信息化厅牵头，省发展改革委等按职责分工负责）深入推进化肥农药减量增效行动，推广测土配方施肥技术。推进秸秆综合利用和畜禽粪污资源化利用。发展生态循环农业，建设绿色有机农产品基地。（省农业农村厅牵头，省林业局等按职责分工负责）

（三）壮大绿色环保产业。做大做强省级环保龙头企业，培育一批专精特新企业。引导企业开展环境污染第三方治理。（省发展改革委牵头，省生态环境厅等按职责分工负责）

（四）打造绿色物流。积极调整运输结构，推进铁水、公铁联运。加快发展冷链物流，推广新能源物流车辆。（省交通运输厅牵头，省商务厅等按职责分工负责）
"""

CITY_HEAD = "上饶市人民政府关于测试绿色发展的实施方案\n\n为贯彻落实省委省政府部署，结合我市实际，制定本方案。\n\n一、主要任务\n\n"
# City copies of the province measures, each with a clause or a sentence dropped and 省 → 市.
INDUSTRY = (
    "推进工业绿色转型。推动钢铁、有色、建材等传统产业绿色化改造。到2025年全市创建省级以上绿色工厂20家以上。"
    "（市工业和信息化局牵头，市发展改革委、市生态环境局等按职责分工负责）"
)
FARMING = (
    "加快农业绿色发展。深入推进化肥农药减量增效行动。推进秸秆综合利用和畜禽粪污资源化利用。"
    "（市农业农村局牵头，市林业局等按职责分工负责）"
)
ENVIRO = (
    "壮大绿色环保产业。做大做强市级环保龙头企业。引导企业开展环境污染第三方治理。"
    "（市发展改革委牵头，市生态环境局等按职责分工负责）"
)
LOGISTICS = (
    "打造绿色物流。积极调整运输结构，推进铁水联运。加快发展冷链物流，推广新能源物流车辆。"
    "（市交通运输局牵头，市商务局等按职责分工负责）"
)
TOURISM = (
    "推动旅游业绿色发展。依托三清山、婺源等景区打造全域旅游示范区。开发红色旅游精品线路，建设智慧景区。"
    "（市文广新旅局牵头负责）"
)
# Farming and environmental-industry sentences in one city measure.
MERGED = (
    "推动农业和环保产业融合发展。深入推进化肥农药减量增效行动。推进秸秆综合利用和畜禽粪污资源化利用。"
    "做大做强市级环保龙头企业。引导企业开展环境污染第三方治理。（市农业农村局牵头，市发展改革委等按职责分工负责）"
)
# Only the province's preamble (guiding ideology), restated.
IDEOLOGY = "坚定绿色发展理念。坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻新发展理念，统筹推进高质量发展和高水平保护。"

NUMBERS = ["一", "二", "三", "四", "五", "六"]


def city(*measures: str) -> str:
    """A city plan whose measures （一）（二）… are ``measures`` in that order."""
    return CITY_HEAD + "\n\n".join(f"（{n}）{m}" for n, m in zip(NUMBERS, measures)) + "\n"


def align(child_text: str, parent_text: str = PROVINCE):
    """Links by the child's printed number, with both parsed documents."""
    child, parent = parse_text(child_text), parse_text(parent_text)
    links, _ = align_documents(child, parent, "city", "province")
    numbers = {m.key: m.number for m in child.measures}
    return {numbers[link.source_key]: link for link in links}, child, parent


def squash(s: str) -> str:
    return re.sub(r"\s", "", s)


def test_copied_measures_with_edits_align_to_their_parent_with_sentence_evidence():
    links, child, parent = align(city(INDUSTRY, FARMING, ENVIRO, LOGISTICS, TOURISM))
    assert [(n, links[n].target_key, links[n].status) for n in ["一", "二", "三", "四"]] == [
        ("一", "1", "aligned"),
        ("二", "2", "aligned"),
        ("三", "3", "aligned"),
        ("四", "4", "aligned"),
    ]
    child_measures = {m.key: m for m in child.measures}
    parent_measures = {m.key: m for m in parent.measures}
    for n in ["一", "二", "三", "四"]:
        link = links[n]
        assert link.evidence and link.method == "auto" and link.relation == "implements"
        for e in link.evidence:
            assert 0.0 <= e.score <= 1.0
            assert e.source in child_measures[link.source_key].sentences
            assert e.target in parent_measures[link.target_key].sentences
            assert squash(child.raw[e.source.span.start : e.source.span.end]) == squash(e.source.text)
            assert squash(parent.raw[e.target.span.start : e.target.span.end]) == squash(e.target.text)
    # the edited sentence (石化 dropped) is matched to its original, below an exact copy
    pair = {e.source.text: (e.target.text, e.score) for e in links["一"].evidence}
    target, score = pair["推动钢铁、有色、建材等传统产业绿色化改造。"]
    assert target == "推动钢铁、有色、石化、建材等传统产业绿色化改造。" and 0.85 < score < 1.0
    assert dict((e.source.text, e.score) for e in links["二"].evidence)["推进秸秆综合利用和畜禽粪污资源化利用。"] == 1.0


def test_local_measure_without_a_parent_is_unaligned():
    links, _, _ = align(city(INDUSTRY, FARMING, ENVIRO, LOGISTICS, TOURISM))
    tourism = links["五"]
    assert (tourism.target_key, tourism.status) == (None, "unaligned")
    assert tourism.evidence == []
    assert tourism.score < 0.3


def test_reordered_measures_still_find_their_parents():
    links, _, _ = align(city(LOGISTICS, ENVIRO, INDUSTRY, FARMING))
    assert [(links[n].target_key, links[n].status) for n in ["一", "二", "三", "四"]] == [
        ("4", "aligned"),
        ("3", "aligned"),
        ("1", "aligned"),
        ("2", "aligned"),
    ]


def test_merged_measure_links_to_one_parent_and_keeps_the_other_as_runner_up():
    links, _, _ = align(city(INDUSTRY, MERGED, LOGISTICS))
    merged = links["二"]
    assert merged.target_key in {"2", "3"} and merged.status != "unaligned"
    other = ({"2", "3"} - {merged.target_key}).pop()
    runner, runner_score = merged.runners_up[0]
    assert runner == other
    assert runner_score > 2 * max(s for k, s in merged.runners_up[1:])  # far ahead of unrelated measures
    assert (links["一"].target_key, links["三"].target_key) == ("1", "4")
    assert [k for k, _ in merged.also] == [other]  # both parents it draws on are named, primary first


def test_every_link_carries_its_margin_and_its_rank():
    links, _, _ = align(city(INDUSTRY, FARMING, ENVIRO, LOGISTICS, TOURISM))
    for n in ["一", "二", "三", "四"]:
        link = links[n]
        assert link.status == "aligned" and link.rank == 1 and 0.25 <= link.margin <= 1, (n, link)
        assert link.also == []
    tourism = links["五"]
    assert tourism.status == "unaligned" and tourism.margin is not None and tourism.rank >= 1


def test_a_local_measure_with_a_word_of_a_parent_another_child_implements_is_not_linked_to_it():
    # The local measure shares a phrase with parent （一）, which the industry child implements.
    local = (
        "发展全域旅游。推动钢铁企业开放工业旅游景区。依托三清山、婺源等景区打造全域旅游示范区。（市文广新旅局牵头负责）"
    )
    links, _, _ = align(city(INDUSTRY, FARMING, ENVIRO, LOGISTICS, local))
    assert [(links[n].target_key, links[n].status) for n in ["一", "二", "三", "四"]] == [
        ("1", "aligned"),
        ("2", "aligned"),
        ("3", "aligned"),
        ("4", "aligned"),
    ]
    assert (links["五"].target_key, links["五"].status) == (None, "unaligned")


def test_measure_restating_the_preamble_is_not_aligned_to_a_numbered_measure():
    links, _, _ = align(city(IDEOLOGY, INDUSTRY, FARMING, ENVIRO, LOGISTICS))
    ideology = links["一"]
    assert ideology.status != "aligned" and ideology.target_key is None
    assert "preamble" in ideology.comment
    assert all(k != "preamble" for k, _ in ideology.runners_up)
    assert [links[n].target_key for n in ["二", "三", "四", "五"]] == ["1", "2", "3", "4"]


def _agency_parent(first_lead: str, third_lead: str) -> str:
    return f"""江西省人民政府关于测试的若干措施

为贯彻落实国家部署，制定如下措施。

一、主要任务

（一）加强绿色技术推广。推广先进适用的节能降碳技术装备。（{first_lead}牵头，省科技厅等按职责分工负责）

（二）推进资源节约利用。开展重点用能单位节能诊断服务。（省生态环境厅牵头负责）

（三）完善绿色服务体系。建立健全绿色低碳技术服务平台。（{third_lead}牵头，省科技厅等按职责分工负责）
"""


# （二） copies one sentence of parent （一） and one of parent （三） and sits halfway between
# them, so text and order tie; only its lead, 市工业和信息化局, can decide.
AGENCY_CHILD = city(
    "发展全域旅游。建设一批绿色旅游示范景区。（市文广新旅局牵头负责）",
    "强化协同推进。推广先进适用的节能降碳技术装备。建立健全绿色低碳技术服务平台。（市工业和信息化局牵头，市科技局等按职责分工负责）",
    "发展全域旅游。建设一批绿色旅游示范景区。（市文广新旅局牵头负责）",
)


@pytest.mark.parametrize(
    "first_lead, third_lead, expected",
    [
        ("省工业和信息化厅", "省发展改革委", "1"),
        ("省发展改革委", "省工业和信息化厅", "3"),
    ],
)
def test_counterpart_lead_agency_decides_between_equally_similar_parents(first_lead, third_lead, expected):
    links, _, _ = align(AGENCY_CHILD, _agency_parent(first_lead, third_lead))
    link = links["二"]
    # The child draws on both parents alike: the lead agency picks the primary, the other is
    # named in ``also``, and so narrow a margin makes the link weak, not aligned.
    assert (link.target_key, link.status) == (expected, "weak")
    other = "3" if expected == "1" else "1"
    assert link.runners_up[0][0] == other and link.runners_up[0][1] < link.score
    assert [k for k, _ in link.also] == [other] and link.margin < 0.25 and link.rank == 1


def test_measure_copying_a_lost_heading_is_recovered_as_weak():
    links, _, parent = align(city(INDUSTRY, FARMING, ENVIRO, LOGISTICS), PROVINCE_LOST_HEADING)
    assert [m.key for m in parent.measures] == ["1", "3", "4"]
    lost = links["二"]
    assert (lost.target_key, lost.status, lost.recovered) == ("2", "weak", True)
    assert "（二）" in lost.comment and "no heading" in lost.comment
    assert {e.target.text for e in lost.evidence} >= {"推进秸秆综合利用和畜禽粪污资源化利用。"}
    assert [(links[n].target_key, links[n].status, links[n].recovered) for n in ["一", "三", "四"]] == [
        ("1", "aligned", False),
        ("3", "aligned", False),
        ("4", "aligned", False),
    ]


def test_no_recovery_when_the_parent_numbering_has_no_gap():
    links, _, _ = align(city(INDUSTRY, FARMING, ENVIRO, LOGISTICS, TOURISM))
    assert not any(link.recovered for link in links.values())


# --- parent discovery in a tiny corpus ------------------------------------------------------

# Another province's version of the same measures: the same policy in its own wording.
HUNAN = """湖南省人民政府关于测试绿色发展的若干措施

为贯彻落实国家部署，加快建立健全绿色低碳循环发展经济体系，结合我省实际，制定如下措施。

一、健全绿色低碳循环发展的生产体系

（一）推进工业绿色转型。推动钢铁、化工、造纸等行业数字化和智能化改造。到2025年全省创建省级以上绿色工厂200家以上。大力发展工程机械和轨道交通装备制造业。（省工业和信息化厅牵头，省发展改革委、省生态环境厅等按职责分工负责）

（二）加快农业绿色发展。实施化肥农药零增长行动，推广有机肥替代化肥。推进秸秆综合利用和畜禽粪污资源化利用。建设优质农产品供应基地。（省农业农村厅牵头，省林业局等按职责分工负责）

（三）壮大绿色环保产业。做大做强环保装备龙头企业，培育一批环保服务企业。推行环境污染第三方治理。（省发展改革委牵头，省生态环境厅等按职责分工负责）

（四）打造绿色物流。积极调整运输结构，推进铁水、公铁联运。加快发展冷链物流，推广新能源物流车辆。（省交通运输厅牵头，省商务厅等按职责分工负责）
"""

NATIONAL = """国务院关于测试绿色发展的指导意见

一、健全绿色低碳循环发展的生产体系

（一）推进工业绿色升级。加快实施钢铁、石化、化工、有色、建材、纺织、造纸、皮革等行业绿色化改造。推行产品绿色设计，建设绿色制造体系。（工业和信息化部牵头）

（二）加快农业绿色发展。鼓励发展生态种植、生态养殖，加强绿色食品、有机农产品认证和管理。推进农业废弃物资源化利用。（农业农村部牵头）
"""

REGISTRY = """documents:
  - {id: china, file: china.txt, title: 国务院关于测试绿色发展的指导意见, level: national, region: 中华人民共和国}
  - {id: jiangxi, file: jiangxi.txt, title: 江西省人民政府关于测试绿色发展的若干措施, level: provincial, region: 江西省}
  - {id: hunan, file: hunan.txt, title: 湖南省人民政府关于测试绿色发展的若干措施, level: provincial, region: 湖南省}
  - {id: shangrao, file: shangrao.txt, title: 上饶市人民政府关于测试绿色发展的实施方案, level: municipal, region: 上饶市}
  - {id: nanchang, file: nanchang.txt, title: 南昌市人民政府关于测试绿色发展的实施方案, level: municipal, region: 南昌市,
     implements: [jiangxi]}
"""


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    """上饶 copies 江西's measures but declares no parent; 南昌 declares 江西; 湖南 words the
    same policy its own way; the national guidance has text too."""
    texts = {
        "china.txt": NATIONAL,
        "jiangxi.txt": PROVINCE,
        "hunan.txt": HUNAN,
        "shangrao.txt": city(INDUSTRY, FARMING, ENVIRO, LOGISTICS, TOURISM),
        "nanchang.txt": city(FARMING, INDUSTRY, LOGISTICS).replace("上饶市", "南昌市"),
    }
    return write_corpus(tmp_path_factory.mktemp("discovery"), texts, REGISTRY)


@pytest.fixture(scope="module")
def discovered(small_corpus):
    return align_corpus(process(small_corpus))


def test_child_without_a_declared_parent_finds_the_province_it_copies(discovered):
    (parent,) = discovered.discovered["shangrao"]
    assert parent.doc == "jiangxi" and 0 < parent.support <= 1 and 0.5 < parent.similarity <= 1
    (pair,) = [p for p in discovered.pairs if p.source.id == "shangrao"]
    assert (pair.target.id, pair.relation, pair.discovered) == ("jiangxi", "implements", True)
    assert pair.support == parent.support
    targets = {link.source_key: link.target_key for link in pair.links}
    assert targets == {"1": "1", "2": "2", "3": "3", "4": "4", "5": None}
    assert all(link.discovered for link in pair.links)


def test_a_national_document_is_never_given_a_parent(discovered):
    assert "china" not in discovered.discovered
    assert not [p for p in discovered.pairs if p.source.id == "china"]


def test_declared_parents_are_aligned_as_before_and_not_marked(discovered):
    (pair,) = [p for p in discovered.pairs if p.source.id == "nanchang"]
    assert (pair.target.id, pair.discovered, pair.support) == ("jiangxi", False, None)
    assert not any(link.discovered for link in pair.links) and "nanchang" not in discovered.discovered


def test_documents_too_unlike_any_higher_one_get_no_parent(discovered):
    # the provinces were searched (the national guidance has text) but do not copy it
    assert discovered.discovered["jiangxi"] == discovered.discovered["hunan"] == []
    assert not [p for p in discovered.pairs if p.source.id in ("jiangxi", "hunan")]


def test_discovery_off_gives_no_links_for_undeclared_documents(small_corpus, discovered):
    off = align_corpus(process(small_corpus), discover=False)
    assert off.discovered == {}
    assert {p.source.id for p in off.pairs} == {"nanchang"}
    assert align_records(off) == [r for r in align_records(discovered) if r["source_doc"] == "nanchang"]


def test_pairs_scored_count_the_shortlisted_documents_discovery_rejects(small_corpus, discovered):
    kept = sum(p.scores.pairs_scored for p in discovered.pairs)
    assert discovered.discovered["jiangxi"] == [] and discovered.pairs_scored > kept  # compared, none kept
    off = align_corpus(process(small_corpus), discover=False)
    assert off.pairs_scored == sum(p.scores.pairs_scored for p in off.pairs) > 0


def test_discovery_in_two_processes_gives_the_same_records(small_corpus, discovered):
    assert align_records(align_corpus(process(small_corpus), workers=2)) == align_records(discovered)


def test_align_cli_marks_discovered_links_and_says_how_many_children_had_parents_found(small_corpus):
    r = CliRunner().invoke(main, ["--data", str(small_corpus), "align", "--format", "jsonl"])
    assert r.exit_code == 0, r.output
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    shangrao = [x for x in recs if x["source_doc"] == "shangrao"]
    assert len(shangrao) == 5 and all(x["discovered"] and x["target_doc"] == "jiangxi" for x in shangrao)
    assert all(0 < x["discovery_support"] <= 1 for x in shangrao)
    assert all(not x["discovered"] and x["discovery_support"] is None for x in recs if x["source_doc"] == "nanchang")
    assert (
        "note: parents discovered for 1 of 3 documents that declare none "
        "(5 links marked discovered; --no-discover to skip)"
    ) in r.stderr


def test_align_cli_no_discover_aligns_declared_parents_only(small_corpus):
    r = CliRunner().invoke(main, ["--data", str(small_corpus), "align", "--no-discover", "--format", "jsonl"])
    assert r.exit_code == 0, r.output
    assert {json.loads(line)["source_doc"] for line in r.stdout.splitlines()} == {"nanchang"}
    assert "discovered" not in r.stderr


# --- the real corpus -----------------------------------------------------------------------

SHANGRAO_ID, JIANGXI_ID, JILIN_ID = (
    "shangrao-2022-green-economy",
    "jiangxi-2021-green-economy",
    "jilin-2021-green-economy",
)
CONTRACT = {
    "source_doc",
    "source_doc_title",
    "source_measure",
    "source_number",
    "source_title",
    "source_text",
    "target_doc",
    "target_doc_title",
    "target_measure",
    "target_number",
    "target_title",
    "target_text",
    "score",
    "status",
    "method",
    "evidence",
}


def run(*args):
    return CliRunner().invoke(main, ["--data", str(DATA), *args])


@pytest.fixture(scope="module")
def processed(corpus):
    return load_registry(DATA), corpus


@pytest.fixture(scope="module")
def shangrao_jsonl():
    r = run("align", "--format", "jsonl")
    assert r.exit_code == 0, r.output
    return [json.loads(line) for line in r.stdout.splitlines()]


@pytest.fixture(scope="module")
def shangrao_by_number(shangrao_jsonl):
    return {r["source_number"]: r for r in shangrao_jsonl if r["source_doc"] == SHANGRAO_ID}


def test_align_jsonl_has_one_contract_record_per_shangrao_measure(shangrao_jsonl, docs_by_id):
    recs = [r for r in shangrao_jsonl if r["source_doc"] == SHANGRAO_ID]
    assert [r["source_number"] for r in recs] == [m.number for m in docs_by_id[SHANGRAO_ID].measures]
    assert len(recs) == 23
    for r in recs:
        assert set(r) >= CONTRACT, CONTRACT - set(r)
        assert r["target_doc"] == JIANGXI_ID and r["status"] in {"aligned", "weak", "unaligned"}
        assert r["method"] in {"auto", "curated"} and 0.0 <= r["score"] <= 1.0
        assert (r["target_measure"] is None) == (r["status"] == "unaligned")
        for e in r["evidence"]:
            assert set(e) >= {"source_sentence", "target_sentence", "score"} and 0.0 <= e["score"] <= 1.0


def test_real_evidence_spans_point_at_both_texts(shangrao_jsonl, docs_by_id):
    child, parent = docs_by_id[SHANGRAO_ID], docs_by_id[JIANGXI_ID]
    evidence = [e for r in shangrao_jsonl if r["source_doc"] == SHANGRAO_ID for e in r["evidence"]]
    assert len(evidence) > 20
    for e in evidence:
        (a, b), (c, d) = e["source_span"], e["target_span"]
        assert squash(child.raw[a:b]) == squash(e["source_sentence"])
        assert squash(parent.raw[c:d]) == squash(e["target_sentence"])


def test_shangrao_industry_measure_aligns_to_jiangxi_first(shangrao_by_number):
    r = shangrao_by_number["二"]
    assert (r["target_number"], r["status"]) == ("一", "aligned")
    assert r["source_title"] == r["target_title"] == "推进工业绿色转型"
    assert r["evidence"]


def test_shangrao_guiding_ideology_and_green_tourism_are_not_aligned(shangrao_by_number):
    for number in ["一", "四"]:
        r = shangrao_by_number[number]
        assert r["status"] != "aligned" and r["target_measure"] is None, number


def test_align_table_shows_one_row_per_child_measure(shangrao_by_number):
    r = run("align", "--format", "table")
    assert r.exit_code == 0, r.output
    rows = [line for line in r.stdout.splitlines() if SHANGRAO_ID in line]
    assert len(rows) == 23
    header = next(line for line in r.stdout.splitlines() if "source_doc" in line)
    assert "child" in header and "parent" in header and "→" not in r.stdout
    assert "（二）推进工业绿色转型" in rows[1] and "（一）推进工业绿色转型" in rows[1]
    assert "（四）推动旅游业绿色发展" in rows[3] and "—" in rows[3]


def test_two_provinces_named_on_the_command_line_are_aligned_as_peers():
    r = run("align", "--source", JILIN_ID, "--target", JIANGXI_ID, "--format", "jsonl")
    assert r.exit_code == 0, r.output
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(recs) == 27
    assert {(x["source_doc"], x["target_doc"], x["relation"]) for x in recs} == {(JILIN_ID, JIANGXI_ID, "peer")}
    assert len({x["source_measure"] for x in recs}) == 27


def test_unknown_source_is_a_one_line_error():
    r = run("align", "--source", "no-such-doc")
    assert r.exit_code != 0
    assert r.output.startswith("Error: ") and r.output.count("\n") == 1
    assert "no-such-doc" in r.output and "Traceback" not in r.output


def test_aligning_twice_gives_identical_records(processed):
    first = align_records(align_corpus(processed))
    again = align_records(align_corpus(process(DATA)))  # parsed afresh
    assert first and json.dumps(first, ensure_ascii=False) == json.dumps(again, ensure_ascii=False)


def test_aligning_in_two_processes_gives_the_same_records_and_scores(processed):
    one = align_corpus(processed)
    two = align_corpus(processed, workers=2)
    assert align_records(two) == align_records(one)
    # The scores come back bound to this process's documents, so records can cite them.
    for a, b in zip(one.pairs, two.pairs):
        assert b.scores.child is a.scores.child and [u.key for u in b.scores.units] == [u.key for u in a.scores.units]
        assert (b.scores.score == a.scores.score).all()


# --- peer provinces on the shared PDFs ----------------------------------------------------

SHARED_PDF = DATA.parent.parent / "shared" / "corpora" / "dual-carbon" / "pdf"
# 吉林 (PDF 243) measure -> 江西 (PDF 89) measure, by reading both texts; None: no counterpart
# (指导思想, 主要目标, 节能, 碳达峰). 二十 (技术研发和成果转化) merges 江西 （十四） and （十五）.
JILIN_TO_JIANGXI = {
    1: None,
    2: None,
    3: 1,
    4: 2,
    5: 3,
    6: 4,
    7: 5,
    8: 6,
    9: 7,
    10: 8,
    11: 9,
    12: 10,
    13: None,
    14: 11,
    15: 11,
    16: 12,
    17: 13,
    18: 12,
    19: None,
    20: 14,
    21: 18,
    22: 18,
    23: 16,
    24: 18,
    25: 17,
    26: 20,
    27: 21,
}


@pytest.mark.skipif(not SHARED_PDF.is_dir(), reason="shared corpus ../shared/corpora/dual-carbon is absent")
def test_paraphrasing_peer_provinces_are_aligned_without_a_confident_wrong_link(tmp_path):
    for n in ("243", "89"):
        (pdf,) = SHARED_PDF.glob(f"{n}、*.pdf")
        (tmp_path / pdf.name).symlink_to(pdf)
    registry, results = process(tmp_path)
    ids = {e.id[:2]: e.id for e in registry.entries}
    alignment = align_corpus((registry, results), ids["吉林"], ids["江西"], overrides=False)
    (pair,) = alignment.pairs
    assert pair.relation == "peer" and pair.scores.copy_rate < 0.2  # rewritten, not copied
    links = {int(l.source_key): l for l in pair.links}
    right = [
        k for k, g in JILIN_TO_JIANGXI.items() if g and links[k].status == "aligned" and links[k].target_key == str(g)
    ]
    wrong = [
        k
        for k, l in links.items()
        if l.status == "aligned" and str(JILIN_TO_JIANGXI[k]) not in [l.target_key, *(a for a, _ in l.also)]
    ]
    assert len(right) >= 18 and wrong == [], (right, wrong)
    assert (links[10].target_key, links[10].status) == ("8", "aligned")  # 打造 / 建立绿色贸易体系
    assert (links[23].target_key, links[23].status) == ("16", "aligned")  # 发展绿色金融 / 大力发展绿色金融
