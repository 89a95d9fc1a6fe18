"""Learned scorecards, model validation, fairness and drift (SPEC sections 3 and 6).

A pipeline of small steps, each testable alone:

    data.prepare        feature table -> inputs, target (1 = bad), protected columns held apart (guardrail 1)
    features            (workspace) events card's compiled detail query as of a date + outcomes -> table
    train.fit_card      optbinning BinningProcess + logistic regression + Scorecard(min-max 350-950)
    ebm                 InterpretML's EBM: shape functions merged to readable bins (declared trends kept) -> points
    learners            --learner optbinning | ebm | auto (the better of the two by inner cross-validation)
    convert             fitted Scorecard -> Credence scorecard YAML (scored by the SQL core, same points)
    train.train         hold-out + repeated stratified CV of the whole procedure -> validation report
    metrics             AUC, KS, Gini, Brier, calibration, PSI
    fairness            score distribution, approval, disparate impact, TPR gap by protected group
    drift               PSI of score / dimensions / features and band migration between two snapshots
    reports             JSON + self-contained HTML (plots embedded)

Heavy libraries (optbinning, scikit-learn, matplotlib) load when these modules are imported, not with
``credence`` itself.
"""
