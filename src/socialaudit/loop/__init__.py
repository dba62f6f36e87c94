"""The digital-feedback loop and Study B: routing consumer posts to departments, department
inboxes with read tracking, company profiles, ROI, maturity (leaders and laggards) and the
Study B findings on a cohort."""
