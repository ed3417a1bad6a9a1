def make_args(n):
    # every character repeats except the very last one
    body = "".join(chr(0x4E00 + i % 2000) for i in range(n))
    return (body + body + "!",)
