"""Every kind of condition is handled in every layer: a new ``Condition`` subclass in
``criteria_grammar/nodes.py`` fails here until it is parsed, checked, compiled, explained in
English, evaluated by the reference evaluator and drawn by the cross-engine property test
(the checklist "Adding a condition kind" in docs/architecture.md)."""

from __future__ import annotations

import importlib
import inspect

import pytest

from criteria_grammar import builder, nodes
from dart.compiler import atoms, english
from tests.spec import test_cross_engine
from tests.support import reference

check = importlib.import_module("criteria_grammar.check")

KINDS = sorted((cls for _, cls in inspect.getmembers(nodes, inspect.isclass)
                if issubclass(cls, nodes.Condition) and cls is not nodes.Condition),
               key=lambda cls: cls.__name__)


def registered(dispatcher) -> set[type]:
    """The classes a ``functools.singledispatch`` function or method has a case for."""
    return set(dispatcher.registry) - {object, nodes.Condition}


LAYERS = {
    "parsed (criteria_grammar/builder.py, @builds)": {b.node for b in builder.BUILDERS.values()},
    "checked (criteria_grammar/check.py, check_node)": registered(check.check_node),
    "compiled (dart/compiler/atoms.py, ConditionCompiler.compile)":
        registered(atoms.ConditionCompiler.__dict__["compile"].dispatcher),
    "explained (dart/compiler/english.py, describe)": registered(english.describe),
    "evaluated (tests/support/reference.py, Evaluator.holds)":
        registered(reference.Evaluator.__dict__["holds"].dispatcher),
    "drawn (tests/spec/test_cross_engine.py, DRAWN)": set(test_cross_engine.DRAWN),
}


def test_the_node_module_defines_condition_kinds():
    assert {nodes.Has, nodes.And, nodes.Ref} <= set(KINDS)


@pytest.mark.parametrize("layer", list(LAYERS))
@pytest.mark.parametrize("kind", KINDS, ids=lambda cls: cls.__name__)
def test_every_condition_kind_is_handled(layer, kind):
    assert kind in LAYERS[layer], f"{kind.__name__} is not {layer}"


@pytest.mark.parametrize("layer", list(LAYERS))
def test_no_layer_handles_a_class_that_is_not_a_condition_kind(layer):
    assert LAYERS[layer] <= set(KINDS)
