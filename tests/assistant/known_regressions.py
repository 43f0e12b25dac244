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
    "ho-citizen-menkan-conflict-then-yuechi",
    "ho-citizen-out-of-county-both-regions",
    "hd-operator-cq-maternity-follow-up",
    "hd-citizen-cq-cap-follow-up",
    # release 4 (retired blind rounds as training data, out-of-fold dense, relevance model): the
    # judge refuses 重庆's 待遇享受时间 (P(library answers) under its threshold although the first
    # hit is the clause), and the intent model reads "…少报多少" as an estimate at 0.50 against the
    # rules' policy question (a rule "keep the rules below 0.6" cost dev intents 0.935 → 0.928)
    "citizen-waiting-period",
    "citizen-out-of-county-penalty",
    # after round 4 joined training: "生孩子补多少" also lists 岳池's 儿童 ratio as a competing region
    # (ranker probability 0.04 against 0.92, within CONFLICT_MARGIN 1.0); a margin of 0.7 / 0.5 / 0.3
    # left cited-gold unchanged and cost dev ambiguity 0.729 → 0.701 / 0.682 / 0.654 (not kept)
    "citizen-one-region-answer-names-it",
    # release 5: with C4–C6's 815 pairs in training, "新农合住院能报多少" is offered two 新农合 work-report
    # paragraphs and 重庆's cap as related rules instead of 重庆's 80 %/60 %/40 % ratios (the judge
    # trained without them passed it: answer3)
    "citizen-scheme-narrows-regions",
    # release 5, after rank3's translation model: "不在本地住院的话报销要少好多" is refused (no citation)
    # where answer3's judge offered 岳池's 县境外 rule (起付线上浮300元); measured in the release CI run
    "citizen-out-of-area-colloquial",
    # release 8 (blind round 7 in training): 岳池 has no maternity rule, and "岳池县生孩子能报吗" is offered
    # three 岳池 rules as related (student ratio, 县境外, enrolment) instead of "岳池县的资料不涉及": on
    # 岳池's candidates — every one lacking 生孩子, the first's missing-word share 0.5 — the relevance
    # model still finds the library answers it (P 0.967 ≥ threshold 0.948). Wanted: a feature for "the
    # topic is held only by another region's rules" (重庆's 住院分娩 rule comes first unfiltered)
    "citizen-region-without-rule-says-so",
})
