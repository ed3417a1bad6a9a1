"""Letter grades from numeric scores."""


def letter_grade(score: float) -> str:
    """The letter for a 0-100 score."""
    if not 0 <= score <= 100:
        raise ValueError(f"score must be between 0 and 100, got {score}")
    if score >= 90:
        return "A"
    if score >= 80:
        return "B"
    if score >= 70:
        return "C"
    if score >= 60:
        return "D"
    return "F"
