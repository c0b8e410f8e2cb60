"""Candidate groups, before any detector looks at them: the reciprocal graph and its dense
groups (:mod:`.reciprocal`), co-engagement pairs (:mod:`.coengage`), their graph
(:mod:`.cograph`) and its communities (:mod:`.communities`).
"""
