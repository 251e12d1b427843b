"""The mechanism template as real code: a step loop with one variant per slot, each an ordinary function.

:mod:`~autotts.discover.mechanisms.episode` holds the loop and the
controller, the slot modules their variants, :mod:`.slots` names them, and
:mod:`.render` assembles a self-contained controller file from this
package's own source; :mod:`.kernel` is the compiled mirror the search
replays genomes with.
"""

from autotts.discover.mechanisms.episode import MAX_STEPS, DiscoveredController, Mechanisms, run_episode
from autotts.discover.mechanisms.render import read_choice, render_file
from autotts.discover.mechanisms.schedule import KnobSpec, Schedule
from autotts.discover.mechanisms.slots import SLOTS, build_mechanisms

__all__ = ["MAX_STEPS", "SLOTS", "DiscoveredController", "KnobSpec", "Mechanisms", "Schedule", "build_mechanisms",
           "read_choice", "render_file", "run_episode"]
