"""The torch networks of the backbones; the plugins of ``bench.backbones`` import them when they build one."""
