print("padu")
