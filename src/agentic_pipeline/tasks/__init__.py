"""Tasks the agent solves: shipped projects, stdlib modules, your repository, synthesized projects;
bugs injected by AST mutation, bodies removed, refactorings, devops scenarios; validity and verification."""
