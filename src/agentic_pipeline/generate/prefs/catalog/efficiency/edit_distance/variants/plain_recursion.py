def edit_distance(a, b):
    """Levenshtein distance."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    if a[0] == b[0]:
        return edit_distance(a[1:], b[1:])
    return 1 + min(
        edit_distance(a[1:], b),  # delete
        edit_distance(a, b[1:]),  # insert
        edit_distance(a[1:], b[1:]),  # substitute
    )
