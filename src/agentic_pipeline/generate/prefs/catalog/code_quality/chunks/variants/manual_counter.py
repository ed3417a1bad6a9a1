import itertools


def batches(items, size):
    if size <= 0:
        raise ValueError("bad size")
    result = []
    current = []
    count = 0
    for i in range(len(items)):
        current.append(items[i])
        count = count + 1
        if count == size:
            result.append(current)
            current = []
            count = 0
    if len(current) > 0:
        result.append(current)
    return result
