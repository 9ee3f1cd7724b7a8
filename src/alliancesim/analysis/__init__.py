"""Analysis: validation against the evidence, and global sensitivity analysis."""

from .sensitivity import load_sensitivity, run_sensitivity
from .validate import FACTS, validate

__all__ = ["FACTS", "load_sensitivity", "run_sensitivity", "validate"]
