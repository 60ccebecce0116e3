"""Security pieces of the web app: passwords, sessions, CSRF, headers, rate limits, audit."""
