from setuptools import setup

# hostname is the command of Debian's essential package hostname;
# safe-owned-cmd belongs to the fixture package safe-owner.
setup(
    name="safe-clash-app",
    version="1.0",
    packages=["safe_clash_app"],
    entry_points={
        "console_scripts": [
            "safe-clash-cmd = safe_clash_app:main",
            "safe-owned-cmd = safe_clash_app:main",
            "hostname = safe_clash_app:main",
        ]
    },
)
