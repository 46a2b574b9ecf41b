def main():
    print("errapp")
