"""The synthetic UK GP-record generator (``dart generate``).

``generate(engine, patients, ...)`` makes practices across the 12 UK regions, patients
shaped by the reference populations, conditions with QOF-like prevalence and gradients,
measurements and prescriptions consistent with them, and loads them in bulk.

The figures in this package's comments carry a status tag in brackets ([verified],
[derived], [unverified], [assumption]); docs/reference-facts.md defines the tags and gives
the sources.
"""

from dart.store.generate.run import (
    GenerationError,
    GenerationSummary,
    check_arguments,
    default_practices,
    generate,
)

__all__ = ["GenerationError", "GenerationSummary", "check_arguments", "default_practices",
           "generate"]
