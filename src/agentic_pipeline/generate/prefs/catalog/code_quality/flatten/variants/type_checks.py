from typing import *


def flatten(value, out=[]):
    out = []
    for i in range(len(value)):
        x = value[i]
        if type(x) == list:
            for y in flatten(x):
                out.append(y)
        elif type(x) == tuple:
            out.append(x)
        elif type(x) == str:
            out.append(x)
        else:
            out.append(x)
    return out
