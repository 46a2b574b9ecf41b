NAME = "gitdep"
