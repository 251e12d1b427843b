# A controller written for the AutoTTS release's question API: self-consistency
# by full reads, as a class taking its parameters in the constructor.
from collections import Counter


class FullReadVote:
    def __init__(self, k=8):
        self.k = k

    def solve(self, question):
        finals = [question.get_new_branch_final_answer() for _ in range(self.k)]
        return Counter(finals).most_common(1)[0][0]
