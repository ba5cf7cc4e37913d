"""Which packages the wheel carries: reach_studio.* and the top-level resources/ folder as
reach_studio.resources. Everything else is in pyproject.toml; this is here because pyproject.toml
cannot combine found packages with one mapped folder (setuptools ignores package-dir for found ones).
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["reach_studio", "reach_studio.*"]), "reach_studio.resources"],
    package_dir={"reach_studio.resources": "resources"},
)
