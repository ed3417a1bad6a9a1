"""The training YAML as a pydantic model: what ``agentic train sft|dpo``, ``agentic plan`` and
``agentic train inspect`` read.

    cfg = load_config("configs/sft_32b.yaml")       # ConfigError names the file and the bad field

Sections: ``model`` / ``tokenizer`` (a local folder, a Hugging Face hub name, or ``tiny`` for the
package's CPU assets), ``data`` (where the records are, mixture weights, length policy), ``sft`` /
``dpo`` (method settings), ``lora`` (optional), ``training`` (passed to TRL's SFTConfig / DPOConfig),
``distributed`` (accelerate / DeepSpeed / FSDP) and ``plan`` (hardware and prices for the planner).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

TINY = "tiny"


class ConfigError(ValueError):
    """A config file that cannot be used; the message names the file and the field."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataConfig(_Section):
    data_dir: Path = Field(Path("data"), description="The data directory (the seed's layout).")
    # Mixture: a weight per kind, and optionally per "kind/category" (overrides the kind's weight).
    # 1.0 keeps every record once, 0.5 a deterministic half, 2.0 every record twice; 0 leaves it out.
    weights: dict[str, float] = Field(default_factory=dict)
    max_length: int = Field(4096, gt=16, description="Longest training sequence in tokens.")
    overlong: Literal["drop", "split"] = Field(
        "drop",
        description="A record longer than max_length is dropped, or split at turn boundaries; either way "
        "it is counted and reported, never cut silently.",
    )
    seed: int = 0

    @field_validator("weights")
    @classmethod
    def _non_negative(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {k: v for k, v in value.items() if v < 0}
        if bad:
            raise ValueError(f"mixture weights must be >= 0, got {bad}")
        return value


class SFTSection(_Section):
    packing: bool = Field(True, description="Best-fit-decreasing packing of whole samples, no token dropped.")
    padding_free: bool = Field(True, description="Flatten each batch; attention stays within each sample.")


class DPOSection(_Section):
    beta: float = Field(0.1, gt=0)
    loss_type: str | list[str] = "sigmoid"
    precompute_ref_log_probs: bool = False
    ref_model: str | None = Field(
        None, description="Reference model; default: the policy's starting weights."
    )


class LoraSection(_Section):
    r: int = Field(16, gt=0)
    alpha: int = Field(32, gt=0)
    dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: list[str] | str = "all-linear"


class TrainingSection(_Section):
    output_dir: Path = Path("runs/out")
    learning_rate: float = Field(1e-5, gt=0)
    num_train_epochs: float = Field(1.0, gt=0)
    max_steps: int = -1
    per_device_train_batch_size: int = Field(1, gt=0)
    gradient_accumulation_steps: int = Field(1, gt=0)
    lr_scheduler_type: str = "cosine"
    warmup_steps: float = Field(0.0, ge=0, description="Steps, or a fraction of all steps when below 1.")
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    bf16: bool = False
    gradient_checkpointing: bool = False
    activation_offloading: bool = Field(
        False,
        description="TRL's activation offloading: the activations kept for backward wait in host RAM, "
        "not on the GPU (with gradient_checkpointing: each layer's input).",
    )
    seed: int = 42
    report_to: list[Literal["tensorboard", "wandb", "none"]] = Field(default_factory=lambda: ["none"])
    logging_steps: int = Field(10, gt=0)
    save_steps: int = Field(500, gt=0)
    save_total_limit: int | None = None
    resume_from_checkpoint: bool | str | None = Field(
        None, description="true: the last checkpoint in output_dir; a path: that checkpoint."
    )
    use_cpu: bool = False
    # Anything else SFTConfig / DPOConfig accept, passed through as is (e.g. optim, dataloader_num_workers).
    extra: dict[str, Any] = Field(default_factory=dict)


class DistributedSection(_Section):
    accelerate_config: Path | None = Field(None, description="accelerate config file for multi-GPU launch.")
    deepspeed: Path | None = Field(None, description="DeepSpeed JSON (also named by the accelerate config).")
    zero_stage: Literal[0, 1, 2, 3] = 0
    offload_optimizer: bool = False
    offload_params: bool = False
    fsdp: bool = False
    sequence_parallel: int = Field(
        1,
        ge=1,
        description="Ulysses sequence parallelism (DeepSpeed ALST through accelerate): each row is split over "
        "this many GPUs, which exchange attention heads. Must match parallelism_config_sp_size in the "
        "accelerate config.",
    )


class PlanSection(_Section):
    architecture: str | None = Field(
        None, description="Model to take the architecture from when `model` is a checkpoint not trained yet."
    )
    gpus_per_node: int = Field(8, gt=0)
    nodes: int = Field(1, gt=0)
    gpu_name: str = "H100 SXM 80GB"
    gpu_memory_gb: float = Field(80.0, gt=0)
    peak_tflops: float = Field(989.0, gt=0, description="Dense bf16 peak of one GPU.")
    mfu: float = Field(
        0.35,
        gt=0,
        le=1,
        description="Model FLOPs utilisation assumed for hours (model FLOPs include attention; "
        "bench/gpu_mfu.py measured 38-41% on one H200 for 7B with checkpointing, before any "
        "ZeRO-3 communication).",
    )
    usd_per_gpu_hour: float = Field(2.50, ge=0)
    reserve_gb: float = Field(
        2.0,
        ge=0,
        description="GPU memory outside PyTorch's allocations: CUDA context, NCCL buffers, fragmentation.",
    )
    host_memory_gb: float = Field(2000.0, gt=0, description="CPU RAM per node, for offload.")


class TrainConfig(_Section):
    method: Literal["sft", "dpo"]
    model: str = Field(description="A local folder, a hub name (e.g. Qwen/Qwen2.5-32B-Instruct) or 'tiny'.")
    tokenizer: str | None = Field(None, description="Defaults to the model's.")
    attn_implementation: str | None = Field(
        None,
        description="sdpa, flash_attention_2 (pip install flash-attn), ...; None: transformers' default.",
    )
    data: DataConfig = Field(default_factory=DataConfig)
    sft: SFTSection = Field(default_factory=SFTSection)
    dpo: DPOSection = Field(default_factory=DPOSection)
    lora: LoraSection | None = None
    training: TrainingSection = Field(default_factory=TrainingSection)
    distributed: DistributedSection = Field(default_factory=DistributedSection)
    plan: PlanSection = Field(default_factory=PlanSection)
    source: Path | None = Field(None, exclude=True, description="The file this config was read from.")

    @model_validator(mode="after")
    def _consistent(self) -> TrainConfig:
        if self.distributed.zero_stage and self.distributed.fsdp:
            raise ValueError("distributed: choose DeepSpeed ZeRO (zero_stage) or FSDP, not both")
        if self.distributed.offload_params and self.distributed.zero_stage != 3:
            raise ValueError("distributed.offload_params needs zero_stage: 3")
        sp = self.distributed.sequence_parallel
        if sp > 1:
            if self.distributed.zero_stage not in (2, 3) or self.distributed.fsdp:
                raise ValueError(
                    "distributed.sequence_parallel runs on DeepSpeed (ALST/Ulysses): set zero_stage: 2 or 3"
                )
            if self.method != "sft":
                raise ValueError(
                    "distributed.sequence_parallel: TRL's DPOTrainer (1.16) does not shard sequences; "
                    "train DPO with sequence_parallel: 1 (see `agentic plan` for the lengths that fit)"
                )
            if self.sft.packing and (self.attn_implementation or "sdpa") in ("sdpa", "eager"):
                raise ValueError(
                    f"distributed.sequence_parallel with packed rows needs attn_implementation: "
                    f"flash_attention_2 (or _3): under Ulysses, {self.attn_implementation or 'sdpa'} attends "
                    "across the samples packed in a row (accelerate's sequence-parallelism guide)"
                )
            if self.gpus % sp:
                raise ValueError(f"distributed.sequence_parallel={sp} does not divide the {self.gpus} GPUs")
        return self

    @property
    def tokenizer_name(self) -> str:
        return self.tokenizer or self.model

    @property
    def gpus(self) -> int:
        return self.plan.gpus_per_node * self.plan.nodes


def _error_lines(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: invalid training config"]
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"  {where}: {err['msg']}")
    return "\n".join(lines)


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """Read and validate a training YAML; ``overrides`` are dotted keys (``training.max_steps``)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}:{where} is not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of sections (method, model, data, training, ...)")
    for dotted, value in (overrides or {}).items():
        _set_dotted(raw, dotted, value)
    try:
        cfg = TrainConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_error_lines(path, exc)) from None
    cfg.source = path
    _check_accelerate_config(cfg, path)
    return cfg


def _check_accelerate_config(cfg: TrainConfig, path: Path) -> None:
    """The accelerate YAML decides the sequence-parallel degree at launch; it must say what the training
    YAML (and so the planner) says. Checked when the file is there (paths are relative to the working
    directory, as `accelerate launch` reads them)."""
    accel = cfg.distributed.accelerate_config
    if accel is None or not Path(accel).is_file():
        return
    try:
        raw = yaml.safe_load(Path(accel).read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{accel}: is not valid YAML: {getattr(exc, 'problem', exc)}") from None
    block = raw.get("parallelism_config") or {}
    sp = int(block.get("parallelism_config_sp_size", 1))
    if sp != cfg.distributed.sequence_parallel:
        raise ConfigError(
            f"{path}: distributed.sequence_parallel is {cfg.distributed.sequence_parallel} but {accel} sets "
            f"parallelism_config_sp_size: {sp}; make them agree"
        )


def _set_dotted(raw: dict[str, Any], dotted: str, value: Any) -> None:
    node = raw
    *parents, leaf = dotted.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[leaf] = value


def parse_override(text: str) -> tuple[str, Any]:
    """``training.max_steps=20`` -> ("training.max_steps", 20); the value is read as YAML."""
    if "=" not in text:
        raise ConfigError(f"override {text!r}: expected key.path=value")
    key, value = text.split("=", 1)
    return key.strip(), yaml.safe_load(value)
