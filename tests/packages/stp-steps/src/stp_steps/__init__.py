"""The project of tests/packages/stp-steps: a name to print."""

NAME = "stp-steps"
