def count_groups(accounts, links):
    """Number of groups of accounts joined by chains of links."""
    label = {account: i for i, account in enumerate(accounts)}
    for a, b in links:
        old, new = label[a], label[b]
        if old != new:
            # move every account of a's group into b's group
            for account in label:
                if label[account] == old:
                    label[account] = new
    return len(set(label.values()))
