"""Assessment of one patient's course: the tumour board's view at a glance."""

from netline.assessment.render import FORMATS, render
from netline.assessment.summary import Assessment, assess
from netline.assessment.text import render_text

__all__ = ["FORMATS", "Assessment", "assess", "render", "render_text"]
