"""Synthetic city corpora with known alignment, made from the real provincial documents.

Each child document is a city implementation plan written from the parsed measures
(titles and sentences) of one real provincial document, the way city plans are: some
parent measures dropped, some merged or split, a few reordered, sentences paraphrased
(phrases deleted and substituted, 省 → 市), responsible agencies swapped for their city
counterparts (mappings/agencies.csv), local measures added, and the seed corpus's defects
injected (page-broken agency names "市\\n\\n市场监管局", half-width brackets, spaces inside
numbers "2025 年", duplicated passages). Because the generator writes each child measure
from known parent measures, the right parent of every child measure is known exactly.

    python bench/generate.py OUT --size 100 [--seed 1]

writes ``OUT/corpus.yaml`` (the real parents copied in, children declaring
``implements:`` their parent), the child texts, ``OUT/truth.jsonl`` (one row per child
measure: doc, key, parent_doc, parent_key or null for a local measure) and
``OUT/manifest.json`` (seed, size, per child: parent, region, injected defects).
Everything is drawn from ``random.Random(seed)``: the same seed gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.corpus import load_registry, process  # noqa: E402
from kg.model import Document  # noqa: E402

PARENTS = ("jiangxi-2021-green-economy", "jiangxi-2022-pollution-carbon", "jiangxi-2024-eco-civilization",
           "jilin-2021-green-economy")
TOPIC = {  # the plan a city writes to implement each parent
    "jiangxi-2021-green-economy": "加快建立健全绿色低碳循环发展经济体系实施方案",
    "jiangxi-2022-pollution-carbon": "减污降碳协同增效实施方案",
    "jiangxi-2024-eco-civilization": "打造生态文明建设高地三年行动实施方案",
    "jilin-2021-green-economy": "加快建立健全绿色低碳循环发展经济体系实施方案",
}
DEFECTS = ("page_break", "half_width", "number_space", "duplicate")

# Probabilities of the edits a city makes to its parent's measures.
P_DROP, P_MERGE, P_SPLIT, P_SWAP = 0.15, 0.08, 0.08, 0.08
P_DROP_SENTENCE, P_DROP_CLAUSE, P_LOCAL_SENTENCE, P_SUBSTITUTE = 0.15, 0.3, 0.15, 0.5
P_DEFECT = 0.5  # each defect kind, per child document
SUBSTITUTIONS = [("全省", "全市"), ("我省", "我市"), ("省级", "市级"), ("各地", "各县（市、区）"),
                 ("推进", "推动"), ("加强", "强化"), ("加快", "加速"), ("积极", "大力"), ("鼓励", "支持"),
                 ("进一步", "持续"), ("建立健全", "健全完善"), ("着力", "重点")]
LOCAL_TITLES = ["打造{s}特色文旅品牌", "发展{s}夜间消费经济", "建设{s}智慧停车系统", "推进{s}老旧小区适老化改造",
                "擦亮{s}非遗工坊名片", "办好{s}马拉松等群众赛事", "建设{s}校园足球特色学校", "开展{s}社区食堂试点",
                "完善{s}便民菜市场布局", "提升{s}政务服务一网通办水平", "培育{s}乡村民宿集群", "建设{s}城市书房"]
LOCAL_SENTENCES = ["到{y}年，{s}建成城市书房和社区食堂各{n}个。", "每年举办{s}特色节会活动不少于{n}场。",
                   "支持{s}各县（区）结合本地实际，打造一批网红打卡点和特色街区。",
                   "由市级财政每年安排专项资金{n}00万元，对示范项目给予奖补。",
                   "在主城区新增公共停车泊位{n}000个，推广无感支付和错峰共享。",
                   "建立{s}项目库，实行清单化管理、销号式推进。"]
LOCAL_LINE = "{c}将结合本地实际，围绕{t}每年滚动实施一批重点项目。"


@dataclass
class ChildMeasure:
    title: str
    sentences: list[str]
    agencies: list[str]  # city agency names, lead first
    section: str  # title of the parent section it sits under (or the local section)
    parent_key: Optional[str]  # ground truth; None for a local measure


@dataclass
class City:
    name: str
    short: str
    province: str


@dataclass
class Child:
    id: str
    parent: str
    city: City
    year: int
    measures: list[ChildMeasure] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


def cities(mappings: Path = ROOT / "mappings") -> dict[str, list[City]]:
    """Municipal regions of mappings/regions.csv by province name."""
    with open(mappings / "regions.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    names = {r["code"]: r["name"] for r in rows}
    out: dict[str, list[City]] = {}
    for r in rows:
        if r["level"] == "municipal":
            province = names[r["parent_code"]]
            out.setdefault(province, []).append(City(r["name"], r["short_name"] or r["name"].rstrip("市"), province))
    return out


def city_agencies(mappings: Path = ROOT / "mappings") -> dict[str, str]:
    """Provincial agency → its city counterpart (the first city agency naming it)."""
    out: dict[str, str] = {}
    with open(mappings / "agencies.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["level"] == "municipal" and r["counterpart"]:
                out.setdefault(r["counterpart"], r["name"])
    return out


def _city_name(name: str, table: dict[str, str]) -> str:
    return table.get(name) or re.sub(r"^省", "市", name)


def paraphrase(rng: random.Random, sentence: str) -> str:
    """Delete a middle clause and substitute phrases, as a city plan rewords its parent."""
    clauses = sentence.split("，")
    if len(clauses) >= 3 and rng.random() < P_DROP_CLAUSE:
        del clauses[rng.randrange(1, len(clauses) - 1)]
    s = "，".join(clauses)
    for old, new in SUBSTITUTIONS:
        if old in s and rng.random() < P_SUBSTITUTE:
            s = s.replace(old, new, 1)
    return s


def _split_title(sentence: str) -> str:
    head = re.split(r"[，。；]", sentence)[0]
    return head[:16] or "深化重点工作"


def _child_measures(rng: random.Random, parent: Document, city: City, table: dict[str, str]) -> list[ChildMeasure]:
    sections = {s.number: s.title for s in parent.sections}
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
        kept = [paraphrase(rng, s) for s in kept]
        if rng.random() < P_LOCAL_SENTENCE:
            kept.insert(rng.randrange(len(kept) + 1), LOCAL_LINE.format(c=city.name, t=m.title))
        agencies = [_city_name(a.name, table) for a in m.agencies if not a.generic]
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
    for title in rng.sample(LOCAL_TITLES, rng.randrange(0, 4)):
        sentences = [t.format(s=city.short, y=rng.choice((2025, 2026, 2027)), n=rng.randrange(2, 9))
                     for t in rng.sample(LOCAL_SENTENCES, 2)]
        local = ChildMeasure(title.format(s=city.short), sentences, ["市人民政府"], "", None)
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
    return f"（{lead}牵头，{'、'.join(rest)}等按职责分工负责）" if rng.random() < 0.7 \
        else f"（{'、'.join(names)}等按职责分工负责）"


def make_child(rng: random.Random, i: int, parent_id: str, parent: Document, city: City,
               table: dict[str, str]) -> Child:
    child = Child(f"syn-{i:05d}", parent_id, city, rng.choice((2022, 2023, 2024, 2025)))
    child.measures = _child_measures(rng, parent, city, table)
    child.defects = [d for d in DEFECTS if rng.random() < P_DEFECT]
    return child


def render(rng: random.Random, child: Child, parent_entry) -> tuple[str, list[tuple[str, Optional[str]]]]:
    """The child's text and its ground truth [(child key, parent key or None)]."""
    city = child.city
    title = f"{city.name}人民政府关于印发{city.name}{TOPIC[child.parent]}的通知"
    cited = f"《{parent_entry.title}》" + (f"（{parent_entry.doc_number}）" if parent_entry.doc_number else "")
    month, day = rng.randrange(1, 13), rng.randrange(1, 29)
    lines = [title, "", f"各县（市、区）人民政府，市政府各部门：", "",
             f"现将《{city.name}{TOPIC[child.parent]}》印发给你们，请认真贯彻执行。", "",
             f"{child.year}年{month}月{day}日", "", "（此件公开发布）", "",
             f"为贯彻落实{cited}，结合我市实际，制定本实施方案。", ""]
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


def generate(out: str | Path, size: int, seed: int = 1, data: str | Path = ROOT / "data") -> Path:
    """Write a corpus of ``size`` child documents (plus the real parents) into ``out``."""
    out = Path(out)
    rng = random.Random(seed)
    registry, results = process(data, only=list(PARENTS))
    docs = {p.entry.id: p.doc for p in results}
    entries = {e.id: e for e in load_registry(data).entries}
    by_province = cities()
    table = city_agencies()
    out.mkdir(parents=True, exist_ok=True)
    (out / "texts").mkdir(exist_ok=True)
    reg_docs = []
    for pid in ("china-2021-green-economy",) + PARENTS:
        e = entries[pid]
        item = {k: v for k, v in vars(e).items() if v not in (None, [])}
        item["implements"] = list(e.implements)
        if e.file:
            shutil.copyfile(registry.path.parent / e.file, out / e.file)
        reg_docs.append(item)
    truth_rows, manifest = [], {"seed": seed, "size": size, "parents": list(PARENTS), "children": {}}
    for i in range(size):
        pid = rng.choice(PARENTS)
        pentry = entries[pid]
        city = rng.choice(by_province[pentry.region])
        child = make_child(rng, i, pid, docs[pid], city, table)
        text, truth = render(rng, child, pentry)
        file = f"texts/{child.id}.txt"
        (out / file).write_text(text, encoding="utf-8")
        reg_docs.append({"id": child.id, "file": file, "title": text.splitlines()[0], "level": "municipal",
                         "region": city.name, "issuers": [f"{city.name}人民政府"],
                         "issued": re.search(r"(\d{4}) ?年", text).group(1), "implements": [pid]})
        truth_rows += [{"doc": child.id, "key": k, "parent_doc": pid, "parent_key": pk} for k, pk in truth]
        manifest["children"][child.id] = {"parent": pid, "region": city.name, "defects": child.defects,
                                          "measures": len(truth)}
    header = f"# Synthetic corpus: {size} child documents, seed {seed} (bench/generate.py). Ground truth: truth.jsonl\n"
    (out / "corpus.yaml").write_text(
        header + yaml.safe_dump({"documents": reg_docs}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (out / "truth.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in truth_rows),
                                     encoding="utf-8")
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out


def read_truth(corpus: str | Path) -> list[dict]:
    """The rows of ``truth.jsonl``."""
    return [json.loads(line) for line in (Path(corpus) / "truth.jsonl").read_text(encoding="utf-8").splitlines()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", default=str(ROOT / "data"), help="the seed corpus holding the parents")
    args = ap.parse_args()
    generate(args.out, args.size, args.seed, args.data)
    print(f"{args.out}: {args.size} child documents, seed {args.seed}")


if __name__ == "__main__":
    main()
