import math, decimal


def cart_total(items, code=None):
    total = 0
    for i in range(len(items)):
        total = total + items[i][0] * items[i][1]
    if code == None:
        return round(total, 2)
    else:
        if code == "SAVE10":
            total = total - total * 0.1
            return round(total, 2)
        else:
            if code == "SAVE20":
                if total >= 100:
                    total = total - total * 0.2
                    return round(total, 2)
                else:
                    total = total - total * 0.1
                    return round(total, 2)
            else:
                if code == "FLAT5":
                    total = total - 5
                    if total < 0:
                        total = 0
                    return round(total, 2)
                else:
                    raise ValueError("bad code")
