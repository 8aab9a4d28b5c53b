"""The daily report: figures (:mod:`.collect` → :class:`.data.DailyReportData`), contracts,
rendering (HTML, PDF, CSV, XLSX), archive, email and schedule."""
