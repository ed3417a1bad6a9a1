"""Validation of the sign-up form."""

from collections.abc import Callable

Rule = tuple[Callable[[str], bool], str]

RULES: dict[str, list[Rule]] = {
    "username": [(lambda v: len(v) > 20, "is too long")],
    "email": [(lambda v: "@" not in v, "is invalid")],
    "password": [(lambda v: len(v) < 8, "is too short")],
}


def validate(form: dict[str, str]) -> list[str]:
    """Error messages for ``form``, one per broken rule; empty when valid."""
    errors = []
    for field, rules in RULES.items():
        value = form.get(field, "").strip()
        if not value:
            errors.append(f"{field} is required")
            continue
        errors.extend(f"{field} {message}" for broken, message in rules if broken(value))
    return errors
