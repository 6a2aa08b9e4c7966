"""How a government rewrites a higher-level document into its own: the edits of
``bench/generate.py``'s synthetic corpora (drop, merge, split and reorder measures,
paraphrase sentences, swap agencies and region names, add local measures) and the
rendering of the result as a policy text with its ground truth.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Optional

from kg.core.model import Document

# Probabilities of the edits a government makes to its parent's measures.

P_DROP, P_MERGE, P_SPLIT, P_SWAP = 0.15, 0.08, 0.08, 0.08
P_DROP_SENTENCE, P_DROP_CLAUSE, P_LOCAL_SENTENCE, P_SUBSTITUTE = 0.15, 0.3, 0.15, 0.5
LEVEL_SUBSTITUTIONS = [("全省", "全市"), ("我省", "我市"), ("省级", "市级"), ("各地", "各县（市、区）")]
SUBSTITUTIONS = LEVEL_SUBSTITUTIONS + [
    ("推进", "推动"),
    ("加强", "强化"),
    ("加快", "加速"),
    ("积极", "大力"),
    ("鼓励", "支持"),
    ("进一步", "持续"),
    ("建立健全", "健全完善"),
    ("着力", "重点"),
]
LOCAL_TITLES = [
    "打造{s}特色文旅品牌",
    "发展{s}夜间消费经济",
    "建设{s}智慧停车系统",
    "推进{s}老旧小区适老化改造",
    "擦亮{s}非遗工坊名片",
    "办好{s}马拉松等群众赛事",
    "建设{s}校园足球特色学校",
    "开展{s}社区食堂试点",
    "完善{s}便民菜市场布局",
    "提升{s}政务服务一网通办水平",
    "培育{s}乡村民宿集群",
    "建设{s}城市书房",
]
LOCAL_SENTENCES = [
    "到{y}年，{s}建成城市书房和社区食堂各{n}个。",
    "每年举办{s}特色节会活动不少于{n}场。",
    "支持{s}各县（区）结合本地实际，打造一批网红打卡点和特色街区。",
    "由{lv}级财政每年安排专项资金{n}00万元，对示范项目给予奖补。",
    "在主城区新增公共停车泊位{n}000个，推广无感支付和错峰共享。",
    "建立{s}项目库，实行清单化管理、销号式推进。",
]
LOCAL_LINE = "{c}将结合本地实际，围绕{t}每年滚动实施一批重点项目。"


@dataclass
class ChildMeasure:
    title: str
    sentences: list[str]
    agencies: list[str]  # agency names as the issuer prints them, lead first
    section: str  # title of the parent section it sits under (or the local section)
    parent_key: Optional[str]  # ground truth; None for a local measure


@dataclass
class City:
    name: str
    short: str
    province: str


@dataclass
class Province:
    name: str
    short: str
    code: str
    cities: list[City] = field(default_factory=list)


@dataclass
class Child:
    """A document written from a parent: a city plan, or a province's version of a real
    provincial document (``city`` is then the Province)."""

    id: str
    parent: str
    city: City | Province
    year: int
    measures: list[ChildMeasure] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    level: str = "municipal"


def _city_name(name: str, table: dict[str, str]) -> str:
    return table.get(name) or re.sub(r"^省", "市", name)


def paraphrase(rng: random.Random, sentence: str, substitutions=SUBSTITUTIONS) -> str:
    """Delete a middle clause and substitute phrases, as a city plan rewords its parent."""
    clauses = sentence.split("，")
    if len(clauses) >= 3 and rng.random() < P_DROP_CLAUSE:
        del clauses[rng.randrange(1, len(clauses) - 1)]
    s = "，".join(clauses)
    for old, new in substitutions:
        if old in s and rng.random() < P_SUBSTITUTE:
            s = s.replace(old, new, 1)
    return s


def _split_title(sentence: str) -> str:
    head = re.split(r"[，。；]", sentence)[0]
    return head[:16] or "深化重点工作"


def _child_measures(
    rng: random.Random, parent: Document, city: City | Province, table: Optional[dict[str, str]]
) -> list[ChildMeasure]:
    """The parent's measures as ``city`` rewrites them; ``table`` maps provincial agencies
    to city ones (None: a province's version, which keeps the level and its agencies and
    adds no local measures)."""
    sections = {s.number: s.title for s in parent.sections}
    substitutions = SUBSTITUTIONS if table is not None else SUBSTITUTIONS[len(LEVEL_SUBSTITUTIONS) :]
    level = "市" if table is not None else "省"
    src = list(parent.measures)
    out: list[ChildMeasure] = []
    i = 0
    while i < len(src):
        m = src[i]
        i += 1
        if rng.random() < P_DROP or not m.sentences:
            continue
        sents = [x.text for x in m.sentences]
        if i < len(src) and src[i].sentences and rng.random() < P_MERGE:  # merge the next measure in
            sents += [x.text for x in src[i].sentences]
            i += 1
        kept = [s for s in sents if rng.random() >= P_DROP_SENTENCE] or sents[:1]
        kept = [paraphrase(rng, s, substitutions) for s in kept]
        if table is not None and rng.random() < P_LOCAL_SENTENCE:
            kept.insert(rng.randrange(len(kept) + 1), LOCAL_LINE.format(c=city.name, t=m.title))
        agencies = [_city_name(a.name, table) if table is not None else a.name for a in m.agencies if not a.generic]
        section = sections.get(m.section or "", "重点任务")
        if len(kept) >= 4 and rng.random() < P_SPLIT:
            half = len(kept) // 2
            out.append(ChildMeasure(m.title, kept[:half], agencies, section, m.key))
            out.append(ChildMeasure(_split_title(kept[half]), kept[half:], agencies[:1], section, m.key))
        else:
            out.append(ChildMeasure(m.title, kept, agencies, section, m.key))
    for k in range(len(out) - 1):  # a few measures move one place
        if rng.random() < P_SWAP and out[k].section == out[k + 1].section:
            out[k], out[k + 1] = out[k + 1], out[k]
    # A city's own additions; a province's version keeps to the national policy (the
    # templates would otherwise make every version look like the source of a city's).
    for title in rng.sample(LOCAL_TITLES, rng.randrange(0, 4) if table is not None else 0):
        sentences = [
            t.format(s=city.short, y=rng.choice((2025, 2026, 2027)), n=rng.randrange(2, 9), lv=level)
            for t in rng.sample(LOCAL_SENTENCES, 2)
        ]
        local = ChildMeasure(title.format(s=city.short), sentences, [f"{level}人民政府"], "", None)
        out.insert(rng.randrange(len(out) + 1), local)
    return out


def _responsibility(rng: random.Random, agencies: list[str], page_break: bool) -> str:
    if not agencies:
        return ""
    names = list(dict.fromkeys(agencies))
    if page_break:  # a page end inside an agency name, as in the seed: 市\n\n市场监管局
        k = rng.randrange(len(names))
        names[k] = names[k][:1] + "\n\n" + names[k][1:]
    lead, rest = names[0], names[1:]
    if not rest:
        return f"（{lead}{rng.choice(('牵头负责', '负责'))}）"
    return (
        f"（{lead}牵头，{'、'.join(rest)}等按职责分工负责）"
        if rng.random() < 0.7
        else f"（{'、'.join(names)}等按职责分工负责）"
    )


def _region_names(rng: random.Random, source: Province, target: Province) -> list[tuple[str, str]]:
    """(old, new) replacements that move a text from ``source`` province to ``target``:
    the source's cities become (shuffled) cities of the target, then the province's names."""
    cities = list(target.cities)
    rng.shuffle(cities)
    pairs = [(c.name, cities[k % len(cities)].name) for k, c in enumerate(source.cities)]
    pairs += [(source.name, target.name), (source.short, target.short)]
    pairs += [(c.short, cities[k % len(cities)].short) for k, c in enumerate(source.cities) if len(c.short) >= 2]
    return pairs


def _swap(text: str, pairs: list[tuple[str, str]]) -> str:
    for old, new in pairs:
        text = text.replace(old, new)
    return text


def make_version(
    rng: random.Random, doc_id: str, source_id: str, source: Document, origin: Province, province: Province, year: int
) -> Child:
    """``province``'s version of the real provincial document ``source`` (issued by ``origin``)."""
    version = Child(doc_id, source_id, province, year, level="provincial")
    names = _region_names(rng, origin, province)
    version.measures = [
        ChildMeasure(
            _swap(m.title, names),
            [_swap(s, names) for s in m.sentences],
            [_swap(a, names) for a in m.agencies],
            m.section,
            m.parent_key,
        )
        for m in _child_measures(rng, source, province, None)
    ]
    return version


def render(rng: random.Random, child: Child, parent_entry, plan: str) -> tuple[str, list[tuple[str, Optional[str]]]]:
    """The child's text and its ground truth [(child key, parent key or None)].
    ``parent_entry``: what the text cites (.title, .doc_number; None: no document),
    ``plan``: the title of the plan it issues."""
    city = child.city
    here, down = ("市", "各县（市、区）人民政府") if child.level == "municipal" else ("省", "各设区市人民政府")
    title = f"{city.name}人民政府关于印发{city.name}{plan}的通知"
    cited = (
        "党中央、国务院决策部署"
        if parent_entry is None
        else f"《{parent_entry.title}》" + (f"（{parent_entry.doc_number}）" if parent_entry.doc_number else "")
    )
    month, day = rng.randrange(1, 13), rng.randrange(1, 29)
    lines = [
        title,
        "",
        f"{down}，{here}政府各部门：",
        "",
        f"现将《{city.name}{plan}》印发给你们，请认真贯彻执行。",
        "",
        f"{child.year}年{month}月{day}日",
        "",
        "（此件公开发布）",
        "",
        f"为贯彻落实{cited}，结合我{here}实际，制定本实施方案。",
        "",
    ]
    page_break = "page_break" in child.defects
    broken = False
    truth = []
    blocks = []
    section, n_sec = None, 0
    for k, m in enumerate(child.measures, 1):
        if m.section != section:
            section = m.section
            n_sec += 1
            lines += [f"{_cn(n_sec)}、{m.section or '结合本地实际的特色举措'}", ""]
        resp = _responsibility(rng, m.agencies, page_break and not broken and len(m.agencies) > 0)
        broken = broken or (page_break and bool(m.agencies))
        head = f"（{_cn(k)}）"
        if "half_width" in child.defects and k % 3 == 1:
            head = f"({_cn(k)})"
        block = f"{head}{m.title}。{''.join(m.sentences)}{resp}"
        lines += [block, ""]
        blocks.append(block)
        truth.append((str(k), m.parent_key))
    if "duplicate" in child.defects and blocks:  # a scrape repeats a passage further down
        lines += [rng.choice(blocks), ""]
    if page_break and not broken:
        child.defects.remove("page_break")
    lines += [f"{city.name}人民政府", ""]
    text = "\n".join(lines)
    if "number_space" in child.defects:
        text = re.sub(r"(\d{4})年", r"\1 年", text)
    return text, truth


_DIGITS = "零一二三四五六七八九"


def _cn(n: int) -> str:
    """1 → 一, 12 → 十二, 23 → 二十三 (measure and section numbers)."""
    tens, ones = divmod(n, 10)
    if n < 10:
        return _DIGITS[n]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
