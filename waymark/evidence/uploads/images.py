"""Photo checks: open with Pillow and encode again, which drops EXIF, GPS location and all other metadata."""

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from .kinds import JPEG, PNG, UploadRefused

# Photos: refuse before decoding anything that would take a great deal of memory.
IMAGE_MAX_PIXELS = 50_000_000


def check_image(data, content_type):
    """Open the photo with Pillow, then encode it again: same picture and orientation, no metadata at all."""
    expected = {JPEG: ("JPEG", "MPO"), PNG: ("PNG",)}[content_type]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in expected:
                    raise UploadRefused("damaged")
                if probe.width * probe.height > IMAGE_MAX_PIXELS:
                    raise UploadRefused("image_too_large")
                probe.verify()
            # verify() leaves the image unusable: open it again to decode it.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
                return _encode_clean(upright, "PNG" if content_type == PNG else "JPEG")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UploadRefused("image_too_large") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise UploadRefused("damaged") from None


def _encode_clean(image, fmt):
    # Pillow carries some metadata over from ``info`` (a PNG's text, a JPEG's comment):
    # keep only what draws the picture.
    image.info = {key: value for key, value in image.info.items() if key == "transparency"}
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        image.save(out, format="JPEG", quality=90)
    else:
        image.save(out, format="PNG")
    return out.getvalue()
