"""Letter grades from numeric scores."""

_THRESHOLDS = ((90, "A"), (80, "B"), (70, "C"), (60, "D"))


def letter_grade(score: float) -> str:
    """The letter for a 0-100 score."""
    if not 0 <= score <= 100:
        raise ValueError(f"score must be between 0 and 100, got {score}")
    for minimum, letter in _THRESHOLDS:
        if score >= minimum:
            return letter
    return "F"
