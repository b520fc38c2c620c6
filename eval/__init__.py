"""Eval stage: loss and function-call accuracy of a base model and its adapter (`python -m eval --help`)."""
