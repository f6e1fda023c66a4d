"""Spreadsheet imports of bridge lists and rosters.

reading (file -> cells) -> headers (find and map the header) -> lines (data, section, total and
signature rows) -> normalize (cells -> values) -> plan_bridges / plan_people (create, update,
unchanged, invalid; row problems) -> apply (bulk writes) ; service ties them in one transaction,
jobs runs them with progress for the web page and the API.
"""
