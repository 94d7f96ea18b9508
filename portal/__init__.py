"""The 12345 hotline work-order portal."""
import os

from flask import Flask

from . import config as default_config


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, commands. Starts nothing in the background."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(default_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "portal.sqlite3")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("PORTAL")
    else:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        from .instance_secret import load_or_create_secret

        app.config["SECRET_KEY"] = load_or_create_secret(app.instance_path)

    from .setup import init_extensions, register_blueprints, register_commands, register_errors

    init_extensions(app)
    register_blueprints(app)
    register_errors(app)
    register_commands(app)
    return app
