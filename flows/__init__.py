"""vpetl's orchestration: Prefect flows that discover, fetch, extract and load, and the CLI."""
