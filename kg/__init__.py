"""policy-kg: Chinese policy documents → measures, agencies, targets, and the graph that links them."""

__version__ = "0.1.0"
