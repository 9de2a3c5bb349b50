"""A Paste Deploy application factory, the way TurboGears apps are loaded from production.ini."""
import json


def make_app(global_conf, greeting="hello", **settings):
    def app(environ, start_response):
        body = json.dumps({
            "greeting": greeting,
            "here": global_conf.get("here", ""),
            "script_name": environ.get("SCRIPT_NAME", ""),
            "path_info": environ.get("PATH_INFO", ""),
            "scheme": environ.get("wsgi.url_scheme", ""),
        }).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]
    return app
