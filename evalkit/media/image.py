"""Images -> PIL RGB, as the official `fetch_image` converts them (RGBA composited on white), resized only when
larger than `image_max_pixels` (the official smart_resize rule); smaller images are left to the model's
processor, which applies its own resize."""

from __future__ import annotations

from PIL import Image, UnidentifiedImageError

from evalkit.config import MediaConfig
from evalkit.media.qwen_rules import IMAGE_MIN_TOKENS, MAX_RATIO, smart_resize
from evalkit.media.source import media_error, open_source
from evalkit.types import ImageData, MediaRef


def decode_image(ref: MediaRef, config: MediaConfig, sha256: str) -> ImageData:
    try:
        with Image.open(open_source(ref)) as opened:
            opened.load()
            image = to_rgb(opened)
    except (UnidentifiedImageError, OSError, SyntaxError) as error:  # PIL reports truncated files as OSError
        raise media_error(ref, f"not decodable as an image ({error})", "replace or re-encode the file") from error
    width, height = image.size
    final_height, final_width = final_image_size(ref, width, height, config)
    if (final_width, final_height) != (width, height):
        image = image.resize((final_width, final_height), Image.Resampling.BICUBIC)
    provenance = {
        "source": ref.label,
        "sha256": sha256,
        "original_size": [width, height],
        "final_size": [final_width, final_height],
        "resized": (final_width, final_height) != (width, height),
    }
    return ImageData(image=image, provenance=provenance)


def probe_image(ref: MediaRef, config: MediaConfig) -> tuple[int, int]:
    """(height, width) decode_image hands on, from the header (PIL reads the size without decoding pixels)."""
    try:
        with Image.open(open_source(ref)) as opened:
            width, height = opened.size
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise media_error(ref, f"not decodable as an image ({error})", "replace or re-encode the file") from error
    return final_image_size(ref, width, height, config)


def final_image_size(ref: MediaRef, width: int, height: int, config: MediaConfig) -> tuple[int, int]:
    """(height, width) decode_image hands on: the source size, or the official smart_resize when larger than
    `image_max_pixels`. Refuses aspect ratios Qwen's processor rejects."""
    if max(width, height) / min(width, height) > MAX_RATIO:
        raise media_error(
            ref,
            f"aspect ratio {width}x{height} exceeds {MAX_RATIO}:1, which Qwen's processor rejects",
            "crop or pad the image",
        )
    if width * height <= config.image_max_pixels:
        return height, width
    factor = config.frame_factor
    return smart_resize(height, width, factor, IMAGE_MIN_TOKENS * factor * factor, config.image_max_pixels)


def to_rgb(image: Image.Image) -> Image.Image:
    """RGBA over a white background, anything else converted; the official fetch_image's rule."""
    if image.mode == "RGBA":
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.split()[3])
        return background
    return image.convert("RGB")
