"""The application shell: the `policy-portal` command and the server that ties the built site
and the consultation app together. It may import MkDocs and Flask; `policy_portal` may not."""
