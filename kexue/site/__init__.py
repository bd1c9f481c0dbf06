"""The build of the site: checks before and after Pelican, the allowlist, outputs,
incremental builds, serving, publishing."""
