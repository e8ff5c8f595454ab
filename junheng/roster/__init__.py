"""The teacher roster (教师名册): records, eligibility for rotation, and the counts they give.

`schema` declares the roster and rotation tables, `rules` loads the rules files
(`eligibility.yaml`, `counting.yaml`), `eligibility` says who must rotate, `aggregate` counts
the roster into segment columns, G9, G11 and G12 and reconciles them with reported segments,
`privacy` masks ID numbers, `demo` generates the demo county's roster, `source` says what taking
the roster as the evaluation's source changes, the `planner*` modules plan rotation and hires,
and `plan_report` judges a plan by the engine before and after. The file reader is
`junheng.intake.roster.read_roster`. All of it is pure except the rules loader.
"""
