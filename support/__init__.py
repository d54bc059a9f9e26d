"""Test and benchmark support shared by tests/ and bench/ (not part of the installed package): the live
server's start and stop, and the OAuth flow as a client and a browser walk it."""
