"""Settings shared by every assignment's checks.

The ``student`` fixture comes from :class:`grader.plugin.GradingPlugin`.
"""
from hypothesis import settings

from grader import config

settings.register_profile(config.HYPOTHESIS_PROFILE, **config.HYPOTHESIS_SETTINGS)
settings.load_profile(config.HYPOTHESIS_PROFILE)
