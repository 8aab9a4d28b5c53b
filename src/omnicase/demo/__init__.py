"""Demo and benchmark data: a seeded generator of realistic omnichannel customer traffic."""

from omnicase.demo.generator import (
    DEMO_BRANDS,
    TARGET_CHANNEL_MIX,
    BrandSpec,
    GeneratedMessage,
    demo_scale,
    generate,
)

__all__ = [
    "DEMO_BRANDS",
    "TARGET_CHANNEL_MIX",
    "BrandSpec",
    "GeneratedMessage",
    "demo_scale",
    "generate",
]
