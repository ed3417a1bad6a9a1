import pytest
from grades import letter_grade


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "A"), (90, "A"), (89, "B"), (80, "B"), (75, "C"), (60, "D"), (59, "F"), (0, "F")],
)
def test_boundaries(score, grade):
    assert letter_grade(score) == grade


@pytest.mark.parametrize("score", [-1, 101])
def test_out_of_range(score):
    with pytest.raises(ValueError):
        letter_grade(score)
