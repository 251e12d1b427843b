# A release-API controller as a bare function: open k branches with probe_new,
# probe each with probe_more until it finishes, vote over the final answers.
from collections import Counter


def solve(question, k=4):
    finals = []
    for _ in range(k):
        answer, index, done = question.probe_new()
        while not done:
            answer, done = question.probe_more(index)
        finals.append(answer)
    _, total = question.get_seq_and_total_tokens()
    assert total > 0
    return Counter(finals).most_common(1)[0][0]
