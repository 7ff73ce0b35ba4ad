"""Configure gunicorn for the web processes from the environment."""

import os

import environ

bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("WEB_THREADS", "4"))
# Slow clients are the proxy's job; a request that runs longer than this is a bug to see in logs.
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
# Recycle workers now and then so a slow leak never takes a web process down.
max_requests = 2000
max_requests_jitter = 200
# Longer than the idle timeout of the proxy in front (nginx and most load balancers: 60 s), so
# the proxy closes idle connections; gunicorn closing one as the proxy reuses it is a reset.
keepalive = int(os.environ.get("WEB_KEEPALIVE", "75"))
# Operators use signals (TERM, HUP, TTIN/TTOU); a second instance on the same machine would share
# the default control socket path with the first.
control_socket_disable = True
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
# gunicorn turns X-Forwarded-Proto from these addresses into the request's scheme, which Django's
# request.is_secure() believes; so trust it exactly when the settings do (DJANGO_BEHIND_TLS_PROXY,
# read by the same parser), and only the one header Django's SECURE_PROXY_SSL_HEADER names.
if environ.Env().bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
    secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
else:
    forwarded_allow_ips = ""
    secure_scheme_headers = {}
