"""What the services serve to a browser: documentation pages and their assets, all local."""
