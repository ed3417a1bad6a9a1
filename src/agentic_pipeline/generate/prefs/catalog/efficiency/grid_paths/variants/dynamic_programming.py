def count_paths(grid):
    """Right/down paths from top-left to bottom-right through '.' cells."""
    width = len(grid[0])
    # ways[c] holds the number of paths reaching column c of the current row
    ways = [0] * width
    ways[0] = 1 if grid[0][0] == "." else 0
    for row in grid:
        for c, cell in enumerate(row):
            if cell == "#":
                ways[c] = 0
            elif c > 0:
                ways[c] += ways[c - 1]
    return ways[-1]
