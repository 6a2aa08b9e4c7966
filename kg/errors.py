"""The library's one error hierarchy; the CLI turns these into one-line messages."""


class KgError(Exception):
    """A problem the user can fix (bad input, bad registry, bad mapping)."""


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
