"""Prefect flows over the pipeline's stage functions: the same stages dvc.yaml runs, as tasks."""
