"""Analysis over a build: gaps between a child and its parent, agency load."""

# The kinds of gap finding, in the order reports list them (kept here, light to import, for the CLI).
GAP_KINDS = ("unimplemented", "local_innovation", "weak_link", "target_change", "agency_gap")
