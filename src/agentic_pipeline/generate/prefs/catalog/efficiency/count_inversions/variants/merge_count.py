def count_inversions(values):
    """Pairs i < j with values[i] > values[j], counted while merge-sorting: O(n log n)."""
    return _sort_count(list(values))[1]


def _sort_count(values):
    if len(values) < 2:
        return values, 0
    middle = len(values) // 2
    left, left_count = _sort_count(values[:middle])
    right, right_count = _sort_count(values[middle:])
    merged, count, i, j = [], left_count + right_count, 0, 0
    while i < len(left) and j < len(right):
        if right[j] < left[i]:
            # right[j] jumps ahead of every value still waiting on the left
            count += len(left) - i
            merged.append(right[j])
            j += 1
        else:
            merged.append(left[i])
            i += 1
    merged += left[i:] + right[j:]
    return merged, count
