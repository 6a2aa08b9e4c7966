"""What the public endpoint refuses, decided on the parsed query; and workers cut off the network.

A text search for the SERVICE keyword can be fooled: a prefixed name may hold the escapes
``\\#`` and ``\\'``, which a regex takes for the start of a comment or a string, hiding the
clause that follows. So the query is parsed with rdflib's SPARQL 1.1 grammar and refused
when the parse holds a SERVICE pattern, an update, or cannot be read at all (a query the
checker cannot read cannot be shown harmless). Behind that check the endpoint's query
workers run in a network namespace of their own, with no interface but a loopback that is
down, so even a query the checker misread cannot reach another machine or this one.

>>> check_query("SELECT * WHERE { ?s ?p ?o }")
>>> check_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
kg.core.errors.QueryRefused: federated queries (SERVICE) are disabled on this endpoint
"""

from __future__ import annotations

import sys
from functools import lru_cache

from kg.core.errors import QueryError, QueryRefused

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


def _names(node):
    """Names of every grammar rule in an rdflib parse tree."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        x = stack.pop()
        if isinstance(x, CompValue):
            yield x.name
            stack.extend(x.values())
        elif isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, (list, tuple)) or hasattr(x, "as_list"):
            stack.extend(x)


CACHED = 8192  # characters: longer queries are checked each time, so the cache stays small (256 × 8 KB)


def check_query(sparql: str) -> None:
    """Raise QueryRefused for SERVICE or an update, QueryError for what the grammar cannot read."""
    (_check_cached if len(sparql) <= CACHED else _check)(sparql)


def _check(sparql: str) -> None:
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        tree = parseQuery(sparql)
    except ParseException as e:
        try:
            parseUpdate(sparql)
        except Exception:
            raise QueryError(f"invalid SPARQL: {str(e).splitlines()[0]}") from None
        raise QueryRefused("this endpoint is read-only: SPARQL Update is not accepted") from None
    except Exception as e:  # the grammar's own helpers raise plain errors on some inputs
        raise QueryError(f"invalid SPARQL: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}") from None
    if "ServiceGraphPattern" in set(_names(tree)):
        raise QueryRefused("federated queries (SERVICE) are disabled on this endpoint")


_check_cached = lru_cache(maxsize=256)(_check)


def isolate_network() -> bool:
    """Move this process into a new, empty network namespace; False where the system does not allow it.

    Must run before the process starts threads (unshare with a user namespace refuses a
    threaded process). Root may create the namespace directly; an ordinary user needs a
    user namespace around it.
    """
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    return any(libc.unshare(flags) == 0 for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET))


__all__ = ["check_query", "isolate_network"]
