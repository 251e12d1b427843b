"""Written for the AutoTTS release's question API: ``probe_new``, ``probe_more``, ``get_new_branch_final_answer``.

Two branches probed to their ends and one read whole, then a vote. A user's file, so live runs take it
sandboxed (tests/live/test_solve.py).
"""


def solve(question, beta=0.5):
    answers = []
    for _ in range(2):
        answer, index, finished = question.probe_new()
        while not finished:
            answer, finished = question.probe_more(index)
        answers.append(answer)
    answers.append(question.get_new_branch_final_answer())
    return max(set(answers), key=answers.count)
