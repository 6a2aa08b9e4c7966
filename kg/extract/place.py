"""What a document says about its own place in the hierarchy: its level and region.

A researcher's folder has no registry, so each document is placed from what it prints:
the issuer (江西省人民政府 → 江西省; 生态环境部 → national), the title, the prefix of its
document number (赣府发 → 江西省) and, last, the regions its text names most often.
Every answer says where it came from, so ``kg docs`` can show how a field was found.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Optional

from kg.curated.mappings import LEVELS, Region, load_regions, region_of_doc_number

# Issuers of the central state: the State Council, the Party centre, ministries (部),
# commissions and administrations of the state (国家…, …总局, …署), national regulators.
NATIONAL_ISSUER = re.compile(
    r"^(?:国务院|中共中央|全国人民代表大会|全国人大|国家|中国人民银行|中国银行保险监督管理委员会|中国证券监督管理委员会"
    r"|银保监会|证监会|最高人民)"
    r"|^[^省市县区州盟旗]{1,12}(?:部|总局|署)(?:办公厅)?(?:等\d*个?部门)?$"
)
# Issuers that say their level but not their region: 省委办公厅, 自治区人民政府, 市发展改革委.
LEVEL_WORD = re.compile(r"^(?:中共)?(省|自治区|市|州|盟|县|区|旗)")
LEVEL_OF_WORD = {
    "省": "provincial",
    "自治区": "provincial",
    "市": "municipal",
    "州": "municipal",
    "盟": "municipal",
    "县": "county",
    "区": "county",
    "旗": "county",
}
# The text's own scope words: 全省 / 我省 say provincial, 全市 / 我市 municipal.
SCOPE = re.compile(r"(?:全|我|本)(省|自治区|区|市|县)")


@dataclass(frozen=True)
class Place:
    """A document's level and region, and how they were found (``how``: issuer, title,
    doc_number, text); all None when nothing placed it."""

    level: Optional[str] = None
    region: Optional[str] = None
    how: Optional[str] = None


def _at_level(region: Region, level: Optional[str]) -> Region:
    """``region`` or its ancestor at ``level`` (拉萨市 in a 自治区 document → 西藏自治区)."""
    if level is None or LEVELS.index(region.level) <= LEVELS.index(level):
        return region
    return next((r for r in load_regions().ancestors(region) if r.level == level), region)


def _named_below(region: Region, level: Optional[str], *sources: str) -> Optional[Region]:
    """The region at ``level`` inside ``region`` that the first source naming one names most,
    when ``level`` is below ``region``'s (an issuer 市科技局 on a title about 江苏省)."""
    if level is None or LEVELS.index(region.level) >= LEVELS.index(level):
        return None
    regions = load_regions()
    inside = [r for r in regions if r.level == level and region in regions.ancestors(r)]
    for source in sources:
        counts = Counter({r.name: n for r in inside if (n := _times_named(r, source))})
        if counts:
            return regions.get(counts.most_common(1)[0][0])
    return None


def _times_named(region: Region, text: str) -> int:
    """How often ``text`` names ``region`` by any of its names of two characters or more."""
    return sum(text.count(x) for x in region.names if len(x) >= 2)


def _level_word(issuers: Iterable[str]) -> Optional[str]:
    for name in issuers:
        m = LEVEL_WORD.match(name)
        if m:
            return LEVEL_OF_WORD[m.group(1)]
    return None


def _most_named(text: str, level: Optional[str]) -> Optional[Region]:
    """The region the text names most often by full name (national excluded), at ``level``."""
    counts: Counter = Counter()
    for r in load_regions():
        if r.level != "national" and (n := _times_named(r, text)):
            counts[_at_level(r, level).name] += n
    if not counts:
        return None
    return load_regions().get(counts.most_common(1)[0][0])


def infer_place(
    title: Optional[str], issuers: list[str], doc_number: Optional[str] = None, text: str = "", file_name: str = ""
) -> Place:
    """Level and region of a document from its issuers, title, number and text; the file's
    name (researchers name files by region and title) before counting the regions the
    text names.

    >>> infer_place("江西省人民政府关于加快发展的若干措施", ["江西省人民政府"])
    Place(level='provincial', region='江西省', how='issuer')
    >>> infer_place("关于开展试点的通知", ["生态环境部办公厅"]).level
    'national'
    >>> infer_place("关于鼓励和支持参与拉萨南北山绿化的政策措施", ["自治区人民政府办公厅"]).region
    '西藏自治区'
    """
    regions = load_regions()
    word = _level_word(issuers) or _level_word([title or ""])
    for how, sources in (("issuer", issuers), ("title", [title or ""])):
        for source in sources:
            if how == "issuer" and NATIONAL_ISSUER.search(source):
                break
            found = regions.find_in(source)
            if found is not None:
                found = _at_level(found, word)
                below = _named_below(found, word, file_name, text)  # 市科技局 on a 江苏省 matter: the city
                return Place(below.level, below.name, how) if below else Place(found.level, found.name, how)
    national = regions.national()
    for how, sources in (("issuer", issuers), ("title", [title or ""])):
        if national and any(NATIONAL_ISSUER.search(s) for s in sources if s):
            return Place(national.level, national.name, how)
    by_number = region_of_doc_number(doc_number)
    if by_number is not None:
        return Place(by_number.level, by_number.name, "doc_number")
    named = regions.find_in(file_name) if file_name else None
    if named is not None:
        named = _at_level(named, word)
        return Place(named.level, named.name, "file_name")
    scope = Counter(LEVEL_OF_WORD[m.group(1)] for m in SCOPE.finditer(text))
    level = word or (scope.most_common(1)[0][0] if scope else None)
    if level is None and national and ("全国" in text or "各省、自治区、直辖市" in text):
        return Place(national.level, national.name, "text")
    found = _most_named(text, level)
    if found is not None:
        return Place(found.level, found.name, "text")
    return Place()
