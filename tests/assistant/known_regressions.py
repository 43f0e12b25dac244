"""Conversations the learned answer path does not yet pass (issue 9)."""

# Team-written conversations (tuned to the hand-set pipeline) that the learned answer path does not yet
# answer as scripted, measured when the learned judge became the default (issue 9; see the closing
# note and docs/BENCHMARKS.md). They stay in the suite as expected failures so a fix shows up as XPASS.
KNOWN_LEARNED_REGRESSIONS = frozenset({
    "citizen-chongqing-ratio-tier-follow-up",
    "citizen-yuechi-student-follow-up",
    "citizen-general-outpatient",
    "citizen-who-can-enroll",
    "operator-reimbursement-documents",
    "front-desk-tier-level-ratio",
    "citizen-cap-both-regions-from-heading",
    "citizen-prenatal-check-synonym",
    "citizen-student-ratio-keeps-base-rule",
    "citizen-low-income-household-statistics-trimmed",
    "citizen-masked-phone-number",
    "citizen-year-not-in-library",
    "citizen-outpatient-carryover-everyday",
    "citizen-base-rule-over-conditional",
    "hd-operator-cq-maternity-follow-up",
    "hd-citizen-cq-cap-follow-up",
    # after round 4 joined training: "生孩子补多少" also lists 岳池's 儿童 ratio as a competing region
    # (ranker probability 0.04 against 0.92, within CONFLICT_MARGIN 1.0); a margin of 0.7 / 0.5 / 0.3
    # left cited-gold unchanged and cost dev ambiguity 0.729 → 0.701 / 0.682 / 0.654 (not kept)
    "citizen-one-region-answer-names-it",
    # release 5: with C4–C6's 815 pairs in training, "新农合住院能报多少" is offered two 新农合 work-report
    # paragraphs and 重庆's cap as related rules instead of 重庆's 80 %/60 %/40 % ratios (the judge
    # trained without them passed it: answer3)
    "citizen-scheme-narrows-regions",
    # release 10: after blind round 9 joined training, the clean-clone CI of 0d11902 (models trained
    # there) failed these three: 重庆's cap asked by a citizen, and two held-out conversations that had
    # passed since release 9 (门槛费 conflict then 岳池; out of county in both regions)
    "citizen-chongqing-cap",
    "ho-citizen-menkan-conflict-then-yuechi",
    "ho-citizen-out-of-county-both-regions",
    # release 11: after blind round 10 joined training, "岳池县生孩子能报吗" (岳池 holds no maternity rule)
    # is offered 岳池's 儿童 ratio and two other 岳池 clauses as related rules instead of the refusal for
    # 岳池 (passing since release 8); the retrained judge's relevance, not the dialogue code
    "citizen-region-without-rule-says-so",
    # release 18: after blind round 17 joined training, the retrained judge ranks the regions' caps
    # above their ratios for "我妈七十了住院能报多少" (能报多少 read as 最多能报), so the listed rules
    # lack the 60 % the script expects; the person is still read as the patient, not the topic
    "citizen-elderly-kinship-words-not-topic",
    # Passing since release 9 and so no longer listed: 待遇享受时间 and "…少报多少" (release 4),
    # "不在本地住院的话报销要少好多" (release 5), "岳池县生孩子能报吗" (release 8; the judge feature
    # `missing_held_elsewhere`), and the held-out 门槛费 conflict and out-of-county conversations.
})
