"""Is this store fit for a trial? A data-quality profile per store and per practice.

``run_profile(engine)`` checks conformance, completeness and plausibility (the Kahn et al.
2016 framework the OHDSI Data Quality Dashboard uses) and each practice's recording
(CPRD-style up-to-standard and last-data dates), and gives a verdict per check and a score.
``StoreProfile.disclosed(policy)`` is what a non-exact reader may see. docs/profile.md
explains every check, threshold and source.
"""

from dart.analysis.profile.model import Check, Ratio
from dart.analysis.profile.result import Measurement, PracticeProfile, StoreProfile
from dart.analysis.profile.run import ProfileError, run_profile

__all__ = ["Check", "Measurement", "PracticeProfile", "ProfileError", "Ratio",
           "StoreProfile", "run_profile"]
