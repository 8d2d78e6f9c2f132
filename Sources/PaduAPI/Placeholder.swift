import PaduStore
