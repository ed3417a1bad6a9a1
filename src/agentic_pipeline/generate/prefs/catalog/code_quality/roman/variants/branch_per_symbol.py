def from_roman(text):
    if len(text) == 0:
        raise ValueError("empty")
    total = 0
    i = 0
    while i < len(text):
        c = text[i]
        if i + 1 < len(text):
            n = text[i + 1]
        else:
            n = None
        if c == "I":
            if n == "V" or n == "X":
                total = total - 1
            else:
                total = total + 1
        elif c == "V":
            total = total + 5
        elif c == "X":
            if n == "L" or n == "C":
                total = total - 10
            else:
                total = total + 10
        elif c == "L":
            total = total + 50
        elif c == "C":
            if n == "D" or n == "M":
                total = total - 100
            else:
                total = total + 100
        elif c == "D":
            total = total + 500
        elif c == "M":
            total = total + 1000
        else:
            raise ValueError("bad character " + c)
        i = i + 1
    return total
