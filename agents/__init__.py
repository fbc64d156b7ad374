"""LLM runtime and providers, prompts, agent graphs, checkpointer and run events."""
