def make_args(n):
    # no coin of 1: many amounts cannot be paid, so a plain recursion explores every branch
    return (n * 3 + 1, [3, 5, 6, 9])
