"""The criteria language: parse trial eligibility criteria into a frozen syntax tree.

>>> from criteria_grammar import parse
>>> parse('include "Adults": age >= 18').rules[0].label
'Adults'

``parse`` raises ``CriteriaError`` (with ``code``, ``line``, ``col``) for bad text; ``check``
then checks names, systems and units against a code set catalogue. pyparsing + stdlib only.
"""

from criteria_grammar import nodes, units
from criteria_grammar.check import check
from criteria_grammar.errors import CriteriaError
from criteria_grammar.grammar import KEYWORDS
from criteria_grammar.limits import DEFAULT_LIMITS, Limits
from criteria_grammar.parser import parse

__all__ = ["DEFAULT_LIMITS", "KEYWORDS", "CriteriaError", "Limits", "check", "nodes", "parse",
           "units"]
