"""Worker for the data-parallel test: ``python -m torch.distributed.run --nproc_per_node 2
tests/train_dp_worker.py DATA_DIR OUT STEPS PER_DEVICE_BATCH``; rank 0 writes OUT/dp_result.json."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_train_sft import losses, sft_cfg  # noqa: E402

from agentic_pipeline.train.runtime import finish_distributed  # noqa: E402
from agentic_pipeline.train.sft import build_sft_trainer  # noqa: E402


def main() -> None:
    data_dir, out, steps, batch = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    cfg = sft_cfg(data_dir, out, max_steps=steps, per_device_train_batch_size=batch)
    trainer, _ = build_sft_trainer(cfg)
    trainer.train()
    if trainer.is_world_process_zero():
        result = {"world_size": trainer.args.world_size, "losses": losses(trainer)}
        (out / "dp_result.json").write_text(json.dumps(result))
    finish_distributed()


if __name__ == "__main__":
    main()
