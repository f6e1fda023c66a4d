"""Reports for officials (issue 6): the attendance workbook, its CSVs, the reports page, follow-up downloads.

data.py computes the numbers once (a handful of aggregate queries); sheets.py lays them out as
tables; workbook.py and csv_export.py write those tables (cover.py the signed first sheet, page_setup.py
and widths.py how every sheet prints); the reports page shows the same tables.
followup_sheets.py does the same for a follow-up report (the followups app, below, holds its rules).
"""
