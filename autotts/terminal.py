"""Text that others wrote, made safe to print: its control characters shown, not obeyed.

Candidates' failure reports, trace files' answers, chat models' replies and errors quoting them all reach
terminals. Printed raw, a terminal obeys their control characters: it moves the cursor up and clears a
line (a rejection erased, a forged result printed over it), sets the window title, or writes the clipboard
(OSC 52). Written as Python escapes (``\\x1b``), they are read, and a one-line message stays one line.
"""

from __future__ import annotations

__all__ = ["shown"]


def shown(text: str, keep: str = "") -> str:
    """``text`` with every unprintable character but those in ``keep`` written as its escape."""
    if text.isprintable():  # the common case, one C loop
        return text
    return "".join(c if c.isprintable() or c in keep else ascii(c)[1:-1] for c in text)
