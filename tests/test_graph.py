"""The graph of the seed corpus: stable IRIs, provenance spans, alignment as plain triple and
qualified node, and SHACL shapes that catch what they promise to."""

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_isomorphic

from kg.core.errors import GraphInvalid
from kg.core.model import Link
from kg.pipeline import build_graph
from kg.rdf.graph import agency_iri, doc_iri, function_iri, make_graph, measure_iri, region_iri
from kg.rdf.validate import validate
from kg.rdf.vocab import ELI, ORG, PKG, RDF, SDO, SKOS

from .conftest import JIANGXI_ID, SHANGRAO_ID

SR2, JX1 = measure_iri(SHANGRAO_ID, "2"), measure_iri(JIANGXI_ID, "1")


@pytest.fixture(scope="module")
def graph(processed, links):
    registry, results = processed
    return make_graph(registry, results, links)


@pytest.fixture(scope="module")
def small(processed):
    """Only 上饶's text (the other documents by their registry entries): quick to validate again and again."""
    from kg.corpus import Processed

    registry, results = processed
    return registry, [p if p.entry.id == SHANGRAO_ID else Processed(p.entry) for p in results]


def test_seed_graph_conforms_to_the_shapes(graph):
    validate(graph)


def test_iris_are_readable_and_the_same_on_every_build(graph, processed, links):
    assert str(SR2) == "https://w3id.org/policy-kg/id/doc/shangrao-2022-green-economy/measure/2"
    assert (SR2, RDF.type, PKG.Measure) in graph
    assert (SR2, PKG.key, Literal("2")) in graph and (SR2, ELI.number, Literal("二")) in graph
    again = make_graph(*processed, links)
    assert to_isomorphic(again) == to_isomorphic(graph)
    assert not any(isinstance(t, type(None)) for t in graph.all_nodes())
    assert all(isinstance(s, URIRef) for s in graph.subjects()), "no blank nodes"


def test_measure_belongs_to_its_document_and_section(graph):
    assert (SR2, ELI.is_part_of, doc_iri(SHANGRAO_ID)) in graph
    section = graph.value(SR2, PKG.inSection)
    assert (section, ELI.is_part_of, doc_iri(SHANGRAO_ID)) in graph and (section, ELI.number, Literal("二")) in graph


def test_every_span_points_into_its_document_raw_text(graph, docs_by_id):
    raw = {str(doc_iri(i)): d.raw for i, d in docs_by_id.items() if d}
    checked = 0
    for node in set(graph.subjects(PKG.charStart)):
        doc = str(graph.value(node, PKG.extractedFrom))
        start, end = int(graph.value(node, PKG.charStart)), int(graph.value(node, PKG.charEnd))
        assert 0 <= start < end <= len(raw[doc]), node
        printed = graph.value(node, PKG.printedName)
        if printed is not None:  # a responsibility's span is exactly the agency name as printed
            assert "".join(raw[doc][start:end].split()) == str(printed)
            checked += 1
    assert checked == sum(len(m.agencies) for d in docs_by_id.values() if d for m in d.measures)


def test_responsibility_is_qualified_and_plain(graph):
    lead = agency_iri("市工业和信息化局", "361100")
    assert (SR2, PKG.leadAgency, lead) in graph and (SR2, ELI.responsibility_of, lead) in graph
    r1 = URIRef(f"{SR2}/responsibility/1")
    assert (SR2, PKG.hasResponsibility, r1) in graph
    assert (r1, PKG.agency, lead) in graph and (r1, PKG.role, PKG.lead) in graph and (r1, PKG.rank, Literal(1)) in graph


def test_regions_nest_china_jiangxi_shangrao(graph):
    shangrao, jiangxi, china = region_iri("361100"), region_iri("360000"), region_iri("100000")
    assert (doc_iri(SHANGRAO_ID), PKG.level, PKG.municipal) in graph
    assert (shangrao, SDO.containedInPlace, jiangxi) in graph and (jiangxi, SDO.containedInPlace, china) in graph
    assert (shangrao, SDO.identifier, Literal("361100")) in graph and (
        shangrao,
        RDF.type,
        SDO.AdministrativeArea,
    ) in graph


def test_agencies_know_their_counterpart_and_government(graph):
    city, province = agency_iri("市生态环境局", "361100"), agency_iri("省生态环境厅", "360000")
    assert (city, PKG.counterpart, province) in graph
    assert (province, ORG.subOrganizationOf, agency_iri("省人民政府", "360000")) in graph
    assert (city, RDF.type, ORG.Organization) in graph


def test_agencies_state_their_function_as_a_concept_shared_across_levels(graph):
    city, province = agency_iri("市生态环境局", "361100"), agency_iri("省生态环境厅", "360000")
    function = URIRef(function_iri("ecology_environment"))
    assert (city, PKG.function, function) in graph and (province, PKG.function, function) in graph
    assert (function, SKOS.inScheme, PKG.AgencyFunctions) in graph
    assert (function, SKOS.prefLabel, Literal("生态环境", lang="zh")) in graph


def test_aligned_and_curated_links_are_plain_implements_weak_ones_are_not(graph):
    assert (SR2, ELI.implements, JX1) in graph
    assert (measure_iri(SHANGRAO_ID, "8"), ELI.implements, measure_iri(JIANGXI_ID, "6")) in graph  # curated
    assert not list(graph.objects(measure_iri(SHANGRAO_ID, "4"), ELI.implements))  # weak
    assert (measure_iri("jilin-2021-green-economy", "1"), PKG.correspondsTo, JX1) in graph  # peer
    assert not list(graph.objects(measure_iri("jilin-2021-green-economy", "1"), ELI.implements))


def test_a_discovered_parent_is_stated_between_the_documents(processed):
    from kg.corpus import Processed

    registry, results = processed
    jilin = "jilin-2021-green-economy"  # declares only the national guidance
    two = [p if p.entry.id in (jilin, JIANGXI_ID) else Processed(p.entry) for p in results]
    g = make_graph(registry, two, [Link(jilin, "1", JIANGXI_ID, "1", 0.8, "aligned", discovered=True)])
    assert (doc_iri(jilin), PKG.parentDiscovered, doc_iri(JIANGXI_ID)) in g
    assert (doc_iri(jilin), ELI.implements, doc_iri(JIANGXI_ID)) in g
    assert (doc_iri(SHANGRAO_ID), PKG.parentDiscovered, None) not in g  # declared parents are not "discovered"
    validate(g)


def test_every_link_has_a_qualified_alignment_node(graph, links):
    assert len(set(graph.subjects(RDF.type, PKG.Alignment))) == len(links)
    a = URIRef(f"{SR2}/alignment/{JIANGXI_ID}")
    assert graph.value(a, PKG.status) == PKG.aligned and graph.value(a, PKG.targetMeasure) == JX1
    assert float(graph.value(a, PKG.score)) == pytest.approx(0.91)
    assert graph.value(a, PKG.method) == PKG.auto and graph.value(a, PKG.relation) == PKG.implementation
    activity = graph.value(a, URIRef("http://www.w3.org/ns/prov#wasGeneratedBy"))
    assert activity is not None and (activity, RDF.type, URIRef("http://www.w3.org/ns/prov#Activity")) in graph
    runner = graph.value(a, PKG.runnerUp)
    assert graph.value(runner, PKG.targetMeasure) == measure_iri(JIANGXI_ID, "8")
    unaligned = URIRef(f"{measure_iri(SHANGRAO_ID, '1')}/alignment/{JIANGXI_ID}")
    assert graph.value(unaligned, PKG.status) == PKG.unaligned and graph.value(unaligned, PKG.targetMeasure) is None


def test_evidence_names_the_sentences_and_their_spans(graph, links, docs_by_id):
    a = URIRef(f"{SR2}/alignment/{JIANGXI_ID}")
    evidence = graph.value(a, PKG.hasEvidence)
    source, target = graph.value(evidence, PKG.sourceSentence), graph.value(evidence, PKG.targetSentence)
    assert source == URIRef(f"{SR2}/sentence/1") and target == URIRef(f"{JX1}/sentence/1")
    sentence = next(m for m in docs_by_id[JIANGXI_ID].measures if m.key == "1").sentences[0]
    assert int(graph.value(target, PKG.charStart)) == sentence.span.start
    assert graph.value(target, PKG.extractedFrom) == doc_iri(JIANGXI_ID)


def test_shapes_reject_a_score_outside_0_1(small):
    link = Link(SHANGRAO_ID, "2", SHANGRAO_ID, "3", 1.5, "aligned", relation="peer")
    with pytest.raises(GraphInvalid, match=r"alignment/.*score in \[0, 1\]|score"):
        validate(make_graph(*small, [link]))


def test_shapes_reject_an_unaligned_link_with_a_target(small):
    with pytest.raises(GraphInvalid, match="unaligned"):
        validate(make_graph(*small, [Link(SHANGRAO_ID, "2", SHANGRAO_ID, "3", 0.1, "unaligned", relation="peer")]))


def test_shapes_reject_an_aligned_link_without_a_target(small):
    with pytest.raises(GraphInvalid, match="an aligned or weak one has exactly one"):
        validate(make_graph(*small, [Link(SHANGRAO_ID, "2", SHANGRAO_ID, None, 0.9, "aligned", relation="peer")]))


def test_shapes_reject_a_lost_heading_flag_that_is_not_true(small):
    g = make_graph(*small)
    lost = measure_iri(SHANGRAO_ID, "99")
    for p, o in [
        (RDF.type, PKG.Measure),
        (ELI.is_part_of, doc_iri(SHANGRAO_ID)),
        (ELI.number, Literal("九十九")),
        (PKG.key, Literal("99")),
        (PKG.index, Literal(99)),
        (PKG.headingLost, Literal(False)),
    ]:
        g.add((lost, p, o))
    with pytest.raises(GraphInvalid, match="headingLost is stated only as true"):
        validate(g)


def test_shapes_reject_a_link_to_a_measure_that_does_not_exist(small):
    with pytest.raises(GraphInvalid, match="targetMeasure"):
        validate(make_graph(*small, [Link(SHANGRAO_ID, "2", SHANGRAO_ID, "99", 0.9, "aligned", relation="peer")]))


@pytest.mark.parametrize(
    "node_suffix, predicate, message",
    [
        ("/measure/2", (PKG.text, ELI.title), "a measure has text or a title"),
        ("/measure/2/sentence/1", PKG.charStart, "an extracted fact carries its source span"),
        ("/measure/2", ELI.number, "printed number"),
        ("/measure/2", ELI.is_part_of, "belongs to exactly one document"),
        ("/measure/2/responsibility/1", PKG.role, "lead or support"),
        ("/measure/2/responsibility/1", PKG.agency, "names exactly one agency"),
        ("", PKG.level, "administrative level"),
        ("", URIRef("http://purl.org/dc/terms/spatial"), "region"),
    ],
)
def test_shapes_reject_a_missing_fact(small, node_suffix, predicate, message):
    g: Graph = make_graph(*small)
    validate(g)
    node = URIRef(f"{doc_iri(SHANGRAO_ID)}{node_suffix}")
    for p in predicate if isinstance(predicate, tuple) else (predicate,):
        assert (node, p, None) in g
        g.remove((node, p, None))
    with pytest.raises(GraphInvalid, match=message):
        validate(g)


REPEATING = """上饶市人民政府印发关于测试的实施方案的通知

一、重点任务

（一）推进工业绿色转型。建立项目库，实行清单化管理、销号式推进。（市工信局负责）

（二）打造特色文旅品牌。建立项目库，实行清单化管理、销号式推进。（市文广新旅局负责）
"""


def test_a_measure_whose_whole_body_repeats_earlier_text_keeps_its_title(tmp_path):

    from .conftest import write_corpus

    data = write_corpus(
        tmp_path,
        {"rep.txt": REPEATING},
        """documents:
  - id: rep-2022
    file: rep.txt
    title: 上饶市人民政府印发关于测试的实施方案的通知
    level: municipal
    region: 上饶市
""",
    )
    summary = build_graph(data, tmp_path / "build")  # validates
    g = Graph().parse(tmp_path / "build" / "graph.nt", format="nt")
    second = measure_iri("rep-2022", "2")
    assert (second, ELI.title, Literal("打造特色文旅品牌", lang="zh")) in g and (second, PKG.text, None) not in g
    assert (second, PKG.charStart, None) in g and summary.triples == len(g)
    warning = [str(m) for m in g.objects(None, PKG.message) if "repeats text" in str(m)]
    assert warning and "（二）" in warning[0]


def test_unaligned_link_keeps_its_evidence_under_the_target_document(small, docs_by_id):
    from kg.core.model import Evidence

    sr = docs_by_id[SHANGRAO_ID].measures
    link = Link(
        SHANGRAO_ID,
        "1",
        SHANGRAO_ID,
        None,
        0.2,
        "unaligned",
        relation="peer",
        evidence=[Evidence(sr[0].sentences[0], sr[5].sentences[0], 0.2)],
    )
    g = make_graph(*small, [link])
    validate(g)
    target = URIRef(f"{doc_iri(SHANGRAO_ID)}/chars/{sr[5].sentences[0].span.start}-{sr[5].sentences[0].span.end}")
    assert (None, PKG.targetSentence, target) in g and (target, PKG.extractedFrom, doc_iri(SHANGRAO_ID)) in g


def test_an_internal_division_is_part_of_the_department_that_issued_the_plan(tmp_path):
    """责任处室：气候处 in a 省生态环境厅 plan: the division is a sub-organisation of that department."""
    from rdflib import Graph, URIRef

    from kg.rdf.iris import agency_iri

    text = (
        "江苏省生态环境厅关于印发2021年工作计划的通知\n\n一、重点任务\n\n（一）推进碳达峰。编制行动方案。\n"
        "责任处室：气候处\n\n（二）加强监测。开展碳监测试点。\n责任处室：监测处\n"
    )
    (tmp_path / "plan.txt").write_text(text, encoding="utf-8")
    built = build_graph(tmp_path, tmp_path / "build", workers=1)
    g = Graph().parse(built.out / "graph.nt")
    division = agency_iri("省生态环境厅气候处", "320000")
    parent = agency_iri("省生态环境厅", "320000")
    assert (division, URIRef("http://www.w3.org/ns/org#subOrganizationOf"), parent) in g


def test_margin_rank_and_secondary_parents_are_stated_and_shaped(small):
    link = Link(
        SHANGRAO_ID, "2", SHANGRAO_ID, "3", 0.8, "aligned", relation="peer", margin=0.4, rank=1, also=[("4", 0.35)]
    )
    g = make_graph(*small, [link])
    validate(g)
    (node,) = g.subjects(RDF.type, PKG.Alignment)
    assert float(g.value(node, PKG.margin)) == pytest.approx(0.4) and int(g.value(node, PKG.childRank)) == 1
    also = g.value(node, PKG.secondaryParent)
    assert g.value(also, PKG.targetMeasure) == measure_iri(SHANGRAO_ID, "4")
    assert float(g.value(also, PKG.score)) == pytest.approx(0.35)


def test_shapes_reject_a_margin_outside_0_1(small):
    link = Link(SHANGRAO_ID, "2", SHANGRAO_ID, "3", 0.8, "aligned", relation="peer", margin=1.5, rank=1)
    with pytest.raises(GraphInvalid, match="margin"):
        validate(make_graph(*small, [link]))
