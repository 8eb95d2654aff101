# replaces: hyperband_impl
# breaks: hyperband
# bug: keeps the later bracket on a tie (<= in a loop)
<<<<<<< reference
    best = min(range(len(brackets)), key=lambda k: brackets[k][2][-1][2][0])  # min keeps the first on ties
=======
    best = 0
    for k in range(len(brackets)):
        if brackets[k][2][-1][2][0] <= brackets[best][2][-1][2][0]:
            best = k
>>>>>>> mutant
