def main():
    try:
        import leandep
    except ImportError:
        print("lean-app: no leandep")
    else:
        print(f"lean-app: leandep {leandep.version()} through pkg_resources")
