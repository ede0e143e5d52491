"""Safety: hearing a crisis in any message, and the crisis lines to give."""

from loopbrug.safety.detector import CRISIS, DISTRESS, NONE, CrisisDetector, Verdict

__all__ = ["CRISIS", "DISTRESS", "NONE", "CrisisDetector", "Verdict"]
