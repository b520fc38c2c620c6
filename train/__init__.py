"""Train stage: TRL SFT and DPO of LoRA/QLoRA adapters from YAML configs (`python -m train CONFIG.yaml`)."""

import logging
import warnings

# bitsandbytes tries to fetch an optional CPU kernel from the Hub at import and warns when it
# cannot; its built-in CPU path is then used, so the warning is noise on every run.
logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(logging.ERROR)
# TRL's configs default `gradient_checkpointing`, which transformers 5 has renamed; the
# warning fires for every config that does not set `activation_checkpointing`.
warnings.filterwarnings("ignore", message="`gradient_checkpointing` is deprecated")
