def make_args(n):
    # target i needs target i - 1 and target i // 2; names run backwards, so the one target ready
    # at each step is always the alphabetically last of those left
    def name(i):
        return f"t{n - i:06d}"

    deps = {name(i): [name(i - 1), name(i // 2)] for i in range(1, n)}
    deps[name(0)] = []
    return (deps,)
