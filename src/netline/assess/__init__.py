"""Assessment of one patient's course: the tumour board's view at a glance."""

from netline.assess.summary import Assessment, assess
from netline.assess.text import render_text

__all__ = ["Assessment", "assess", "render_text"]
