"""Front ends that work per Debian release: the supported releases, their chroots, smoke tests."""
