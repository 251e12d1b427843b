"""Evaluation: the seeds protocol (``seeds``), the episode runner (``runner``), store-level evaluation (``api``),
process pools (``parallel``), chunked replay (``chunks``), untrusted files (``untrusted``) and ``bench``.

Import from the module that holds a name: this package file loads nothing, so
that a light part (``seeds``, for ``DEFAULT_SEEDS``) comes without the store,
the controllers and the kernels.
"""
