"""Order pages (placeholder while the views are written)."""
from flask import Blueprint

bp = Blueprint("orders", __name__, url_prefix="/orders")
