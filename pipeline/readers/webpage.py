FORMAT = "html"
EXTENSIONS = (".html",)
def sniff(text): return 0
