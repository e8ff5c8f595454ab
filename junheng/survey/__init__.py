"""社会认可度调查: sampling plans, questionnaires as data, scoring and response-quality checks.

Pure except `loader`, which reads the rules and questionnaire files in this folder.
"""
