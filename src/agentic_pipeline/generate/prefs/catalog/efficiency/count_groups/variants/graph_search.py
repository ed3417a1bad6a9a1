def count_groups(accounts, links):
    """Number of groups of accounts joined by chains of links: one search per unvisited account."""
    neighbours = {account: [] for account in accounts}
    for a, b in links:
        neighbours[a].append(b)
        neighbours[b].append(a)
    seen = set()
    groups = 0
    for account in neighbours:
        if account in seen:
            continue
        groups += 1
        seen.add(account)
        stack = [account]
        while stack:
            for other in neighbours[stack.pop()]:
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
    return groups
