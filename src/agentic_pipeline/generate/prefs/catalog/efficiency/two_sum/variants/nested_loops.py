def two_sum(numbers, target):
    """Indices (i, j), i < j, of two values adding up to ``target``; smallest j first."""
    for j in range(len(numbers)):
        for i in range(j):
            if numbers[i] + numbers[j] == target:
                return (i, j)
    return None
