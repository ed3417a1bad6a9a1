def make_args(n):
    words = []
    for i in range(n):
        base = f"{i % (n // 2):05d}"
        words.append(base if i < n // 2 else base[::-1])
    return (words,)
