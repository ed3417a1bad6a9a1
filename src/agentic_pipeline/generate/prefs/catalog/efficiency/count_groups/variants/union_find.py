def count_groups(accounts, links):
    """Number of groups of accounts joined by chains of links (disjoint-set forest)."""
    parent = {account: account for account in accounts}

    def root(account):
        while parent[account] != account:
            parent[account] = parent[parent[account]]  # path halving keeps the trees flat
            account = parent[account]
        return account

    groups = len(parent)
    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
            groups -= 1
    return groups
