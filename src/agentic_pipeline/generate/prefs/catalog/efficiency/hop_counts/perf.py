def make_args(n):
    # a hub calling every service, each also calling the next: the queue holds ~n nodes at once
    graph = {0: list(range(1, n))}
    for i in range(1, n - 1):
        graph[i] = [i + 1, 0]
    return (graph, 0)
