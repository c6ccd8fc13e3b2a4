"""Workshop materials for CTC trainers from a finished profile run (``ctc materials``).

Printable items (typst → PDF/A) and an editable slide deck (python-pptx), in English
and German, from the released tables only; see docs/materials.md.
"""

from .build import MaterialsResult, build_demo, build_materials
from .kits import KITS

__all__ = ["KITS", "MaterialsResult", "build_demo", "build_materials"]
