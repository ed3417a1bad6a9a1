def is_balanced(text):
    """Brackets balanced and properly nested."""
    brackets = "".join(ch for ch in text if ch in "()[]{}")
    while True:
        shorter = brackets.replace("()", "").replace("[]", "").replace("{}", "")
        if shorter == brackets:
            return brackets == ""
        brackets = shorter
