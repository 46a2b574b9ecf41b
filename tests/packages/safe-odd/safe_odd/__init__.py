def main():
    import safe_gitdep
    import safe_vendor_dep

    print(f"safe-odd with {safe_vendor_dep.NAME} and {safe_gitdep.NAME}")
