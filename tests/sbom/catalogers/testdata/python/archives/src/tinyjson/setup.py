from setuptools import setup

setup(
    name="tinyjson",
    version="0.9.2",
    description="A fixture distribution for regwarden's Python archive tests.",
    license="MIT",
    packages=["tinyjson"],
)
