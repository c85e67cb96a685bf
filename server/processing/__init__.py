"""The daily processing job: rebuild the day rollups the dashboards read
(workshops and partners), for the days a change touched, and its schedule."""
