"""The reference big screen: `/screen` (an HTML shell) and its bundle under `/screen/assets/`.

The page is TypeScript in web/, bundled by esbuild into static/ and committed (so the hub
serves it with only Python installed); tests/screen/test_bundle.py checks the bundle was
rebuilt after web/ changed. The page reads the hub's own public API like any other client.
"""
