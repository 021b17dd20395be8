"""The rules of consulting on a draft: who may comment and when, and what the house rules
keep off the public site."""
