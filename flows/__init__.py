"""vpetl's Prefect flows: scheduled, retried, observed runs of the core pipeline (`vpetl.pipeline`)."""
