"""Responsibility lists: who leads and who supports each measure.

A measure usually closes with a parenthesised list such as （省发展改革委、省能源局等按职责
分工负责）. The printed order carries meaning — the first body leads, the rest support —
unless the list says so itself (（X牵头，Y、Z配合）). Names are resolved by ``kg.curated.agency_names``
(a function held by a region at a level) so that 市发改委 and 市发展和改革委员会 count as one agency; a name
missing from the table is kept and flagged unmapped, never dropped, so the table's gaps
show up in the output instead of silently thinning the graph.

>>> from kg.read.normalize import normalize
>>> t = normalize("推进农业节水。（市发改委、市农业农村局等按职责分工负责）")
>>> [lst.raw for lst in find_responsibility_lists(t, 0, len(t.text))]
['市发改委、市农业农村局等按职责分工负责']
>>> [(a.name, a.role) for a in parse_agencies(t, find_responsibility_lists(t)[0], "municipal", "上饶市")]
[('市发展改革委', 'lead'), ('市农业农村局', 'support')]
"""

from __future__ import annotations

from typing import Optional

from kg.core.model import AgencyRef
from kg.curated.agency_names import Resolved, resolve_name
from kg.extract.responsibility import RespList, find_responsibility_lists
from kg.read.normalize import Text

__all__ = ["RespList", "Resolved", "find_responsibility_lists", "parse_agencies", "resolve_name"]


def parse_agencies(
    text: Text,
    lst: RespList,
    doc_level: Optional[str] = None,
    doc_region: Optional[str] = None,
    doc_issuer: Optional[str] = None,
) -> list[AgencyRef]:
    """The list's agencies in printed order, with the roles ``kg.extract.responsibility`` decided;
    ``doc_issuer`` is the issuing department, whose divisions a work plan names (气候处)."""
    out = []
    for it in lst.items:
        raw = lst.name(it)
        r = resolve_name(raw, doc_level, doc_region, doc_issuer=doc_issuer)
        out.append(
            r.ref(
                "lead" if it.lead else "support",
                text.raw_span(lst.content_start + it.start, lst.content_start + it.end),
            )
        )
    return out
