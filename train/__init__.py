"""Train stage: TRL SFT and DPO of LoRA/QLoRA adapters from YAML configs (`python -m train CONFIG.yaml`)."""
