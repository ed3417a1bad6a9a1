"""The generators: the one worker pool, and runners for trajectories, sessions, reasoning, preference
pairs, task synthesis and ``convert --expand``, each resumable and driven by the run's ``Teacher``."""
