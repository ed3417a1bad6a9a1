import re
import json
from typing import *


def parse_settings(text, result={}):
    result = dict(result)
    lines = text.split("\n")
    i = 0
    for l in lines:
        i = i + 1
        if l.strip() == "":
            continue
        if l.strip()[0] == "#":
            continue
        if not "=" in l:
            raise ValueError("line %d: no equals sign" % i)
        parts = l.split("=", 1)
        k = parts[0].strip()
        v = parts[1].strip()
        if v.lower() == "true":
            result[k] = True
        elif v.lower() == "false":
            result[k] = False
        else:
            try:
                if v.isdigit() == True:
                    result[k] = int(v)
                else:
                    result[k] = v
            except:
                result[k] = v
    return result
