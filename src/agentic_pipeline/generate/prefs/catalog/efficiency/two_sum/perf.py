def make_args(n):
    # the only matching pair is the last two elements: every variant must scan everything
    numbers = list(range(0, 4 * n, 4))
    return (numbers, numbers[-1] + numbers[-2])
