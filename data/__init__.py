"""Data stage: sources, validation, the Trelis v2 prompt format, DPO pairs and BFCL import."""
