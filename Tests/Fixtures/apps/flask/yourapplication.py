"""The application of Flask's deployment docs: what it reports is what a mount must get right
(url_for, redirects, request.url, script_root, the scheme)."""
from flask import Flask, jsonify, redirect, request, url_for

app = Flask(__name__)


@app.route("/")
def index():
    return jsonify(
        url_for=url_for("hello"),
        external=url_for("hello", _external=True),
        url=request.url,
        script_root=request.script_root,
        scheme=request.scheme,
    )


@app.route("/hello")
def hello():
    return "hello from flask"


@app.route("/go")
def go():
    return redirect(url_for("hello"))


@app.route("/health")
def health():
    return "ok"
