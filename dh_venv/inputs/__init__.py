"""The inputs stage: the project, its requirements, lock files and the wheelhouse, read into one value."""
