"""OCR for scans and photos with RapidOCR (PP-OCRv4 Chinese models shipped inside the
`rapidocr-onnxruntime` wheel: nothing is downloaded at run time).

The engine is loaded once, on first use (about 0.3 s), and guarded by a lock: ONNX Runtime
sessions are not meant to be shared by concurrent `run` calls from several ingest threads.
Detected text boxes are grouped into lines by vertical overlap and read left to right.
"""

from __future__ import annotations

import threading

from knowledge_base.formats.model import Extracted, FormatError, PageRef

_engine = None
_lock = threading.Lock()
MIN_SCORE = 0.5  # boxes the recogniser is less sure of than this are noise (stains, seals)


def _get_engine():
    global _engine
    if _engine is None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:  # pragma: no cover - a dependency of the project
            raise FormatError(f"未安装文字识别组件(rapidocr-onnxruntime),无法读取扫描件: {exc}") from exc
        # No per-line angle classifier: on the rendered corpus it judged a printed line opening
        # with "(五)" upside down, turned it, and the line came back empty (a whole line lost);
        # scans of policy pages are upright, and a rotated page is a page-level problem anyway.
        _engine = RapidOCR(use_cls=False)
    return _engine


def _lines_from_boxes(result: list) -> list[str]:
    """Group OCR boxes ([corners, text, score]) into lines: a box joins the line whose vertical
    span overlaps more than half its height; lines top to bottom, boxes left to right."""
    boxes = []
    for corners, text, score in result or []:
        if float(score) < MIN_SCORE or not text.strip():
            continue
        ys = [p[1] for p in corners]
        xs = [p[0] for p in corners]
        boxes.append((min(ys), max(ys), min(xs), text.strip()))
    boxes.sort()
    lines: list[list[tuple[float, float, float, str]]] = []
    for box in boxes:
        top, bottom = box[0], box[1]
        for line in lines:
            ltop = min(b[0] for b in line)
            lbot = max(b[1] for b in line)
            overlap = min(bottom, lbot) - max(top, ltop)
            if overlap > 0.5 * (bottom - top):
                line.append(box)
                break
        else:
            lines.append([box])
    return ["".join(b[3] for b in sorted(line, key=lambda b: b[2])) for line in lines]


def ocr_image(image, page: int) -> Extracted:
    """Text lines of one page image (a PIL image or a numpy array)."""
    import numpy as np

    arr = np.asarray(image.convert("RGB")) if hasattr(image, "convert") else np.asarray(image)
    with _lock:
        engine = _get_engine()
        result, _ = engine(arr)
    out = Extracted()
    for n, text in enumerate(_lines_from_boxes(result), 1):
        out.add(text, PageRef(page=page, line=n, ocr=True))
    return out


def read_image(data: bytes) -> Extracted:
    """A photo or scan saved as an image file (PNG, JPEG, TIFF, BMP); every frame is a page."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise FormatError(f"图片文件损坏或格式无法识别: {exc}") from exc
    out = Extracted()
    for frame in range(getattr(img, "n_frames", 1)):
        img.seek(frame)
        out.extend(ocr_image(img.copy(), page=frame + 1))
    return out
