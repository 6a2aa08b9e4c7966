"""The library's one error hierarchy; the CLI turns these into one-line messages."""


class KgError(Exception):
    """A problem the user can fix (bad input, bad registry, bad mapping).

    ``build``, when set, is the build folder whose (re)making fixes the problem; the
    message says what is wrong, and the CLI adds the command that makes that build.
    """

    def __init__(self, message: str = "", build=None):
        super().__init__(message)
        self.build = build


class InputError(KgError):
    """A document file cannot be read or holds no measures."""

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class RegistryError(KgError):
    """The corpus registry is missing, malformed or inconsistent."""


class MappingError(KgError):
    """A curated table in mappings/ is malformed (message names file, line, column)."""


class BuildError(KgError):
    """The graph build cannot write its outputs; the previous build is left intact."""


class GraphInvalid(BuildError):
    """The built graph does not conform to ontology/shapes.ttl."""


class StoreError(KgError):
    """The graph store is missing or unreadable (``build``: the folder to build again)."""


class QueryError(KgError):
    """A SPARQL query is invalid or cannot be answered (message carries the parser's words)."""


class QueryTimeout(QueryError):
    """A query ran longer than the time limit and was stopped."""


class ResultTooLarge(QueryError):
    """A query's result is larger than the configured limit."""


class QueryRefused(QueryError):
    """The endpoint does not run this kind of query (SERVICE, updates)."""


class NotAcceptable(QueryError):
    """The result cannot be given in any of the formats the client accepts."""


class PushError(KgError):
    """The built graph cannot be uploaded to a Graph Store endpoint (no build, no server, refused)."""
