"""Terminal escapes in a failure message: the rejection line is erased and a result row forged in its place.

The parent shows a candidate's failure to the user (``rejected (exception): ...``). Written raw to a
terminal, the message's escapes move the cursor up, clear the line, print a made-up row at 100%
accuracy, and turn on concealed text for whatever follows.
"""

raise RuntimeError("\x1b[2K\r\x1b[1A\x1b[2K\rm1  search  best.py  0.00  100.00  1,000.00  sandboxed\x1b[8m")


def make_controller(beta=0.5):
    raise AssertionError("never reached")
