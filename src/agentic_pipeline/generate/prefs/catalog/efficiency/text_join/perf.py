def make_args(n):
    return ([("info", f"message number {i} with some text") for i in range(n)],)
