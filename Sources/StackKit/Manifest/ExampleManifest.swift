/// The manifest `stackctl init` writes: a copy of deploy.yml.example (a test keeps them equal).
public enum ExampleManifest {
    public static let text = #"""
# yaml-language-server: $schema=schema/deploy.schema.json
# stackctl manifest: a whole three-tier stack on this machine.
#
#   browser -> Apache (front, https :8443) -> nginx or lighttpd (middle, :8000)
#           -> flup FastCGI workers (pools main and admin, on unix sockets)
#
# Check it with `stackctl validate -f deploy.yml.example`; see every file it
# produces with `stackctl render -f deploy.yml.example --out rendered`.

name: demo                    # letters, digits, '-' and '_'; prefixes unit names
base: /srv/stackctl/demo      # stackctl's own files on each host (default /srv/stackctl/NAME)
process_manager: supervisord  # default for every host: supervisord or systemd

hosts:
  here:
    local: true               # this machine: commands run directly, no SSH
    # address: 127.0.0.1      # how the other tiers reach it (default 127.0.0.1 when local)

front:                        # Apache 2.4 with mod_proxy
  hosts: [here]
  address: 127.0.0.1          # listen address (default: the host's address)
  port: 8080
  server_names: [localhost]
  scheme: http                # X-Forwarded-Proto sent to the middle: http or https
  timeout: 60                 # seconds to wait for the middle tier
  retry: 5                    # seconds a failed middle host stays out of the balancer
  tls:                        # HTTPS (mod_ssl, HTTP/2); plain :8080 answers 301 to it
    port: 8443
    certificate_path: /etc/stackctl/demo/tls.pem   # on the host; scripts/demo makes a self-signed one
    key_path: /etc/stackctl/demo/tls.key
    # or local files, shipped by stackctl (the key 0600 root):
    # certificate: certs/fullchain.pem
    # key: certs/privkey.pem
    hsts: 0                   # a real site: leave this out for two years of Strict-Transport-Security
  health:
    path: /health             # asked through the front after deploy
    timeout: 30s

middle:                       # serves static files itself, passes app URLs over FastCGI
  server: nginx               # nginx or lighttpd
  hosts: [here]
  address: 127.0.0.1
  port: 8000
  user: www-data              # the server drops to this account; sockets are shared with its group
  group: www-data
  static:
    root: /srv/demo/static    # dedicated static document root: never the project directory
    aliases:                  # URL prefix: directory; these never reach an app
      /static/: { source: examples/static }   # a local directory, shipped to the middle as releases
  mime_types:                 # added to the built-in table
    webmanifest: application/manifest+json
  routes:                     # URL prefix: pool; '/' mounts a pool at the root
    /: main
    /admin: admin
  health:
    static: /static/health.txt   # must come back with its Content-Type
    app: /health
    timeout: 30s

pools:                        # FastCGI workers: WSGI apps under flup
  main:
    wsgi: hello:application   # module:callable (or paste: /path/app.ini#main)
    directory: /srv/demo/app  # working directory, put on sys.path
    virtualenv: /srv/demo/venv   # or python: /usr/bin/python3
    env:
      APP_GREETING: hello from main
      # Secrets are never written here: taken at deploy time from your environment or a
      # local file, never printed, and on the hosts only in the pool's pool.json (0440).
      # DATABASE_PASSWORD: { from_env: DEMO_DB_PASSWORD }
      # SECRET_KEY: { from_file: secrets/secret_key }
    # user: demo-main         # default: the pool's own account STACK-POOL, made on its hosts
    # group: demo-main
    server: threaded          # threaded or prefork
    threaded:
      min_spare: 1
      max_spare: 5
    instances: 2              # worker processes per host
    hosts: [here]
    socket: auto              # unix on the middle server's own host, TCP otherwise
    health:
      path: /health
      timeout: 30s
  admin:
    wsgi: hello:application
    directory: /srv/demo/app
    virtualenv: /srv/demo/venv
    env:
      APP_GREETING: hello from admin
    server: prefork
    prefork:
      min_spare: 1
      max_spare: 3
      max_children: 10
      max_requests: 1000      # a child exits after this many requests (0: never)
    instances: 1
    hosts: [here]
    socket: unix
    port: 9100                # used when the socket is TCP: instance N listens on port+N

"""#

    /// examples/static, which the example ships: `stackctl init` writes it as ./static.
    public static let staticFiles: [(name: String, contents: String)] = [
        ("health.txt", #"""
ok
"""#),
        ("site.css", #"""
body { font-family: sans-serif; }
"""#),
    ]
}
