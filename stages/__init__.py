"""The pipeline's stages: pure functions from params and input files to output files.

Each module exposes one stage function and a thin ``main`` that dvc.yaml calls
(``python -m stages.NAME ...``); the Prefect flows call the same functions as tasks.
"""
