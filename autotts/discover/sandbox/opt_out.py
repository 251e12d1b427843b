"""The flag that runs untrusted controller code without OS isolation, named once for every command that offers
it and every message that suggests it.

A module of its own so that a command's parser can declare the flag without loading the isolation machinery
(subprocess, bubblewrap and libseccomp look-ups), which a run of a built-in controller never needs.
"""

__all__ = ["UNSAFE_FLAG"]

UNSAFE_FLAG = "--unsafe-no-isolation"
