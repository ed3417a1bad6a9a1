import string
import os


def slugify(title):
    s = title.lower()
    out = ""
    for c in s:
        if c in "abcdefghijklmnopqrstuvwxyz0123456789":
            out = out + c
        else:
            out = out + "-"
    while "--" in out:
        out = out.replace("--", "-")
    while out.startswith("-") == True:
        out = out[1:]
    while out.endswith("-") == True:
        out = out[:-1]
    return out
