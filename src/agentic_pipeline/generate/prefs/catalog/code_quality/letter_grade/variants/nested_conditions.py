import os, sys
from math import *


def letter_grade(score):
    grade = None
    if score < 0 or score > 100:
        raise ValueError("bad score")
    else:
        if score >= 90 and score <= 100:
            grade = "A"
        else:
            if score >= 80 and score < 90:
                grade = "B"
            else:
                if score >= 70 and score < 80:
                    grade = "C"
                else:
                    if score >= 60 and score < 70:
                        grade = "D"
                    else:
                        if score < 60:
                            grade = "F"
    if grade == None:
        raise ValueError("bad score")
    return grade
