"""The scheduler's few sweeps and their set-up."""
