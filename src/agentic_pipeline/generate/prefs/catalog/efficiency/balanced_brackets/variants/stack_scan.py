_PAIRS = {")": "(", "]": "[", "}": "{"}


def is_balanced(text):
    """Brackets balanced and properly nested; one pass with a stack."""
    stack = []
    for ch in text:
        if ch in "([{":
            stack.append(ch)
        elif ch in _PAIRS and (not stack or stack.pop() != _PAIRS[ch]):
            return False
    return not stack
