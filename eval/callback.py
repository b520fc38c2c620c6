"""Call accuracy during training: at each evaluation, greedy outputs on a small validation
sample are scored like `python -m eval` scores them, and logged with the eval loss."""

from __future__ import annotations

from pathlib import Path

from transformers import TrainerCallback

from data.render import render_prompt
from data.schema import Example
from eval.generate import generate
from eval.metrics import aggregate, score_example

LOGGED = ("accuracy", "parse_rate", "exact_accuracy", "schema_validity", "no_call_accuracy")


class CallAccuracyCallback(TrainerCallback):
    def __init__(
        self,
        examples: list[Example],
        tokenizer,
        family: str,
        system: str,
        log,
        batch_size: int = 16,
        max_new_tokens: int = 256,
    ):
        self.examples, self.tokenizer, self.log = examples, tokenizer, log
        self.prompts = [render_prompt(ex, family, system) for ex in examples]
        self.batch_size, self.max_new_tokens = batch_size, max_new_tokens

    @classmethod
    def from_build(cls, path: Path, n: int, tokenizer, log, batch_size: int, max_new_tokens: int):
        """On a stratified sample of n validation rows of a data build (`python -m data build`'s directory)."""
        from data.sources import load_source, read_build_manifest
        from eval.run import stratified_sample

        manifest = read_build_manifest(path)
        examples = load_source(str(path)).splits["validation"]
        keep = stratified_sample([ex.kind for ex in examples], n, 0)
        return cls(
            [examples[i] for i in keep],
            tokenizer,
            manifest["family"],
            manifest.get("system_prompt", ""),
            log,
            batch_size,
            max_new_tokens,
        )

    def on_evaluate(self, args, state, control, model=None, **kwargs):
        if not state.is_world_process_zero or model is None:
            return
        was_training = model.training
        model.eval()
        use_cache = model.config.use_cache
        model.config.use_cache = True
        outputs = dict(generate(model, self.tokenizer, self.prompts, self.batch_size, self.max_new_tokens))
        model.config.use_cache = use_cache
        model.train(was_training)
        figures = aggregate(self.examples, [score_example(ex, outputs[i]) for i, ex in enumerate(self.examples)])
        self.log({f"eval_call_{key}": figures[key] for key in LOGGED if figures[key] is not None})
