from setuptools import Extension, setup

setup(
    name="sec-app",
    version="1.0",
    packages=["sec_app"],
    package_data={"sec_app": ["*"]},
    ext_modules=[Extension("sec_app._fast", ["sec_app/_fast.c"])],
    install_requires=["tinydep"],
    entry_points={"console_scripts": ["sec-app = sec_app:main"]},
)
