"""Views over parsed reports: the command line, the web app and exports."""
