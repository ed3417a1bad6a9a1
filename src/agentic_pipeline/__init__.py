"""agentic-pipeline: turn an instruction model into an agent.

Execution-grounded tool-use trajectories, preference pairs with measured evidence, dataset
validation, and SFT then DPO training with TRL.
"""

__version__ = "0.1.0"
