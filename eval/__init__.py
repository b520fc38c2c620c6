"""Eval stage: loss and function-call accuracy, base versus adapter, on our test split and BFCL (to be built next; see README)."""
