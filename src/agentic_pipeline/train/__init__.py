"""Training: render records into token ids and loss masks, pack them, and hand them to TRL's SFTTrainer
and DPOTrainer; configs, launch, a planner for GPU memory / hours / dollars, and an inspector.

Modules: ``config`` (the YAML model), ``data`` (records -> token datasets), ``pack`` (best-fit
decreasing packing), ``sft`` / ``dpo`` (the trainers), ``plan`` (resources), ``inspect`` (what the
model will learn), ``tiny_train`` (the quickstart's CPU run).
"""
