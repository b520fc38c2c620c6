"""Train stage: TRL SFT and DPO with QLoRA, driven by YAML in configs/ (to be built next; see README)."""
