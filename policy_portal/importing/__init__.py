"""Policies brought in from elsewhere: a Word document made into a policy file or an earlier
version (`policy-portal import`). The top group: what it writes must pass every rule below it."""
