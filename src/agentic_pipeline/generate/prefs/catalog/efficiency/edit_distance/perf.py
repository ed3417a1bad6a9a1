def make_args(n):
    # two words with no letter in common: no shortcut on equal letters
    return ("abcdefghijklmnopqrst"[:n], "ABCDEFGHIJKLMNOPQRST"[:n])
